import { describe, expect, it } from "vitest";
import { statusesOf } from "../../../src/status/observed.js";
import { buildProfile } from "../../../src/status/profiles.js";
import type { Labels, ObservedSession } from "../../../src/tmux/types.js";

const NOW = 1_700_000_100_000;
const profile = buildProfile("x", "my-agent", { idleAfter: "1s", busyPatterns: ["esc to interrupt"], promptPatterns: ["^> ?$"] }, "3s");

function pane(name: string, labels: Labels = {}, over: Partial<ObservedSession> = {}): ObservedSession {
  return {
    name,
    createdAt: NOW - 600_000,
    paneId: `%${name.length}`,
    pid: 1,
    dead: false,
    exitCode: null,
    deadAt: null,
    activityAt: NOW - 100,
    cwd: "/",
    labels,
    ...over,
  };
}

const look = (s: ObservedSession, screen: string[], now = NOW) =>
  statusesOf({ sessions: [s], screens: new Map([[s.paneId, screen]]), profileOf: () => profile, now });

describe("statusesOf: one observation, pure", () => {
  it("a stalled spinner: running at first sight, stuck once its mark is stuckAfter old; only the first look writes", () => {
    const first = look(pane("a"), ["⠋ Thinking… (3s · esc to interrupt)"]);
    expect(first.statuses.get("a")).toMatchObject({ status: "running", source: "screen" });
    expect(first.writes).toHaveLength(1);
    const later = look(pane("a", { progress: first.writes[0]?.value }), ["⠙ Thinking… (7s · esc to interrupt)"], NOW + 4_000);
    expect(later.statuses.get("a")?.status).toBe("stuck");
    expect(later.writes).toEqual([]);
  });

  it("an idle or waiting pane writes no mark (a quiet fleet costs no tmux write)", () => {
    expect(look(pane("b", {}, { activityAt: NOW - 60_000 }), ["ready", "> "]).writes).toEqual([]);
    expect(look(pane("c", {}, { activityAt: NOW - 60_000 }), ["Continue? [y/N]"]).writes).toEqual([]);
  });

  it("reads the agent's report from the same list of panes", () => {
    const s = pane("d", { reported: `waiting ${Math.floor((NOW - 1000) / 1000)}` }, { activityAt: NOW - 2_000 });
    expect(look(s, ["thinking it over"]).statuses.get("d")).toMatchObject({ status: "waiting", source: "reported" });
  });
});

describe("a blank screen", () => {
  it("writes no progress mark (nothing to make progress on), whatever its status", () => {
    expect(look(pane("e", {}, { activityAt: NOW - 100 }), ["", "   "]).writes).toEqual([]);
    expect(look(pane("f", {}, { activityAt: NOW - 100 }), ["⠋ Thinking… (3s · esc to interrupt)"]).writes).toHaveLength(1);
  });
});
