import { describe, expect, it } from "vitest";
import { FleetTracker, hostRetryMs } from "../../../src/watch/fleet-tracker.js";

describe("hostRetryMs: how long a watcher waits before trying an unreachable host again", () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [6, 32_000],
    [7, 60_000],
    [50, 60_000],
    [0, 1000],
  ])("after %i failures in a row: %i ms", (failures, ms) => {
    expect(hostRetryMs(failures)).toBe(ms);
  });
});

describe("FleetTracker", () => {
  it("remembers nothing before its first tick, on any server", () => {
    const t = new FleetTracker();
    expect(t.stateOf("acme-a-1")).toBeUndefined();
    expect(t.states()).toEqual([]);
    expect(t.roundTrips).toBe(0);
  });
});
