/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { describe, expect, it } from "vitest";
import { interpolate } from "../../../src/config/interpolate.js";

const ENV = { HOME: "/home/ada", TOKEN: "t0k3n", EMPTY: "", MODEL: "opus" };

describe("interpolate", () => {
  it.each([
    // text, value, masked (what may be shown), expanded
    ["${HOME}", "/home/ada", "********", true],
    ["${HOME}/src", "/home/ada/src", "********/src", true],
    ["${MODEL}-${TOKEN}", "opus-t0k3n", "********-********", true],
    ["claude --key ${TOKEN} --model ${MODEL}", "claude --key t0k3n --model opus", "claude --key ******** --model ********", true],
    ["${UNSET_VAR:-fallback}", "fallback", "********", true],
    ["${MODEL:-sonnet}", "opus", "********", true],
    ["${EMPTY:-used when empty}", "used when empty", "********", true],
    ["${UNSET_VAR:-}", "", "", true],
    ["${UNSET_VAR:-a b:c/d}", "a b:c/d", "********", true],
    ["${EMPTY}", "", "", true],
    ["$$", "$", "$", false],
    ["$$HOME", "$HOME", "$HOME", false],
    ["$${HOME}", "${HOME}", "${HOME}", false],
    ["cost: $$5 for ${TOKEN}", "cost: $5 for t0k3n", "cost: $5 for ********", true],
    ["a lone $ sign", "a lone $ sign", "a lone $ sign", false],
    ["$HOME is not expanded", "$HOME is not expanded", "$HOME is not expanded", false],
    ["no dollars", "no dollars", "no dollars", false],
  ])("%j → %j, shown as %j", (text, value, masked, expanded) => {
    expect(interpolate(text, ENV)).toEqual({ value, masked, expanded, missing: [] });
  });

  it("masks the expanded pieces and nothing else, wherever they stand", () => {
    const r = interpolate("a${TOKEN}b${TOKEN}c", ENV);
    expect(r.value).toBe("at0k3nbt0k3nc");
    expect(r.masked).toBe("a********b********c");
    expect(r.masked).not.toContain("t0k3n");
  });

  it("reports each unset variable without a default", () => {
    expect(interpolate("${MISSING_ONE}:${HOME}:${MISSING_TWO}", ENV)).toEqual({
      value: ":/home/ada:",
      masked: ":********:",
      expanded: true,
      missing: ["MISSING_ONE", "MISSING_TWO"],
    });
  });

  it("does not expand what a variable's value contains", () => {
    expect(interpolate("${TRICKY}", { TRICKY: "${HOME} and $$" }).value).toBe("${HOME} and $$");
  });

  it("leaves malformed references alone", () => {
    expect(interpolate("${1BAD} ${} ${A-B}", ENV)).toEqual({ value: "${1BAD} ${} ${A-B}", masked: "${1BAD} ${} ${A-B}", expanded: false, missing: [] });
  });
});
