import { describe, expect, it } from "vitest";
import { hashSpec, noSecrets, type SpawnSpec, summarizeSpec } from "../../../src/desired/spec.js";
import { BACKOFF_CAP_MS, backoffMs, describeChange, formatPlan, planConvergence, planJson } from "../../../src/plan/plan.js";
import type { DesiredService, DesiredState, ObservedState, PlanOptions } from "../../../src/plan/types.js";
import { serverKey } from "../../../src/secrets.js";
import type { Labels, ObservedSession, SessionCreate } from "../../../src/tmux/types.js";

const KEY = serverKey("0".repeat(64));

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
const NOW = 1_700_000_000_000;

function spec(env: Record<string, string> = { MODE: "fast" }): SpawnSpec {
  return { command: "claude code", shell: "default", cwd: ROOT, env, prompt: null, windowName: null };
}

const BASE = spec();

interface ServiceOpts {
  replicas?: number;
  restart?: DesiredService["restart"];
  maxRestarts?: number;
  spawn?: SpawnSpec;
}

/** One declared service of project acme, its replicas built from a spawn spec. */
function service(name: string, o: ServiceOpts = {}): DesiredService {
  const replicas = o.replicas ?? 1;
  const s = o.spawn ?? BASE;
  return {
    name,
    replicas,
    restart: o.restart ?? "no",
    maxRestarts: o.maxRestarts ?? 5,
    sessions: Array.from({ length: replicas }, (_, i) => ({
      session: `acme-${name}-${i + 1}`,
      service: name,
      replica: i + 1,
      agent: "claude",
      hash: hashSpec(s, noSecrets(s), KEY),
      summary: summarizeSpec(s, noSecrets(s), KEY),
      start: startOf(`acme-${name}-${i + 1}`),
    })),
  };
}

function desired(...services: DesiredService[]): DesiredState {
  return { project: "acme", root: ROOT, services };
}

/** The labels amux puts on a replica it created from `s`. */
function labelsFor(svc: string, replica: number, s: SpawnSpec = BASE, extra: Labels = {}): Labels {
  return {
    root: ROOT,
    project: "acme",
    service: svc,
    replica: String(replica),
    agent: "claude",
    hash: hashSpec(s, noSecrets(s), KEY),
    restarts: "0",
    v: "1",
    spec: JSON.stringify(summarizeSpec(s, noSecrets(s), KEY)),
    ...extra,
  };
}

function live(name: string, labels: Labels, over: Partial<ObservedSession> = {}): ObservedSession {
  return {
    name,
    createdAt: NOW - 3_600_000,
    paneId: `%${name.length}`,
    pid: 4242,
    dead: false,
    exitCode: null,
    deadAt: null,
    activityAt: NOW - 1_000,
    cwd: ROOT,
    labels,
    ...over,
  };
}

function dead(name: string, labels: Labels, exitCode: number, deadAt: number): ObservedSession {
  return live(name, labels, { dead: true, pid: null, exitCode, deadAt });
}

/** A live replica exactly as declared. */
function replica(svc: string, n: number, s: SpawnSpec = BASE): ObservedSession {
  return live(`acme-${svc}-${n}`, labelsFor(svc, n, s));
}

function observed(...sessions: ObservedSession[]): ObservedState {
  return { sessions };
}

const OPTS: PlanOptions = { removeOrphans: false, only: [], now: NOW };

function planText(d: DesiredState, o: ObservedState, opts: Partial<PlanOptions> = {}): string {
  return formatPlan(planConvergence(d, o, { ...OPTS, ...opts }));
}

