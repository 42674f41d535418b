import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/apply/apply.js";
import type { Effects, TmuxLine, WorkspaceRequest } from "../../../src/apply/effects.js";
import type { Action, LogStep, Plan, WorkspaceAction } from "../../../src/plan/types.js";
import type { ServerSetup } from "../../../src/tmux/ops.js";
import type { SessionCreate } from "../../../src/tmux/types.js";

// apply translates a plan into requests, and decides nothing: a plan goes in, and these tests
// assert the exact tmux lines, workspace requests and log steps that come out, through a
// recording stand-in for the effects (the e2e suite runs the same lines against real tmux).

const LOGS = "/srv/acme/.amux/logs";
const SETUP: ServerSetup = { key: "k1", unsetEnvironment: [] };

interface Recorded {
  calls: string[];
  batches: { lines: TmuxLine[]; setup: ServerSetup | undefined }[];
}

/** Records every request; tmux confirms every line except those named in `tmuxFails`; git refuses workspaces named in `gitFails`. */
function recording(o: { tmuxFails?: Record<string, string>; gitFails?: Record<string, string> } = {}): Effects & Recorded {
  const calls: string[] = [];
  const batches: Recorded["batches"] = [];
  return {
    calls,
    batches,
    tmux: {
      runBatch: async (lines, setup) => {
        batches.push({ lines, setup });
        calls.push(`tmux batch of ${lines.length}${setup ? " with setup" : ""}`);
        const failed = lines.filter((l) => o.tmuxFails?.[l.name] !== undefined).map((l) => ({ name: l.name, error: o.tmuxFails?.[l.name] as string }));
        return { ok: lines.filter((l) => o.tmuxFails?.[l.name] === undefined).map((l) => l.name), failed, key: setup ? setup.key : null };
      },
    },
    git: {
      ensureWorkspace: async (r: WorkspaceRequest) => {
        calls.push(`workspace ${r.name} branch=${r.branch} base=${r.base}`);
        const e = o.gitFails?.[r.name];
        if (e !== undefined) throw new Error(e);
        return { dir: `/srv/acme.worktrees/${r.name}` };
      },
    },
    files: {
      prepareLog: (s: LogStep) => {
        calls.push(`log ${s.file} ${s.rotate ? `rotate keep ${s.keep}` : "append"}`);
      },
      scripts: (logFile: string) => {
        calls.push(`scripts beside ${logFile}`);
        return { agent: `${LOGS}/.amux-agent.sh`, log: `${LOGS}/.amux-log.sh` };
      },
    },
  };
}

function start(session: string, over: Partial<SessionCreate> = {}): SessionCreate {
  return {
    name: session,
    cwd: "/srv/acme.worktrees/team",
    argv: ["claude", "--model", "x y"],
    env: { MODE: "fast" },
    labels: { root: "/srv/acme", service: "auth", hash: "v2:abc", restarts: "0" },
    logFile: `${LOGS}/${session}.log`,
    logCap: { maxBytes: 1_048_576, keep: 3 },
    ...over,
  };
}

const log = (session: string, rotate: boolean): LogStep => ({ file: `${LOGS}/${session}.log`, rotate, keep: 3, cap: { maxBytes: 1_048_576, keep: 3 } });
const base = (session: string, replica: number) => ({ session, service: "auth", replica });

