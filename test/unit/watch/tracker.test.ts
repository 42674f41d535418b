import { describe, expect, it } from "vitest";
import { needsCapture } from "../../../src/watch/tracker.js";

// tmux's activity time is whole seconds; amux keeps the end of that second (here 11 000 for
// output at 10.x s). A capture is trusted only when its tmux call began after that.
describe("needsCapture", () => {
  it.each([
    { what: "never captured", activityAt: 11_000, capturedAt: undefined, stale: true },
    { what: "captured before the output's second ended (it may predate the output)", activityAt: 11_000, capturedAt: 10_500, stale: true },
    { what: "captured just before the second ended", activityAt: 11_000, capturedAt: 10_999, stale: true },
    { what: "captured as the second ended", activityAt: 11_000, capturedAt: 11_000, stale: false },
    { what: "captured after the second ended", activityAt: 11_000, capturedAt: 11_200, stale: false },
    { what: "printed again since the capture", activityAt: 13_000, capturedAt: 11_200, stale: true },
  ])("$what → $stale", ({ activityAt, capturedAt, stale }) => {
    expect(needsCapture(activityAt, capturedAt)).toBe(stale);
  });
});

describe("the capture condition tmux evaluates (captureIfActiveLine) is needsCapture", () => {
  it("window_activity >= floor(capturedAt / 1000) exactly when needsCapture says so", () => {
    for (let wa = 99; wa <= 102; wa++)
      for (let c = 98_000; c <= 103_000; c += 125) expect(wa >= Math.floor(c / 1000), `wa ${wa}, capturedAt ${c}`).toBe(needsCapture((wa + 1) * 1000, c));
  });

  it("is one if-shell whose command is the framed capture", async () => {
    const { captureIfActiveLine } = await import("../../../src/tmux/observe.js");
    const { captureLine } = await import("../../../src/tmux/capture.js");
    const line = captureIfActiveLine("%7", 1_700_000_000_999, "abc");
    expect(line.startsWith('if-shell -F -t %7 "#{e|>=:#{window_activity},1700000000}" ')).toBe(true);
    expect(line).toContain(JSON.stringify(captureLine("%7", "abc")).slice(1, 20));
  });
});
