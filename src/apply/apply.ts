import type { SpawnBuild } from "../desired/spawn.js";
import type { Action } from "../plan/types.js";
import type { LogCap } from "../tmux/log-writer.js";
import { createLine, killLine, respawnAsStartedLine, respawnLine, runBatch, type ServerSetup, withScripts } from "../tmux/ops.js";
import { ensureScripts } from "../tmux/scripts.js";
import type { SessionCreate } from "../tmux/types.js";

/** What happened to each action. */
export interface ApplyResult {
  done: Action[];
  failed: { action: Action; error: string }[];
  /** The server's digest key after the batch (null when the batch made no session). */
  key: string | null;
}

export interface ApplyHooks {
  /** Before tmux runs: workspaces, log rotation. May fail an action. */
  prepare(a: Action): Promise<void>;
  /** Restarts so far, to count the next one. */
  restartsOf(a: Action): number;
  /** Log of a session restarted as it was started (no spawn spec: an `amux run` session). */
  logOf?(a: Action): { file: string; cap?: LogCap | undefined };
  onStart?(a: Action): void;
  onDone?(a: Action, error?: string): void;
}

/** Whether an action resumes the agent's conversation (the plan says so and the agent can). */
function resumes(a: Action, b: SpawnBuild): boolean {
  return !!a.resume && b.resumeArgv !== null;
}

/** `@amux-resumed`: when the running agent was started by its resume command ("" = started afresh). */
function resumedLabel(a: Action, b: SpawnBuild): string {
  return resumes(a, b) ? new Date().toISOString() : "";
}

/** The creation request for an action: the resume command instead of the agent's own when it resumes. */
function startOf(a: Action, b: SpawnBuild): SessionCreate {
  if (!resumes(a, b)) return b.create;
  return { ...b.create, argv: b.resumeArgv as string[], labels: { ...b.create.labels, resumed: resumedLabel(a, b) } };
}

/**
 * Runs a plan: no decisions, only what the plan says. Preparation (workspaces) happens per
 * action first; then every tmux change of the whole plan goes to ONE tmux process, each action
 * on its own line so that one failure does not stop the others.
 */
export async function applyPlan(actions: Action[], builds: Map<string, SpawnBuild>, hooks: ApplyHooks, setup: ServerSetup): Promise<ApplyResult> {
  const failed: ApplyResult["failed"] = [];
  const ready: { action: Action; line: string }[] = [];
  for (const a of actions) {
    hooks.onStart?.(a);
    try {
      if (a.action !== "remove") await hooks.prepare(a);
    } catch (e) {
      failed.push({ action: a, error: (e as Error).message });
      hooks.onDone?.(a, (e as Error).message);
      continue;
    }
    const b = builds.get(a.session);
    const log = hooks.logOf?.(a);
    if (a.action === "remove") ready.push({ action: a, line: killLine(a.session) });
    else if (!b && a.action === "restart" && log) {
      const restarts = a.restarts ?? hooks.restartsOf(a) + 1;
      ready.push({ action: a, line: respawnAsStartedLine(a.session, log.file, { restarts: String(restarts) }, log.cap, ensureScripts(log.file)) });
    } else if (!b) failed.push({ action: a, error: "no spawn spec (internal)" });
    else if (a.action === "create") ready.push({ action: a, line: createLine(withScripts(startOf(a, b))) });
    else if (a.action === "recreate") ready.push({ action: a, line: `${killLine(a.session)} ; ${createLine(withScripts(b.create))}` });
    else {
      const restarts = a.restarts ?? hooks.restartsOf(a) + 1;
      ready.push({ action: a, line: respawnLine(withScripts(startOf(a, b)), { restarts: String(restarts), resumed: resumedLabel(a, b) }) });
    }
  }
  const r = await runBatch(
    ready.map((x) => ({ name: x.action.session, line: x.line })),
    ready.some((x) => x.action.action !== "remove") ? setup : undefined,
  );
  const ok = new Set(r.ok);
  const done: Action[] = [];
  for (const x of ready) {
    if (ok.has(x.action.session)) {
      done.push(x.action);
      hooks.onDone?.(x.action);
    } else {
      const error = r.failed.find((f) => f.name === x.action.session)?.error ?? "tmux did not confirm";
      failed.push({ action: x.action, error });
      hooks.onDone?.(x.action, error);
    }
  }
  return { done, failed, key: r.key };
}
