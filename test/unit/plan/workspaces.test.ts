import { describe, expect, it } from "vitest";
import { planManual } from "../../../src/plan/manual.js";
import { formatPlan, planConvergence, planJson } from "../../../src/plan/plan.js";
import type {
  DesiredService,
  DesiredState,
  DesiredWorkspace,
  ObservedState,
  ObservedWorkspace,
  ObservedWorkspaces,
  RestartAction,
} from "../../../src/plan/types.js";
import type { Labels, ObservedSession, SessionCreate } from "../../../src/tmux/types.js";

// The planner decides what workspaces need before sessions start in them, and every restart's
// number and labels: apply only carries them out (test/unit/apply).

const ROOT = "/srv/acme";
const NOW = 1_700_000_000_000;
const HASH = "v2:abc";

const startOf = (session: string, cwd: string): SessionCreate => ({
  name: session,
  cwd,
  argv: ["claude"],
  env: {},
  labels: { root: ROOT, hash: HASH, restarts: "0" },
  logFile: `${ROOT}/.amux/logs/${session}.log`,
  logCap: { maxBytes: 1024, keep: 4 },
});

/** Service `name` of project acme in workspace `ws` (isolation replica: `ws-<n>`). */
function service(
  name: string,
  ws: string | null,
  o: { replicas?: number; isolation?: boolean; restart?: DesiredService["restart"]; maxRestarts?: number } = {},
): DesiredService {
  const replicas = o.replicas ?? 1;
  return {
    name,
    replicas,
    restart: o.restart ?? "no",
    maxRestarts: o.maxRestarts ?? 5,
    sessions: Array.from({ length: replicas }, (_, i) => {
      const session = `acme-${name}-${i + 1}`;
      const workspace = ws && o.isolation ? `${ws}-${i + 1}` : ws;
      return {
        session,
        service: name,
        replica: i + 1,
        agent: "claude",
        hash: HASH,
        summary: {},
        start: startOf(session, workspace ? `/srv/acme.worktrees/${workspace}` : ROOT),
        resume: "claude --continue",
        resumeArgv: ["claude", "--continue"],
        workspace,
        prompt: "go",
      };
    }),
  };
}

const ws = (name: string, o: Partial<DesiredWorkspace> = {}): DesiredWorkspace => ({ name, branch: `amux/${name}`, base: null, setup: null, ...o });
const desired = (services: DesiredService[], workspaces: DesiredWorkspace[]): DesiredState => ({
  project: "acme",
  root: ROOT,
  services,
  workspaces,
  logCap: { maxBytes: 1024, keep: 4 },
});
const seen = (list: Partial<ObservedWorkspace>[], o: Partial<ObservedWorkspaces> = {}): ObservedWorkspaces => ({
  git: true,
  current: "main",
  list: list.map((w) => ({ name: "team", dir: `/srv/acme.worktrees/${w.name ?? "team"}`, state: "missing", setup: null, ...w })),
  ...o,
});

function live(name: string, service: string, replica: number, extra: Labels = {}, over: Partial<ObservedSession> = {}): ObservedSession {
  return {
    name,
    createdAt: NOW - 60_000,
    paneId: "%1",
    pid: 42,
    dead: false,
    exitCode: null,
    deadAt: null,
    activityAt: NOW,
    cwd: ROOT,
    labels: { root: ROOT, project: "acme", service, replica: String(replica), agent: "claude", hash: HASH, ...extra },
    ...over,
  };
}

