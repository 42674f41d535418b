import { describe, expect, it } from "vitest";
import { restartVerdict } from "../../../src/desired/restart.js";
import { gaveUp } from "../../../src/desired/view.js";
import { planConvergence } from "../../../src/plan/plan.js";
import type { DesiredService } from "../../../src/plan/types.js";
import type { ObservedSession } from "../../../src/tmux/types.js";

// One owner for the restart rules: `ps` (gaveUp, the "failed" status) and the planner (restart or
// give up) read the same verdict, so they cannot drift apart.

const NOW = 1_700_000_000_000;
const ROOT = "/srv/acme";

function dead(code: number | null, restarts: string): ObservedSession {
  return {
    name: "acme-auth-1",
    createdAt: 0,
    paneId: "%1",
    pid: null,
    dead: true,
    exitCode: code,
    deadAt: code === null ? null : NOW - 600_000,
    activityAt: 0,
    cwd: ROOT,
    labels: { root: ROOT, project: "acme", service: "auth", replica: "1", agent: "claude", hash: "h", restarts },
  };
}

describe("restartVerdict: ps and the planner agree", () => {
  it.each<{ restart: DesiredService["restart"]; max: number; code: number | null; restarts: string; kind: string }>([
    { restart: "no", max: 5, code: 1, restarts: "9", kind: "no" },
    { restart: "on-failure", max: 5, code: 0, restarts: "9", kind: "no" },
    { restart: "on-failure", max: 5, code: 1, restarts: "4", kind: "restart" },
    { restart: "on-failure", max: 5, code: 1, restarts: "5", kind: "gave-up" },
    { restart: "always", max: 0, code: 0, restarts: "0", kind: "gave-up" },
    { restart: "always", max: 3, code: null, restarts: "3", kind: "unknown" },
  ])("restart: $restart, maxRestarts $max, exit $code after $restarts restarts: $kind", ({ restart, max, code, restarts, kind }) => {
    const s = dead(code, restarts);
    expect(restartVerdict({ restart, maxRestarts: max }, s).kind).toBe(kind);
    const svc = { name: "auth", agent: "claude", restart, maxRestarts: max };
    expect(gaveUp({ services: { auth: svc } }, s)).toBe(kind === "gave-up");
    const desired: DesiredService = {
      name: "auth",
      replicas: 1,
      restart,
      maxRestarts: max,
      sessions: [
        {
          session: "acme-auth-1",
          service: "auth",
          replica: 1,
          agent: "claude",
          hash: "h",
          summary: {},
          start: { name: "acme-auth-1", cwd: ROOT, argv: ["claude"], env: {}, labels: {}, logFile: "/l" },
        },
      ],
    };
    const plan = planConvergence({ project: "acme", root: ROOT, services: [desired] }, { sessions: [s] }, { removeOrphans: false, only: [], now: NOW });
    expect(plan.notes.some((n) => n.kind === "failed")).toBe(kind === "gave-up");
    expect(plan.actions.map((a) => a.action)).toEqual(kind === "restart" ? ["restart"] : []);
  });
});
