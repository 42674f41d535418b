import { describe, expect, it } from "vitest";
import { hashSpec, noSecrets, type SpawnSpec, summarizeSpec } from "../../../src/desired/spec.js";
import { type ManualKind, planManual } from "../../../src/plan/manual.js";
import { formatPlan } from "../../../src/plan/plan.js";
import type { DesiredState } from "../../../src/plan/types.js";
import { serverKey } from "../../../src/secrets.js";
import type { Labels, ObservedSession, SessionCreate } from "../../../src/tmux/types.js";

const KEY = serverKey("0".repeat(64));
const NOW = 1_700_000_000_000;

const ROOT = "/srv/acme";

/** The tmux request a replica is started with (its contents are apply's concern: test/unit/apply). */
const startOf = (session: string): SessionCreate => ({
  name: session,
  cwd: ROOT,
  argv: ["claude"],
  env: {},
  labels: {},
  logFile: `${ROOT}/.amux/logs/${session}.log`,
});
const spec = (mode: string): SpawnSpec => ({ command: "claude", shell: "default", cwd: ROOT, env: { MODE: mode }, prompt: null, windowName: null });
const NOW_SPEC = spec("fast");

const desired: DesiredState = {
  project: "acme",
  root: ROOT,
  services: [
    {
      name: "auth",
      replicas: 2,
      restart: "no",
      maxRestarts: 5,
      sessions: [1, 2].map((n) => ({
        session: `acme-auth-${n}`,
        service: "auth",
        replica: n,
        agent: "claude",
        hash: hashSpec(NOW_SPEC, noSecrets(NOW_SPEC), KEY),
        summary: summarizeSpec(NOW_SPEC, noSecrets(NOW_SPEC), KEY),
        start: startOf(`acme-auth-${n}`),
      })),
    },
  ],
};

function labels(n: number, s = NOW_SPEC, extra: Labels = {}): Labels {
  return {
    root: ROOT,
    project: "acme",
    service: "auth",
    replica: String(n),
    agent: "claude",
    hash: hashSpec(s, noSecrets(s), KEY),
    spec: JSON.stringify(summarizeSpec(s, noSecrets(s), KEY)),
    ...extra,
  };
}

function session(name: string, l: Labels, dead = false): ObservedSession {
  return {
    name,
    createdAt: 0,
    paneId: "%1",
    pid: dead ? null : 42,
    dead,
    exitCode: dead ? 3 : null,
    deadAt: dead ? 0 : null,
    activityAt: 0,
    cwd: ROOT,
    labels: l,
  };
}

const run = (dead: boolean) => session("claude-1", { root: ROOT, project: "acme", agent: "claude" }, dead);

describe("planManual (amux start / amux restart)", () => {
  it.each<{ what: string; kind: ManualKind; obs: ObservedSession[]; declared: string[]; other?: string[]; text: string }>([
    {
      what: "start: a replica tmux forgot is created",
      kind: "start",
      obs: [],
      declared: ["acme-auth-1"],
      text: "+ create acme-auth-1 (started by amux start)",
    },
    {
      what: "start: a running replica is left alone",
      kind: "start",
      obs: [session("acme-auth-1", labels(1))],
      declared: ["acme-auth-1"],
      text: "nothing to do, 1 session up to date",
    },
    {
      what: "start: an exited replica is respawned in place",
      kind: "start",
      obs: [session("acme-auth-1", labels(1, NOW_SPEC, { restarts: "5" }), true)],
      declared: ["acme-auth-1"],
      text: "↻ restart acme-auth-1 (started by amux start)",
    },
    {
      what: "start: a whole service, one created, one running",
      kind: "start",
      obs: [session("acme-auth-1", labels(1))],
      declared: ["acme-auth-1", "acme-auth-2"],
      text: "+ create acme-auth-2 (started by amux start)",
    },
    {
      what: "restart: a running replica is respawned in place",
      kind: "restart",
      obs: [session("acme-auth-1", labels(1))],
      declared: ["acme-auth-1"],
      text: "↻ restart acme-auth-1 (restarted by amux restart)",
    },
    {
      what: "restart: a replica whose spec changed is recreated, saying what changed",
      kind: "restart",
      obs: [session("acme-auth-1", labels(1, spec("slow")))],
      declared: ["acme-auth-1"],
      text: "~ recreate acme-auth-1 (restarted by amux restart; environment.MODE changed)",
    },
    {
      what: "restart: a session not made by amux is left alone",
      kind: "restart",
      obs: [session("acme-auth-1", {})],
      declared: ["acme-auth-1"],
      text: "! conflict acme-auth-1: a session not made by amux holds the name; left alone, acme-auth-1 not restarted\nnothing to do, 0 sessions up to date",
    },
    {
      what: "start: an exited run session is respawned as it was started",
      kind: "start",
      obs: [run(true)],
      declared: [],
      other: ["claude-1"],
      text: "↻ restart claude-1 (started by amux start)",
    },
    {
      what: "start: a running run session is left alone",
      kind: "start",
      obs: [run(false)],
      declared: [],
      other: ["claude-1"],
      text: "nothing to do, 1 session up to date",
    },
    {
      what: "restart: a running run session is respawned",
      kind: "restart",
      obs: [run(false)],
      declared: [],
      other: ["claude-1"],
      text: "↻ restart claude-1 (restarted by amux restart)",
    },
  ])("$what", ({ kind, obs, declared, other, text }) => {
    expect(formatPlan(planManual(kind, desired, { sessions: obs }, { declared, other: other ?? [] }, { now: NOW }))).toBe(text);
  });

  it("a person's restart resets the restart count (a fresh maxRestarts budget)", () => {
    const plan = planManual(
      "start",
      desired,
      { sessions: [session("acme-auth-1", labels(1, NOW_SPEC, { restarts: "5" }), true)] },
      { declared: ["acme-auth-1"], other: [] },
      { now: NOW },
    );
    expect(plan.actions).toMatchObject([
      {
        action: "restart",
        session: "acme-auth-1",
        service: "auth",
        replica: 1,
        reason: "started by amux start",
        restarts: 0,
        labels: { restarts: "0" },
      },
    ]);
  });
});

describe("planManual with a resume command", () => {
  const resumable: DesiredState = {
    ...desired,
    services: desired.services.map((s) => ({ ...s, sessions: s.sessions.map((d) => ({ ...d, resume: "claude --continue" })) })),
  };
  const obs = { sessions: [session("acme-auth-1", labels(1)), session("acme-auth-2", labels(2), true)] };
  const targets = { declared: ["acme-auth-1", "acme-auth-2"], other: [] };

  it("restart and start in place continue the conversation", () => {
    const restart = planManual("restart", resumable, obs, targets, { now: NOW });
    expect(formatPlan(restart)).toBe(
      ["↻ restart acme-auth-1 (restarted by amux restart; resumed)", "↻ restart acme-auth-2 (restarted by amux restart; resumed)"].join("\n"),
    );
    expect(restart.actions.map((a) => [a.resume, a.command])).toEqual([
      [true, "claude --continue"],
      [true, "claude --continue"],
    ]);
    expect(formatPlan(planManual("start", resumable, obs, targets, { now: NOW }))).toBe(["↻ restart acme-auth-2 (started by amux start; resumed)"].join("\n"));
  });

  it("--fresh starts clean", () => {
    const plan = planManual("restart", resumable, obs, targets, { fresh: true, now: NOW });
    expect(plan.actions.every((a) => !a.resume && a.command === undefined)).toBe(true);
    expect(formatPlan(plan)).not.toContain("resumed");
  });
});
