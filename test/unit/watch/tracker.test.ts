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
