import { describe, expect, it } from "vitest";
import { composeSchema } from "../../../src/config/schema.js";
import { classifyPane } from "../../../src/status/classify.js";
import { buildProfile } from "../../../src/status/profiles.js";
import { backtrackingShape, MAX_LINE, patternRisk, runsLinear } from "../../../src/status/user-regex.js";

// A 200-column screen line of `a`s ending in `b`: `(a+)+$` backtracks 2^199 ways on it.
const EVIL_LINE = `${"a".repeat(199)}b`;

describe("user patterns are bounded", () => {
  it("a catastrophic pattern classifies a 200-column screen in milliseconds (V8's linear fallback)", () => {
    const p = buildProfile("w", "w", { busyPatterns: ["(a+)+$"], promptPatterns: ["(x+x+)+y"] });
    const screen = Array.from({ length: 50 }, () => EVIL_LINE);
    const t = Date.now();
    for (let i = 0; i < 20; i++) classifyPane({ dead: false, exitCode: null, quietMs: 60_000, screen }, p);
    // Backtracking would take longer than the age of the universe; linear takes ~1 ms a screen.
    expect(Date.now() - t).toBeLessThan(5_000);
  });

  it("lines are cut to MAX_LINE before patterns see them", () => {
    const p = buildProfile("w", "w", { busyPatterns: ["tail-marker"] });
    const long = `${"x".repeat(MAX_LINE)}tail-marker`;
    expect(classifyPane({ dead: false, exitCode: null, quietMs: 60_000, screen: [long] }, p).reason).not.toMatch(/busy marker/);
    expect(classifyPane({ dead: false, exitCode: null, quietMs: 60_000, screen: ["tail-marker"] }, p).reason).toMatch(/busy marker/);
  });

  it.each([
    ["(a+)+$", true],
    ["^\\s*>\\s*$", true],
    ["esc to interrupt", true],
    ["(a+)+\\1$", false],
    ["foo(?!bar)", false],
  ])("runsLinear(%s) = %s", (src, linear) => {
    expect(runsLinear(new RegExp(src))).toBe(linear);
  });

  it.each<[string, string | undefined]>([
    ["(a+)+", "a repeated group holds a quantifier or an alternation"],
    ["(a|aa)*", "a repeated group holds a quantifier or an alternation"],
    ["(?:x*y)+", "a repeated group holds a quantifier or an alternation"],
    ["(a+){2,}", "a repeated group holds a quantifier or an alternation"],
    ["a*b*c*", "more than two unbounded quantifiers"],
    ["(ab)+", undefined],
    ["(a+)?", undefined],
    ["(a+){1}", undefined],
    ["[(+)]+x", undefined],
    ["\\(a+\\)+", undefined],
    ["^\\s*>\\s*$", undefined],
  ])("backtrackingShape(%s)", (src, why) => {
    expect(backtrackingShape(src)).toBe(why);
  });

  it("a pattern the linear engine cannot run is refused at load when it could backtrack badly, with its place", () => {
    expect(patternRisk(/(a+)+$/)).toBeUndefined();
    expect(patternRisk(/(a+)+\1$/)).toMatch(/may backtrack catastrophically/);
    expect(patternRisk(/^(?!.*done).*working/)).toBeUndefined();
    const r = composeSchema.safeParse({
      agents: { w: { params: { command: "w" }, status: { busyPatterns: ["ok", "(\\w+\\s?)+\\1$"] } } },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["agents", "w", "status", "busyPatterns", 1]);
    expect(r.error?.issues[0]?.message).toMatch(/may backtrack catastrophically/);
  });
});
