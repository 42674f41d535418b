import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/duration.js";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["0s", 0],
    ["3s", 3_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["1h2m3s", 3_723_000],
    ["1.5s", 1_500],
    ["0.25m", 15_000],
    [" 3s ", 3_000],
    ["1s500ms", 1_500],
    ["7d", 604_800_000],
    ["1d12h", 129_600_000],
  ])("%j → %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "3", "s", "ms", "3 s", "-1s", "1w", "3sec", "1m 30s", "1.s", "abc", "3S"])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("parseDuration with a unit for a plain number (the CLI's flags)", () => {
  it.each([
    ["2", 2_000],
    ["0.5", 500],
    ["0", 0],
    ["250ms", 250],
    ["2m", 120_000],
    ["1m30s", 90_000],
  ])("%j → %i ms", (text, ms) => {
    expect(parseDuration(text, "s")).toBe(ms);
  });

  it.each(["", "s", "-1", "1.", "2 s", "3sec", "1w"])("rejects %j", (text) => {
    expect(parseDuration(text, "s")).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [250, "250ms"],
    [999, "999ms"],
    [1_000, "1s"],
    [59_999, "59s"],
    [60_000, "1m"],
    [90_000, "1m30s"],
    [3_599_000, "59m59s"],
    [3_600_000, "1h"],
    [5_400_000, "1h30m"],
    [3_661_000, "1h1m"],
    [86_400_000, "1d"],
    [90_000_000, "1d1h"],
  ])("%i ms → %j", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each(["500ms", "3s", "10m", "1h", "1m30s", "2h5m", "7d", "2d3h"])("round-trips %j", (text) => {
    const ms = parseDuration(text);
    expect(ms).toBeDefined();
    expect(formatDuration(ms as number)).toBe(text);
  });
});