describe("ensure-workspace: planned when a session action needs a workspace that is not ready", () => {
  it.each<{ what: string; d: DesiredState; obs: ObservedState; text: string }>([
    {
      what: "a missing worktree: a new branch from the current one, before the replicas in it (once for a shared workspace)",
      d: desired([service("auth", "team", { replicas: 2 })], [ws("team")]),
      obs: { sessions: [], workspaces: seen([{ name: "team" }]) },
      text: ["+ workspace team (branch amux/team from main)", "+ create acme-auth-1 (scale 0 -> 2)", "+ create acme-auth-2 (scale 0 -> 2)"].join("\n"),
    },
    {
      what: "a declared base wins over the current branch",
      d: desired([service("auth", "team")], [ws("team", { branch: "feature/x", base: "v1.2" })]),
      obs: { sessions: [], workspaces: seen([{ name: "team" }]) },
      text: ["+ workspace team (branch feature/x from v1.2)", "+ create acme-auth-1 (scale 0 -> 1)"].join("\n"),
    },
    {
      what: "a detached checkout: the new branch starts from HEAD",
      d: desired([service("auth", "team")], [ws("team")]),
      obs: { sessions: [], workspaces: seen([{ name: "team" }], { current: null }) },
      text: ["+ workspace team (branch amux/team from HEAD)", "+ create acme-auth-1 (scale 0 -> 1)"].join("\n"),
    },
    {
      what: "a branch that exists already is checked out, not made",
      d: desired([service("auth", "team")], [ws("team")]),
      obs: { sessions: [], workspaces: seen([{ name: "team", branchExists: true }]) },
      text: ["+ workspace team (existing branch amux/team)", "+ create acme-auth-1 (scale 0 -> 1)"].join("\n"),
    },
    {
      what: "outside git: a folder; with a setup that has not run, the setup too",
      d: desired([service("auth", "team")], [ws("team", { setup: "npm ci" })]),
      obs: { sessions: [], workspaces: seen([{ name: "team" }], { git: false, current: null }) },
      text: ["+ workspace team (folder, then setup)", "+ create acme-auth-1 (scale 0 -> 1)"].join("\n"),
    },
    {
      what: "isolation: replica: one workspace per replica",
      d: desired([service("x", "fx", { replicas: 2, isolation: true })], [ws("fx-1"), ws("fx-2")]),
      obs: { sessions: [], workspaces: seen([{ name: "fx-1" }, { name: "fx-2", branchExists: true }]) },
      text: [
        "+ workspace fx-1 (branch amux/fx-1 from main)",
        "+ workspace fx-2 (existing branch amux/fx-2)",
        "+ create acme-x-1 (scale 0 -> 2)",
        "+ create acme-x-2 (scale 0 -> 2)",
      ].join("\n"),
    },
    {
      what: "a ready workspace needs nothing",
      d: desired([service("auth", "team")], [ws("team", { setup: "npm ci" })]),
      obs: { sessions: [], workspaces: seen([{ name: "team", state: "ready", setup: "npm ci" }]) },
      text: "+ create acme-auth-1 (scale 0 -> 1)",
    },
    {
      what: "a ready workspace whose setup has not succeeded: the setup runs (~)",
      d: desired([service("auth", "team")], [ws("team", { setup: "npm ci" })]),
      obs: { sessions: [], workspaces: seen([{ name: "team", state: "ready", setup: null }]) },
      text: ["~ workspace team (setup not done)", "+ create acme-auth-1 (scale 0 -> 1)"].join("\n"),
    },
    {
      what: "a changed setup runs again",
      d: desired([service("auth", "team")], [ws("team", { setup: "npm ci --force" })]),
      obs: { sessions: [], workspaces: seen([{ name: "team", state: "ready", setup: "npm ci" }]) },
      text: ["~ workspace team (setup changed)", "+ create acme-auth-1 (scale 0 -> 1)"].join("\n"),
    },
    {
      what: "no session action, no workspace step: a missing workspace of a running replica is left to the next start",
      d: desired([service("auth", "team")], [ws("team")]),
      obs: { sessions: [live("acme-auth-1", "auth", 1)], workspaces: seen([{ name: "team" }]) },
      text: "nothing to do, 1 session up to date",
    },
    {
      what: "a removal needs no workspace",
      d: desired([service("auth", "team", { replicas: 0 })], [ws("team")]),
      obs: { sessions: [live("acme-auth-1", "auth", 1)], workspaces: seen([{ name: "team" }]) },
      text: "- remove acme-auth-1 (scale 1 -> 0)",
    },
    {
      what: "a folder amux did not make holds the path: a conflict, and the replica is not started there",
      d: desired([service("auth", "team"), service("web", null)], [ws("team")]),
      obs: { sessions: [], workspaces: seen([{ name: "team", state: "foreign", why: "a plain folder" }]) },
      text: [
        "+ create acme-web-1 (scale 0 -> 1)",
        "! conflict acme-auth-1: workspace team: /srv/acme.worktrees/team is a plain folder, not a workspace amux made; left alone, acme-auth-1 not created",
      ].join("\n"),
    },
    {
      what: "the conflict names what was not done: a recreate",
      d: desired([service("auth", "team")], [ws("team")]),
      obs: { sessions: [live("acme-auth-1", "auth", 1, { hash: "v2:old" })], workspaces: seen([{ name: "team", state: "foreign", why: "a symbolic link" }]) },
      text: [
        "! conflict acme-auth-1: workspace team: /srv/acme.worktrees/team is a symbolic link, not a workspace amux made; left alone, acme-auth-1 not recreated",
        "nothing to do, 0 sessions up to date",
      ].join("\n"),
    },
    {
      what: "workspaces not looked at (the watcher's quick look): no workspace steps",
      d: desired([service("auth", "team")], [ws("team")]),
      obs: { sessions: [] },
      text: "+ create acme-auth-1 (scale 0 -> 1)",
    },
  ])("$what", ({ d, obs, text }) => {
    expect(formatPlan(planConvergence(d, obs, { removeOrphans: false, only: [], now: NOW }))).toBe(text);
  });

  it("the step carries the request: workspace, branch and base; --json lists it apart from the session actions", () => {
    const plan = planConvergence(
      desired([service("auth", "team")], [ws("team")]),
      { sessions: [], workspaces: seen([{ name: "team" }]) },
      { removeOrphans: false, only: [], now: NOW },
    );
    expect(plan.workspaces).toEqual([
      { action: "ensure-workspace", workspace: "team", make: true, reason: "branch amux/team from main", branch: "amux/team", base: "main" },
    ]);
    expect(plan.actions.map((a) => (a.action === "remove" ? null : a.workspace))).toEqual(["team"]);
    const json = planJson(plan);
    expect(json.actions.map((a) => a.action)).toEqual(["create"]);
    expect(json.workspaces).toEqual([
      { action: "ensure-workspace", workspace: "team", branch: "amux/team", base: "main", reason: "branch amux/team from main" },
    ]);
  });

  it("amux start plans the workspace of a replica it creates", () => {
    const d = desired([service("auth", "team")], [ws("team")]);
    const plan = planManual("start", d, { sessions: [], workspaces: seen([{ name: "team" }]) }, { declared: ["acme-auth-1"], other: [] }, { now: NOW });
    expect(formatPlan(plan)).toBe(["+ workspace team (branch amux/team from main)", "+ create acme-auth-1 (started by amux start)"].join("\n"));
  });
});