describe("planConvergence + formatPlan", () => {
  it("creates every replica when nothing runs", () => {
    expect(planText(desired(service("auth", { replicas: 2 })), observed())).toBe(
      ["+ create acme-auth-1 (scale 0 -> 2)", "+ create acme-auth-2 (scale 0 -> 2)"].join("\n"),
    );
  });

  it("gives each action as data with session, service, replica and reason", () => {
    const plan = planConvergence(desired(service("auth", { replicas: 1 })), observed(), OPTS);
    expect(planJson(plan).actions).toEqual([{ action: "create", session: "acme-auth-1", service: "auth", replica: 1, reason: "scale 0 -> 1" }]);
    expect(plan.notes).toEqual([]);
    expect(plan.upToDate).toEqual([]);
  });

  it("changes nothing on a rerun and says how many sessions are up to date", () => {
    const plan = planConvergence(desired(service("auth", { replicas: 2 })), observed(replica("auth", 1), replica("auth", 2)), OPTS);
    expect(plan.actions).toEqual([]);
    expect(plan.upToDate).toEqual(["acme-auth-1", "acme-auth-2"]);
    expect(formatPlan(plan)).toBe("nothing to do, 2 sessions up to date");
  });

  it("says 'session' for a single up-to-date session", () => {
    expect(planText(desired(service("auth")), observed(replica("auth", 1)))).toBe("nothing to do, 1 session up to date");
  });

  it("scales up by creating only the missing replicas", () => {
    expect(planText(desired(service("auth", { replicas: 3 })), observed(replica("auth", 1), replica("auth", 2)))).toBe("+ create acme-auth-3 (scale 2 -> 3)");
  });

  it("scales down by removing the highest replica first", () => {
    const plan = planConvergence(desired(service("auth", { replicas: 1 })), observed(replica("auth", 2), replica("auth", 1), replica("auth", 3)), OPTS);
    expect(formatPlan(plan)).toBe(["- remove acme-auth-3 (scale 3 -> 1)", "- remove acme-auth-2 (scale 3 -> 1)"].join("\n"));
    expect(plan.actions.map((a) => a.replica)).toEqual([3, 2]);
    expect(plan.upToDate).toEqual(["acme-auth-1"]);
  });

  it("orders removals by replica number, not by name (10 before 9)", () => {
    const running = Array.from({ length: 10 }, (_, i) => replica("auth", i + 1));
    expect(planText(desired(service("auth", { replicas: 8 })), observed(...running))).toBe(
      ["- remove acme-auth-10 (scale 10 -> 8)", "- remove acme-auth-9 (scale 10 -> 8)"].join("\n"),
    );
  });

  it("scales to zero", () => {
    expect(planText(desired(service("auth", { replicas: 0 })), observed(replica("auth", 1)))).toBe("- remove acme-auth-1 (scale 1 -> 0)");
  });

  it("recreates a replica whose spawn spec changed and names the changed field", () => {
    const before = spec({ MODE: "fast" });
    const after = spec({ MODE: "slow" });
    expect(planText(desired(service("auth", { replicas: 2, spawn: after })), observed(replica("auth", 1, before), replica("auth", 2, after)))).toBe(
      "~ recreate acme-auth-1 (environment.MODE changed)",
    );
  });

  it("names added and removed environment variables and a changed command", () => {
    const before = spec({ MODE: "fast", OLD: "1" });
    const after: SpawnSpec = { ...spec({ MODE: "fast", NEW: "1" }), command: "claude code --verbose" };
    expect(planText(desired(service("auth", { spawn: after })), observed(replica("auth", 1, before)))).toBe(
      "~ recreate acme-auth-1 (command changed, environment.NEW added, environment.OLD removed)",
    );
  });

  it("falls back to 'spawn spec changed' when the old session kept no spec summary", () => {
    const old = live("acme-auth-1", { ...labelsFor("auth", 1), hash: "v2:0000000000000000", spec: undefined });
    expect(planText(desired(service("auth")), observed(old))).toBe("~ recreate acme-auth-1 (spawn spec changed)");
  });

  it("says when a replica was labelled by another amux version's hash recipe, rather than name fields that did not change", () => {
    const old = live("acme-auth-1", { ...labelsFor("auth", 1), hash: "v1:0000000000000000" });
    expect(planText(desired(service("auth")), observed(old))).toBe("~ recreate acme-auth-1 (spawn spec recorded by another amux version (v1 -> v2))");
  });

  it("recreates rather than restarts a dead replica whose spec changed", () => {
    const before = spec({ MODE: "fast" });
    const after = spec({ MODE: "slow" });
    const s = dead("acme-auth-1", labelsFor("auth", 1, before), 1, NOW - 600_000);
    expect(planText(desired(service("auth", { restart: "no", spawn: after })), observed(s))).toBe("~ recreate acme-auth-1 (environment.MODE changed)");
  });

  describe("orphans (sessions of services no longer declared)", () => {
    const world = () => observed(replica("auth", 1), replica("old", 2), replica("old", 1));

    it("warns about them without --remove-orphans", () => {
      const plan = planConvergence(desired(service("auth")), world(), OPTS);
      expect(plan.actions).toEqual([]);
      expect(formatPlan(plan)).toBe(
        [
          "! orphan acme-old-1: service old is no longer declared; --remove-orphans removes it",
          "! orphan acme-old-2: service old is no longer declared; --remove-orphans removes it",
          "nothing to do, 1 session up to date",
        ].join("\n"),
      );
    });

    it("removes them with --remove-orphans", () => {
      expect(planText(desired(service("auth")), world(), { removeOrphans: true })).toBe(
        ["- remove acme-old-1 (orphan: service old is no longer declared)", "- remove acme-old-2 (orphan: service old is no longer declared)"].join("\n"),
      );
    });

    it("never treats `amux run` sessions (root label, no service) as orphans", () => {
      const run = live("claude-1", { root: ROOT, project: "acme", agent: "claude" });
      for (const removeOrphans of [false, true]) {
        const plan = planConvergence(desired(service("auth")), observed(replica("auth", 1), run), { ...OPTS, removeOrphans });
        expect(plan.actions).toEqual([]);
        expect(plan.notes).toEqual([]);
      }
    });

    it("leaves sessions of other projects' roots alone", () => {
      const other = live("beta-web-1", { ...labelsFor("web", 1), root: "/srv/beta", project: "beta" });
      expect(planText(desired(service("auth")), observed(replica("auth", 1), other), { removeOrphans: true })).toBe("nothing to do, 1 session up to date");
    });
  });

  describe("conflicts over a managed name", () => {
    it("reports a foreign session (no amux labels) and takes no action", () => {
      const plan = planConvergence(desired(service("auth", { replicas: 2 })), observed(live("acme-auth-1", {}), replica("auth", 2)), OPTS);
      expect(plan.actions).toEqual([]);
      expect(formatPlan(plan)).toBe(
        ["! conflict acme-auth-1: a session not made by amux holds the name; left alone, acme-auth-1 not created", "nothing to do, 1 session up to date"].join(
          "\n",
        ),
      );
    });

    it("reports a session labelled with another project root and takes no action", () => {
      const foreign = live("acme-auth-1", { ...labelsFor("auth", 1), root: "/home/bob/acme" });
      const plan = planConvergence(desired(service("auth")), observed(foreign), { ...OPTS, removeOrphans: true });
      expect(plan.actions).toEqual([]);
      expect(plan.notes).toEqual([
        {
          kind: "conflict",
          session: "acme-auth-1",
          service: "auth",
          message: "amux session of /home/bob/acme holds the name; left alone, acme-auth-1 not created",
        },
      ]);
    });
  });

  describe("dead panes", () => {
    const long = NOW - 3_600_000;

    it.each([
      { restart: "no", code: 0, labels: {}, text: "! exited acme-auth-1: exited with 0 (restart: no)\nnothing to do, 0 sessions up to date" },
      { restart: "no", code: 3, labels: {}, text: "! exited acme-auth-1: exited with 3 (restart: no)\nnothing to do, 0 sessions up to date" },
      {
        restart: "on-failure",
        code: 0,
        labels: {},
        text: "! exited acme-auth-1: exited with 0 (restart: on-failure)\nnothing to do, 0 sessions up to date",
      },
      { restart: "on-failure", code: 3, labels: {}, text: "↻ restart acme-auth-1 (exited with 3; restart: on-failure, 1 of 5)" },
      { restart: "always", code: 0, labels: {}, text: "↻ restart acme-auth-1 (exited with 0; restart: always, 1 of 5)" },
      { restart: "always", code: 137, labels: { restarts: "2" }, text: "↻ restart acme-auth-1 (exited with 137; restart: always, 3 of 5)" },
    ] as const)("restart: $restart, exit $code", ({ restart, code, labels, text }) => {
      const s = dead("acme-auth-1", labelsFor("auth", 1, BASE, labels), code, long);
      expect(planText(desired(service("auth", { restart })), observed(s))).toBe(text);
    });

    it("waits for the backoff before restarting again", () => {
      // Two restarts so far: the third waits backoffMs(2) = 4 s after the pane died; 1 s has passed.
      const s = dead("acme-auth-1", labelsFor("auth", 1, BASE, { restarts: "2" }), 3, NOW - 1_000);
      expect(planText(desired(service("auth", { restart: "on-failure" })), observed(s))).toBe(
        "! backoff acme-auth-1: exited with 3; restart 3 of 5 in 3s\nnothing to do, 0 sessions up to date",
      );
    });

    it("restarts once the backoff has passed", () => {
      const s = dead("acme-auth-1", labelsFor("auth", 1, BASE, { restarts: "2" }), 3, NOW - 4_000);
      expect(planText(desired(service("auth", { restart: "on-failure" })), observed(s))).toBe(
        "↻ restart acme-auth-1 (exited with 3; restart: on-failure, 3 of 5)",
      );
    });

    it("gives up when maxRestarts is reached", () => {
      const s = dead("acme-auth-1", labelsFor("auth", 1, BASE, { restarts: "3" }), 3, long);
      expect(planText(desired(service("auth", { restart: "always", maxRestarts: 3 })), observed(s))).toBe(
        "! failed acme-auth-1: exited with 3; gave up after 3 restarts (maxRestarts 3)\nnothing to do, 0 sessions up to date",
      );
    });

    it("never restarts with maxRestarts 0", () => {
      const s = dead("acme-auth-1", labelsFor("auth", 1), 1, long);
      const plan = planConvergence(desired(service("auth", { restart: "always", maxRestarts: 0 })), observed(s), OPTS);
      expect(plan.actions).toEqual([]);
      expect(plan.notes.map((n) => n.kind)).toEqual(["failed"]);
    });
  });

  describe("replicas held stopped by `amux stop` (watch passes them as held)", () => {
    const held = new Set(["acme-auth-2"]);
    it.each([
      {
        what: "a held replica that is gone is left stopped, the others converge",
        obs: () => observed(replica("auth", 1)),
        replicas: 3,
        held,
        text: [
          "+ create acme-auth-3 (scale 1 -> 3)",
          "! stopped acme-auth-2: stopped by amux stop; `amux start acme-auth-2` or `amux up` starts it again",
        ].join("\n"),
      },
      {
        what: "without holds (amux up) the same replica is created again",
        obs: () => observed(replica("auth", 1)),
        replicas: 3,
        held: undefined,
        text: ["+ create acme-auth-2 (scale 1 -> 3)", "+ create acme-auth-3 (scale 1 -> 3)"].join("\n"),
      },
      {
        what: "only held replicas missing: nothing to do",
        obs: () => observed(replica("auth", 1)),
        replicas: 2,
        held,
        text: [
          "! stopped acme-auth-2: stopped by amux stop; `amux start acme-auth-2` or `amux up` starts it again",
          "nothing to do, 1 session up to date",
        ].join("\n"),
      },
      {
        what: "a hold on a replica that is live again (amux start) changes nothing",
        obs: () => observed(replica("auth", 1), replica("auth", 2)),
        replicas: 2,
        held,
        text: "nothing to do, 2 sessions up to date",
      },
      {
        what: "a hold beyond the replica count plans nothing for it",
        obs: () => observed(replica("auth", 1)),
        replicas: 1,
        held,
        text: "nothing to do, 1 session up to date",
      },
    ])("$what", ({ obs, replicas, held: h, text }) => {
      expect(planText(desired(service("auth", { replicas })), obs(), { held: h })).toBe(text);
    });

    it("a hold does not stop a scale-down of live replicas", () => {
      expect(planText(desired(service("auth", { replicas: 1 })), observed(replica("auth", 1), replica("auth", 3)), { held })).toBe(
        "- remove acme-auth-3 (scale 2 -> 1)",
      );
    });
  });

  it("plans only the services named with `only`", () => {
    const d = desired(service("auth", { replicas: 2 }), service("review"));
    expect(planText(d, observed(), { only: ["review"] })).toBe("+ create acme-review-1 (scale 0 -> 1)");
    expect(planText(d, observed(), { only: ["auth"] })).toBe(["+ create acme-auth-1 (scale 0 -> 2)", "+ create acme-auth-2 (scale 0 -> 2)"].join("\n"));
  });

  it("puts actions before notes, whatever the mix", () => {
    const d = desired(service("auth", { replicas: 2 }), service("web", { restart: "no" }));
    const o = observed(live("acme-auth-1", {}), dead("acme-web-1", labelsFor("web", 1), 2, NOW - 60_000), replica("gone", 1));
    expect(planText(d, o, { removeOrphans: false })).toBe(
      [
        "+ create acme-auth-2 (scale 0 -> 2)",
        "! conflict acme-auth-1: a session not made by amux holds the name; left alone, acme-auth-1 not created",
        "! exited acme-web-1: exited with 2 (restart: no)",
        "! orphan acme-gone-1: service gone is no longer declared; --remove-orphans removes it",
      ].join("\n"),
    );
  });
});

