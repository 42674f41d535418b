import { describe, expect, it } from "vitest";
import { combineStatus, describeSourced, isFresh, parseReported, REPORT_GRACE_MS } from "../../../src/status/reported.js";
import type { Classification, Status } from "../../../src/status/types.js";

const NOW = 1_700_000_100_000;
const STARTED = NOW - 100_000;
const screen = (status: Status, reason = "screen rules"): Classification => ({ status, reason });

describe("parseReported", () => {
  it("reads `<state> <unix seconds>` and nothing else", () => {
    expect(parseReported("waiting 1700000000")).toEqual({ state: "waiting", at: 1_700_000_000_000 });
    expect(parseReported(" idle 5 ")).toEqual({ state: "idle", at: 5000 });
    for (const bad of [undefined, "", "stuck 1", "running", "running x", "running 1 2", "RUNNING 1"]) expect(parseReported(bad)).toBeUndefined();
  });
});

describe("isFresh", () => {
  it("a report after the last output (or a moment before it) describes the pane; an older one is stale", () => {
    const at = NOW - 10_000;
    expect(isFresh({ state: "idle", at }, at, STARTED)).toBe(true);
    expect(isFresh({ state: "idle", at }, at + REPORT_GRACE_MS, STARTED)).toBe(true);
    expect(isFresh({ state: "idle", at }, at + REPORT_GRACE_MS + 1000, STARTED)).toBe(false);
  });
  it("a report from before the pane started is not about this run", () => {
    expect(isFresh({ state: "idle", at: STARTED - 5000 }, STARTED - 5000, STARTED)).toBe(false);
    expect(isFresh({ state: "idle", at: STARTED - 999 }, STARTED, STARTED)).toBe(true);
  });
});

describe("combineStatus precedence", () => {
  const fresh = (state: "running" | "waiting" | "idle") => ({ state, at: NOW - 5_000 });
  const activity = NOW - 5_000;
  it.each<[reported: "running" | "waiting" | "idle" | null, screenSays: Status, status: Status, source: "reported" | "screen", disagrees: boolean]>([
    [null, "running", "running", "screen", false],
    [null, "idle", "idle", "screen", false],
    ["waiting", "waiting", "waiting", "reported", false],
    ["waiting", "running", "waiting", "reported", true],
    ["waiting", "idle", "waiting", "reported", true],
    ["running", "waiting", "waiting", "screen", true],
    ["idle", "waiting", "waiting", "screen", true],
    ["running", "running", "running", "reported", false],
    ["running", "idle", "running", "reported", true],
    ["running", "stuck", "stuck", "screen", false],
    ["idle", "idle", "idle", "reported", false],
    ["idle", "running", "running", "screen", true],
    ["idle", "stuck", "idle", "reported", true],
    ["running", "exited", "exited", "screen", false],
    ["waiting", "failed", "failed", "screen", false],
  ])("reported %s + screen %s -> %s from the %s", (reported, screenSays, status, source, disagrees) => {
    const c = combineStatus(screen(screenSays), reported ? fresh(reported) : undefined, activity, STARTED, NOW);
    expect(c.status).toBe(status);
    expect(c.source).toBe(source);
    expect(!!c.disagreement).toBe(disagrees);
    if (disagrees) expect(describeSourced(c)).toMatch(/disagrees: /);
  });

  it("reported waiting gives way to a busy marker that moved after it (answered, or not drawn yet)", () => {
    const at = NOW - 5_000;
    const busy = { status: "running" as const, reason: "busy marker" };
    expect(combineStatus(busy, { state: "waiting", at }, at + 1000, STARTED, NOW)).toMatchObject({ status: "waiting", source: "reported" });
    const moved = combineStatus(busy, { state: "waiting", at }, at + 2000, STARTED, NOW);
    expect(moved).toMatchObject({ status: "running", source: "screen" });
    expect(moved.disagreement).toMatch(/reported waiting/);
    expect(combineStatus({ status: "running", reason: "printing", byOutput: true }, { state: "waiting", at }, at + 2000, STARTED, NOW).status).toBe("waiting");
  });

  it("reported idle beats output alone (a redraw after the turn), not a busy marker", () => {
    const printing = combineStatus({ status: "running", reason: "printing", byOutput: true }, fresh("idle"), activity, STARTED, NOW);
    expect(printing).toMatchObject({ status: "idle", source: "reported", disagreement: undefined });
    const marker = combineStatus({ status: "running", reason: "busy marker" }, fresh("idle"), activity, STARTED, NOW);
    expect(marker).toMatchObject({ status: "running", source: "screen" });
    expect(marker.disagreement).toMatch(/reported idle/);
  });

  it("a stale report (output since) leaves the screen to decide, silently", () => {
    const c = combineStatus(screen("running", "busy marker"), { state: "waiting", at: NOW - 60_000 }, NOW - 1_000, STARTED, NOW);
    expect(c).toEqual({ status: "running", reason: "busy marker", source: "screen", disagreement: undefined });
  });

  it("says what was reported and when", () => {
    expect(combineStatus(screen("idle"), fresh("idle"), activity, STARTED, NOW).reason).toBe("reported idle 5s ago");
  });
});