const WS: WorkspaceAction = {
  action: "ensure-workspace",
  workspace: "team",
  make: true,
  reason: "branch amux/team from main",
  branch: "amux/team",
  base: "main",
};
const CREATE: Action = {
  action: "create",
  ...base("acme-auth-1", 1),
  reason: "scale 0 -> 1",
  start: start("acme-auth-1"),
  log: log("acme-auth-1", true),
  workspace: "team",
  prompt: null,
};
const RECREATE: Action = {
  action: "recreate",
  ...base("acme-auth-2", 2),
  reason: "environment.MODE changed",
  start: start("acme-auth-2", { cwd: "/srv/acme", env: {} }),
  log: log("acme-auth-2", true),
  workspace: null,
  prompt: null,
};
const RESTART: Action = {
  action: "restart",
  ...base("acme-auth-3", 3),
  reason: "exited with 1; restart: on-failure, 2 of 5; resumed",
  resume: true,
  command: "claude --continue",
  restarts: 2,
  start: start("acme-auth-3", { argv: ["claude", "--continue"] }),
  labels: { restarts: "2", resumed: "2023-11-14T22:13:20.000Z" },
  log: log("acme-auth-3", false),
  workspace: "team",
  prompt: null,
};
const RUN_RESTART: Action = {
  action: "restart",
  session: "claude-1",
  service: "",
  replica: 0,
  reason: "restarted by amux restart",
  restarts: 0,
  start: null,
  labels: { restarts: "0" },
  log: log("claude-1", false),
  workspace: null,
  prompt: null,
};
const REMOVE: Action = { action: "remove", ...base("acme-auth-4", 4), reason: "scale 4 -> 3" };

const plan = (workspaces: WorkspaceAction[], actions: Action[]): Pick<Plan, "workspaces" | "actions"> => ({ workspaces, actions });

const PIPE = (session: string) => `pipe-pane -o -t =${session}: "set -- '${LOGS}/${session}.log' 1048576 3; . '${LOGS}/.amux-log.sh'"`;
const UNSET_PANE = (s: string) =>
  `set-option -p -u -t =${s}: @amux-exit ; set-option -p -u -t =${s}: @amux-reported ; set-option -p -u -t =${s}: @amux-progress`;