describe("restart numbers and labels come from the planner", () => {
  const dead = (restarts: string, code = 1) => live("acme-auth-1", "auth", 1, { restarts }, { dead: true, pid: null, exitCode: code, deadAt: NOW - 120_000 });
  const restartOf = (p: { actions: unknown[] }) => p.actions[0] as RestartAction;

  it.each<{ what: string; restarts: string; want: number }>([
    { what: "a first policy restart is number 1", restarts: "0", want: 1 },
    { what: "the count goes on from the session's label", restarts: "3", want: 4 },
    { what: "a garbled label counts as 0", restarts: "x", want: 1 },
  ])("$what", ({ restarts, want }) => {
    const d = desired([service("auth", null, { restart: "on-failure" })], []);
    const a = restartOf(planConvergence(d, { sessions: [dead(restarts)] }, { removeOrphans: false, only: [], now: NOW, fresh: true }));
    expect(a.action).toBe("restart");
    expect(a.restarts).toBe(want);
    expect(a.labels).toEqual({ restarts: String(want), resumed: "" });
    expect(a.log).toEqual({ file: `${ROOT}/.amux/logs/acme-auth-1.log`, rotate: false, keep: 4, cap: { maxBytes: 1024, keep: 4 } });
    expect(a.start?.argv).toEqual(["claude"]);
  });

  it("a resumed restart runs the resume command and stamps @amux-resumed with the plan's time", () => {
    const d = desired([service("auth", null, { restart: "always" })], []);
    const a = restartOf(planConvergence(d, { sessions: [dead("1", 0)] }, { removeOrphans: false, only: [], now: NOW }));
    expect(a.reason).toBe("exited with 0; restart: always, 2 of 5; resumed");
    expect(a.labels).toEqual({ restarts: "2", resumed: new Date(NOW).toISOString() });
    expect(a.start?.argv).toEqual(["claude", "--continue"]);
  });

  it("a person's restart starts the count again at 0", () => {
    const d = desired([service("auth", null)], []);
    const a = restartOf(planManual("restart", d, { sessions: [dead("4")] }, { declared: ["acme-auth-1"], other: [] }, { fresh: true, now: NOW }));
    expect([a.restarts, a.labels.restarts]).toEqual([0, "0"]);
  });

  it("an `amux run` session restarts as tmux kept it, its log appended to", () => {
    const d = desired([], []);
    const run = live("claude-1", "", 0, {}, { dead: true, exitCode: 1, deadAt: NOW });
    run.labels = { root: ROOT, project: "acme", agent: "claude" };
    const a = restartOf(planManual("start", d, { sessions: [run] }, { declared: [], other: ["claude-1"] }, { now: NOW }));
    expect(a).toMatchObject({
      start: null,
      restarts: 0,
      labels: { restarts: "0" },
      log: { file: `${ROOT}/.amux/logs/claude-1.log`, rotate: false, keep: 4 },
    });
  });

  it("a create rotates the log and carries the prompt", () => {
    const d = desired([service("auth", null)], []);
    const a = planConvergence(d, { sessions: [] }, { removeOrphans: false, only: [], now: NOW }).actions[0];
    expect(a).toMatchObject({ action: "create", log: { rotate: true, keep: 4 }, prompt: "go", workspace: null });
  });
});