describe("describeChange", () => {
  it.each([
    { before: undefined, after: { command: "a" }, text: "spawn spec changed" },
    { before: { command: "a" }, after: { command: "a" }, text: "spawn spec changed" },
    { before: { command: "a" }, after: { command: "b" }, text: "command changed" },
    { before: { "environment.MODE": "x" }, after: { "environment.MODE": "y" }, text: "environment.MODE changed" },
    { before: {}, after: { "environment.NEW": "1" }, text: "environment.NEW added" },
    { before: { "environment.OLD": "1" }, after: {}, text: "environment.OLD removed" },
    { before: { b: "1", a: "1" }, after: { b: "2", a: "2" }, text: "a changed, b changed" },
    { before: { a: "1", b: "1", c: "1" }, after: { a: "2", b: "2", c: "2" }, text: "a changed, b changed, c changed" },
    { before: { a: "1", b: "1", c: "1", d: "1", e: "1" }, after: { a: "2", b: "2", c: "2", d: "2" }, text: "a changed, b changed, c changed and 2 more" },
  ])("$before -> $after: $text", ({ before, after, text }) => {
    expect(describeChange(before as Record<string, string> | undefined, after as Record<string, string>)).toBe(text);
  });
});

describe("backoffMs", () => {
  it.each([
    [0, 1_000],
    [1, 2_000],
    [2, 4_000],
    [5, 32_000],
    [6, 60_000],
    [50, 60_000],
    [-3, 1_000],
  ])("after %i restarts waits %i ms", (restarts, ms) => {
    expect(backoffMs(restarts)).toBe(ms);
  });

  it("never exceeds the cap", () => {
    expect(backoffMs(1_000)).toBe(BACKOFF_CAP_MS);
  });
});

