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
  for (const a of plan.actions) {
    progress.onStart?.(a);
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
      fx.files.prepareLog(a.log);
      return createLine(withScripts(a.start));
    case "recreate":
      fx.files.prepareLog(a.log);
      return recreateLine(withScripts(a.start));
    case "restart":
      fx.files.prepareLog(a.log);
      return a.start
        ? respawnLine(withScripts(a.start), a.labels)
        : respawnAsStartedLine(a.session, a.log.file, a.labels, a.log.cap, fx.files.scripts(a.log.file));
  }
}