describe("applyPlan: a plan in, the exact requests out", () => {
  it("every kind of action: the workspace first, then each log step, then ONE tmux batch with the server setup, a line per action", async () => {
    const fx = recording();
    const r = await applyPlan(plan([WS], [CREATE, RECREATE, RESTART, RUN_RESTART, REMOVE]), fx, SETUP);
    expect(fx.calls).toEqual([
      "workspace team branch=amux/team base=main",
      `log ${LOGS}/acme-auth-1.log rotate keep 3`,
      `scripts beside ${LOGS}/acme-auth-1.log`,
      `log ${LOGS}/acme-auth-2.log rotate keep 3`,
      `scripts beside ${LOGS}/acme-auth-2.log`,
      `log ${LOGS}/acme-auth-3.log append`,
      `scripts beside ${LOGS}/acme-auth-3.log`,
      `log ${LOGS}/claude-1.log append`,
      `scripts beside ${LOGS}/claude-1.log`,
      "tmux batch of 5 with setup",
    ]);
    expect(fx.batches).toHaveLength(1);
    expect(fx.batches[0]?.setup).toEqual(SETUP);
    expect(fx.batches[0]?.lines).toEqual([
      {
        name: "acme-auth-1",
        line: [
          'new-session -d -s acme-auth-1 -x 200 -y 50 -c /srv/acme.worktrees/team -e MODE=fast -- claude --model "x y"',
          "set-option -w -t =acme-auth-1: remain-on-exit on",
          "set-option -t =acme-auth-1: @amux-root /srv/acme",
          "set-option -t =acme-auth-1: @amux-service auth",
          "set-option -t =acme-auth-1: @amux-hash v2:abc",
          "set-option -t =acme-auth-1: @amux-restarts 0",
          PIPE("acme-auth-1"),
        ].join(" ; "),
      },
      {
        // A recreate is one group: the kill, then the creation, so a failed kill makes nothing.
        name: "acme-auth-2",
        line: [
          "kill-session -t =acme-auth-2",
          'new-session -d -s acme-auth-2 -x 200 -y 50 -c /srv/acme -- claude --model "x y"',
          "set-option -w -t =acme-auth-2: remain-on-exit on",
          "set-option -t =acme-auth-2: @amux-root /srv/acme",
          "set-option -t =acme-auth-2: @amux-service auth",
          "set-option -t =acme-auth-2: @amux-hash v2:abc",
          "set-option -t =acme-auth-2: @amux-restarts 0",
          PIPE("acme-auth-2"),
        ].join(" ; "),
      },
      {
        // The restart number, state and resume stamp are the plan's: apply adds nothing.
        name: "acme-auth-3",
        line: [
          UNSET_PANE("acme-auth-3"),
          "respawn-pane -k -t =acme-auth-3: -c /srv/acme.worktrees/team -e MODE=fast -- claude --continue",
          "set-option -t =acme-auth-3: @amux-restarts 2",
          "set-option -t =acme-auth-3: @amux-resumed 2023-11-14T22:13:20.000Z",
          "pipe-pane -t =acme-auth-3:",
          PIPE("acme-auth-3"),
        ].join(" ; "),
      },
      {
        // No spawn spec (an `amux run` session): respawned with what tmux kept for it.
        name: "claude-1",
        line: [
          UNSET_PANE("claude-1"),
          "respawn-pane -k -t =claude-1:",
          "set-option -t =claude-1: @amux-restarts 0",
          "pipe-pane -t =claude-1:",
          PIPE("claude-1"),
        ].join(" ; "),
      },
      { name: "acme-auth-4", line: "kill-session -t =acme-auth-4" },
    ]);
    expect(r.done.map((a) => a.session)).toEqual(["acme-auth-1", "acme-auth-2", "acme-auth-3", "claude-1", "acme-auth-4"]);
    expect(r.failed).toEqual([]);
    expect(r.workspaces).toEqual({ done: [WS], failed: [] });
    expect(r.key).toBe("k1");
  });

  it("a workspace that cannot be made fails the sessions in it with its error; nothing of theirs reaches tmux or the logs", async () => {
    const fx = recording({ gitFails: { team: "workspace team: setup command failed with exit 3" } });
    const done: string[] = [];
    const r = await applyPlan(plan([WS], [CREATE, RECREATE, RESTART]), fx, SETUP, { onDone: (a, e) => done.push(`${a.session}: ${e ?? "ok"}`) });
    expect(fx.calls).toEqual([
      "workspace team branch=amux/team base=main",
      `log ${LOGS}/acme-auth-2.log rotate keep 3`,
      `scripts beside ${LOGS}/acme-auth-2.log`,
      "tmux batch of 1 with setup",
    ]);
    expect(fx.batches[0]?.lines.map((l) => l.name)).toEqual(["acme-auth-2"]);
    expect(r.failed.map((f) => `${f.action.session}: ${f.error}`)).toEqual([
      "acme-auth-1: workspace team: setup command failed with exit 3",
      "acme-auth-3: workspace team: setup command failed with exit 3",
    ]);
    expect(r.workspaces.failed).toEqual([{ action: WS, error: "workspace team: setup command failed with exit 3" }]);
    expect(done).toEqual([
      "acme-auth-1: workspace team: setup command failed with exit 3",
      "acme-auth-3: workspace team: setup command failed with exit 3",
      "acme-auth-2: ok",
    ]);
  });

  it("removals only: one batch without the server setup (removing makes nothing to set up)", async () => {
    const fx = recording();
    const r = await applyPlan(plan([], [REMOVE]), fx, SETUP);
    expect(fx.calls).toEqual(["tmux batch of 1"]);
    expect(fx.batches[0]).toEqual({ lines: [{ name: "acme-auth-4", line: "kill-session -t =acme-auth-4" }], setup: undefined });
    expect(r.key).toBeNull();
  });

  it("a line tmux did not confirm fails that action alone, with tmux's words", async () => {
    const fx = recording({ tmuxFails: { "acme-auth-2": "duplicate session: acme-auth-2" } });
    const r = await applyPlan(plan([], [CREATE, RECREATE, REMOVE]), fx, SETUP);
    expect(r.done.map((a) => a.session)).toEqual(["acme-auth-1", "acme-auth-4"]);
    expect(r.failed.map((f) => `${f.action.session}: ${f.error}`)).toEqual(["acme-auth-2: duplicate session: acme-auth-2"]);
  });

  it("an empty plan asks nothing of anyone", async () => {
    const fx = recording();
    expect(await applyPlan(plan([], []), fx, SETUP)).toEqual({ done: [], failed: [], workspaces: { done: [], failed: [] }, key: null });
    expect(fx.calls).toEqual([]);
  });
});