describe("resume: restarts and lost sessions continue the conversation", () => {
  const withResume = (svc: DesiredService, resume: string | null = "claude --continue"): DesiredService => ({
    ...svc,
    sessions: svc.sessions.map((d) => ({ ...d, resume })),
  });

  it("restarts an exited replica with its resume command, and says so", () => {
    const d = desired(withResume(service("auth", { restart: "always" })));
    const o = observed(dead("acme-auth-1", labelsFor("auth", 1), 1, NOW - 60_000));
    const [a] = planConvergence(d, o, OPTS).actions;
    expect(a).toMatchObject({ action: "restart", session: "acme-auth-1", resume: true, command: "claude --continue" });
    expect(a?.reason).toMatch(/exited with 1; restart: always, 1 of 5; resumed$/);
  });

  it("restarts a stuck replica (onStuck: restart) resuming", () => {
    const d = desired({ ...withResume(service("auth")), onStuck: "restart" });
    const [a] = planConvergence(d, observed(replica("auth", 1)), { ...OPTS, stuck: new Map([["acme-auth-1", "10m"]]) }).actions;
    expect(a).toMatchObject({ action: "restart", resume: true, command: "claude --continue" });
  });

  it("re-creates a replica that was running before (session lost) resuming; a new one starts clean", () => {
    const d = desired(withResume(service("auth", { replicas: 2 })));
    const plan = planConvergence(d, observed(), { ...OPTS, previous: new Set(["acme-auth-1"]) });
    expect(plan.actions.map((a) => [a.session, a.resume ?? false, a.command ?? null])).toEqual([
      ["acme-auth-1", true, "claude --continue"],
      ["acme-auth-2", false, null],
    ]);
    expect(plan.actions[0]?.reason).toMatch(/was running before; resumed$/);
  });

  it("--fresh, or an agent without a resume command, never resumes", () => {
    const d = desired(withResume(service("auth", { restart: "always" })));
    const o = observed(dead("acme-auth-1", labelsFor("auth", 1), 1, NOW - 60_000));
    expect(planConvergence(d, o, { ...OPTS, fresh: true }).actions[0]).not.toHaveProperty("resume");
    expect(planConvergence(d, observed(), { ...OPTS, fresh: true, previous: new Set(["acme-auth-1"]) }).actions[0]).not.toHaveProperty("resume");
    const none = desired(withResume(service("auth", { restart: "always" }), null));
    expect(planConvergence(none, o, OPTS).actions[0]).not.toHaveProperty("resume");
  });

  it("resume is not a config change: a live replica with the resume command is up to date", () => {
    const d = desired(withResume(service("auth")));
    expect(planConvergence(d, observed(live("acme-auth-1", labelsFor("auth", 1, BASE, { resumed: "2026-01-01T00:00:00.000Z" }))), OPTS)).toMatchObject({
      actions: [],
      upToDate: ["acme-auth-1"],
    });
  });
});
