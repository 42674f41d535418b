import { describe, expect, it } from "vitest";
import { hasInvalidKey, parseKey } from "../../../src/tmux/key.js";
import { parseEnvironmentNames } from "../../../src/tmux/observe.js";

describe("parseKey", () => {
  const key = "0123456789abcdef".repeat(4);
  it.each([
    [`@@amux-key\n${key}\n`, key],
    [`before\n@@amux-key\n${key}\n@@amux-list\n`, key],
    ["@@amux-key\n\n", null],
    ["@@amux-key\nnot-a-key\n", null],
    [`${key}\n`, null],
    ["", null],
  ])("%j → %s", (out, want) => {
    expect(parseKey(out)).toBe(want);
  });
});

describe("hasInvalidKey", () => {
  it.each([
    ["@@amux-key\nset by hand\n", true],
    [`@@amux-key\n${"0".repeat(64)}\n`, false],
    ["@@amux-key\n\n", false],
    ["", false],
  ])("%j → %s", (out, want) => {
    expect(hasInvalidKey(out)).toBe(want);
  });
});

describe("parseEnvironmentNames", () => {
  it("takes names of set and removed variables, whatever the values hold", () => {
    expect(parseEnvironmentNames("HOME=/root\nMY_SECRET=a=b\n-DISPLAY\nEMPTY=\nmulti line value\n=bad\n")).toEqual(["HOME", "MY_SECRET", "DISPLAY", "EMPTY"]);
  });
});
