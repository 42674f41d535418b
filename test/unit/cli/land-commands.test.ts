import { describe, expect, it } from "vitest";
import { strategyOf } from "../../../src/cli/land-commands.js";

describe("strategyOf", () => {
  it.each([
    [{}, "merge"],
    [{ squash: true }, "squash"],
    [{ rebase: true }, "rebase"],
    [{ ffOnly: true }, "ff-only"],
  ])("%j", (flags, want) => {
    expect(strategyOf(flags)).toBe(want);
  });
  it("refuses two at once", () => {
    expect(() => strategyOf({ squash: true, ffOnly: true })).toThrow("pick one of --squash, --rebase, --ff-only (got --squash --ff-only)");
  });
});
