import type { Action, Plan, WorkspaceAction } from "../plan/types.js";
import { createLine, killLine, recreateLine, respawnAsStartedLine, respawnLine, type ServerSetup } from "../tmux/ops.js";
import type { SessionCreate } from "../tmux/types.js";
import type { Effects, TmuxLine } from "./effects.js";

/** What happened to each action. */
export interface ApplyResult {
  done: Action[];
  failed: { action: Action; error: string }[];
  /** Workspace steps that held, and those that did not (the sessions in them then fail with their error). */
  workspaces: { done: WorkspaceAction[]; failed: { action: WorkspaceAction; error: string }[] };
  /** The server's digest key after the batch (null when the batch made no session). */
  key: string | null;
}

/** Progress, as it happens (printing only: nothing here decides). */
export interface ApplyProgress {
  onStart?(a: Action): void;
  onDone?(a: Action, error?: string): void;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Runs a plan, doing what each action says and nothing else. Workspaces first (the sessions in
 * one that could not be made fail with its error); then each session action's log step, and its
 * tmux line; every tmux line of the whole plan goes to ONE tmux process, each action on its own
 * line so that one failure does not stop the others.
 */
export async function applyPlan(
  plan: Pick<Plan, "actions" | "workspaces">,
  fx: Effects,
  setup: ServerSetup,
  progress: ApplyProgress = {},
): Promise<ApplyResult> {
  const workspaces: ApplyResult["workspaces"] = { done: [], failed: [] };
  const broken = new Map<string, string>();
  for (const w of plan.workspaces) {
    try {
      await fx.git.ensureWorkspace({ name: w.workspace, branch: w.branch, base: w.base });
      workspaces.done.push(w);
    } catch (e) {
      workspaces.failed.push({ action: w, error: message(e) });
      broken.set(w.workspace, message(e));
    }
  }
  const failed: ApplyResult["failed"] = [];
  const fail = (a: Action, error: string) => {
    failed.push({ action: a, error });
    progress.onDone?.(a, error);
  };
  const ready: { action: Action; line: TmuxLine }[] = [];
  let logsBroken: string | undefined;
  if (fx.files.prepareLogs) {
    const steps = plan.actions.flatMap((a) => (a.action === "remove" ? [] : [a.log]));
    if (steps.length) await fx.files.prepareLogs(steps).catch((e: unknown) => (logsBroken = message(e)));
  }
  for (const a of plan.actions) {
    progress.onStart?.(a);
    if (logsBroken !== undefined && a.action !== "remove") {
      fail(a, logsBroken);
      continue;
    }
    const blocked = a.action !== "remove" && a.workspace !== null ? broken.get(a.workspace) : undefined;
    if (blocked !== undefined) {
      fail(a, blocked);
      continue;
    }
    let line: string;
    try {
      line = tmuxLine(a, fx);
    } catch (e) {
      fail(a, message(e));
      continue;
    }
    ready.push({ action: a, line: { name: a.session, line } });
  }
  const r = ready.length
    ? await fx.tmux.runBatch(
        ready.map((x) => x.line),
        ready.some((x) => x.action.action !== "remove") ? setup : undefined,
      )
    : { ok: [], failed: [], key: null };
  const ok = new Set(r.ok);
  const done: Action[] = [];
  for (const x of ready) {
    if (ok.has(x.action.session)) {
      done.push(x.action);
      progress.onDone?.(x.action);
    } else fail(x.action, r.failed.find((f) => f.name === x.action.session)?.error ?? "tmux did not confirm");
  }
  return { done, failed, workspaces, key: r.key };
}

/** The action's tmux line, after its log step (the log must be there, private, before tmux pipes into it). */
function tmuxLine(a: Action, fx: Effects): string {
  const withScripts = (c: SessionCreate): SessionCreate => ({ ...c, scripts: fx.files.scripts(c.logFile) });
  switch (a.action) {
    case "remove":
      return killLine(a.session);
    case "create":
      if (!fx.files.prepareLogs) fx.files.prepareLog(a.log);
      return createLine(withScripts(a.start));
    case "recreate":
      if (!fx.files.prepareLogs) fx.files.prepareLog(a.log);
      return recreateLine(withScripts(a.start));
    case "restart":
      if (!fx.files.prepareLogs) fx.files.prepareLog(a.log);
      return a.start
        ? respawnLine(withScripts(a.start), a.labels)
        : respawnAsStartedLine(a.session, a.log.file, a.labels, a.log.cap, fx.files.scripts(a.log.file));
  }
}

/** The server a plan's action goes to: null for this machine's. */
export function actionHost(a: Action): string | null {
  return a.host ?? null;
}

/**
 * Runs a plan whose actions go to several servers: each server's share is applied through its own
 * effects (fxOf), one tmux batch per server, all servers at once. This machine's share takes the
 * workspace steps. A host without a setup (it was not observed) fails its actions; so does a
 * replica whose workspace is on a host when its effects cannot make one. Without hosts it is
 * exactly applyPlan.
 */
export async function applyAcrossHosts(
  plan: Pick<Plan, "actions" | "workspaces">,
  fxOf: (host: string | null) => Effects,
  setupOf: (host: string | null) => ServerSetup | undefined,
  progress: ApplyProgress = {},
): Promise<ApplyResult & { hostKeys: Map<string, string | null> }> {
  const groups = new Map<string, Action[]>();
  for (const a of plan.actions) {
    const h = actionHost(a);
    if (h === null) continue;
    const list = groups.get(h);
    if (list) list.push(a);
    else groups.set(h, [a]);
  }
  const localSetup = setupOf(null);
  if (!groups.size && localSetup) return { ...(await applyPlan(plan, fxOf(null), localSetup, progress)), hostKeys: new Map() };
  const local = plan.actions.filter((a) => actionHost(a) === null);
  const localWorkspaces = plan.workspaces.filter((w) => !w.host);
  const empty: ApplyResult = { done: [], failed: [], workspaces: { done: [], failed: [] }, key: null };
  const runs: Promise<ApplyResult & { host: string | null }>[] = [];
  if (local.length || localWorkspaces.length) {
    runs.push(
      localSetup
        ? applyPlan({ actions: local, workspaces: localWorkspaces }, fxOf(null), localSetup, progress).then((r) => ({ ...r, host: null }))
        : Promise.resolve({ ...failAll(local, "this machine's tmux server was not observed", progress), host: null }),
    );
  }
  for (const [host, actions] of groups) {
    const setup = setupOf(host);
    if (!setup) {
      runs.push(Promise.resolve({ ...failAll(actions, `host ${host} was not observed`, progress), host }));
      continue;
    }
    const fx = fxOf(host);
    const blocked = fx.git.canMakeWorkspaces ? [] : actions.filter((a) => a.action !== "remove" && a.workspace !== null);
    const rest = actions.filter((a) => !blocked.includes(a));
    const failed = failAll(
      blocked,
      `host ${host}: this amux cannot make workspaces on a host yet; the replica was not started (it would not run in its workspace)`,
      progress,
    );
    const workspaces = plan.workspaces.filter((w) => w.host === host);
    runs.push(
      (async () => {
        // Another controller converging the same host's replicas: wait for none, do nothing there.
        let lease: { release(): Promise<void> } | undefined;
        try {
          lease = fx.tmux.hold ? await fx.tmux.hold() : undefined;
        } catch (e) {
          const f = failAll(rest, message(e), progress);
          return { ...f, failed: [...failed.failed, ...f.failed], host };
        }
        try {
          const r = await applyPlan({ actions: rest, workspaces }, fx, setup, progress);
          return { ...r, failed: [...failed.failed, ...r.failed], host };
        } finally {
          await lease?.release().catch(() => {});
        }
      })(),
    );
  }
  const results = await Promise.all(runs);
  const out: ApplyResult & { hostKeys: Map<string, string | null> } = { ...empty, workspaces: { done: [], failed: [] }, hostKeys: new Map() };
  for (const r of results) {
    out.done.push(...r.done);
    out.failed.push(...r.failed);
    out.workspaces.done.push(...r.workspaces.done);
    out.workspaces.failed.push(...r.workspaces.failed);
    if (r.host === null) out.key = r.key;
    else out.hostKeys.set(r.host, r.key);
  }
  return out;
}

function failAll(actions: Action[], error: string, progress: ApplyProgress): ApplyResult {
  const failed = actions.map((action) => {
    progress.onStart?.(action);
    progress.onDone?.(action, error);
    return { action, error };
  });
  return { done: [], failed, workspaces: { done: [], failed: [] }, key: null };
}
