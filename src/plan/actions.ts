import { DEFAULT_HISTORY } from "../history.js";
import { logFile } from "../state/paths.js";
import type { LogCap } from "../tmux/log-writer.js";
import type { SessionCreate } from "../tmux/types.js";
import { foreignMessage } from "../workspace/paths.js";
import type {
  Action,
  DesiredSession,
  DesiredState,
  DesiredWorkspace,
  LogStep,
  Note,
  ObservedState,
  ObservedWorkspace,
  ObservedWorkspaces,
  Plan,
  RestartAction,
  StartAction,
  WorkspaceAction,
} from "./types.js";

/** Whether a start continues the agent's conversation: it has a resume command and the user did not ask for a fresh start. */
export interface ResumeChoice {
  resume: boolean;
  /** Stamped as `@amux-resumed` on a resumed start (ms since the epoch). */
  now: number;
}

/** The request with the resume command in place of the agent's own, when the start resumes. */
function resumed(d: DesiredSession, r: ResumeChoice): { start: SessionCreate; extra: Pick<Action, "resume" | "command">; stamp: string } {
  if (!r.resume || !d.resume) return { start: d.start, extra: {}, stamp: "" };
  const stamp = new Date(r.now).toISOString();
  const start = d.resumeArgv ? { ...d.start, argv: d.resumeArgv, labels: { ...d.start.labels, resumed: stamp } } : d.start;
  return { start, extra: { resume: true, command: d.resume }, stamp };
}

function logStep(file: string, rotate: boolean, cap: LogCap | undefined): LogStep {
  return { file, rotate, keep: cap?.keep ?? DEFAULT_HISTORY.logKeep, cap };
}

/** Create or recreate replica `d`: a new session with a new log (the previous one moves aside). */
export function startAction(kind: "create" | "recreate", d: DesiredSession, reason: string, r: ResumeChoice = { resume: false, now: 0 }): StartAction {
  const x = resumed(d, r);
  return {
    action: kind,
    session: d.session,
    service: d.service,
    replica: d.replica,
    reason: x.extra.resume ? `${reason}; resumed` : reason,
    ...x.extra,
    ...(d.host ? { host: d.host } : {}),
    start: x.start,
    log: logStep(d.start.logFile, true, d.start.logCap),
    workspace: d.workspace ?? null,
    prompt: d.prompt ?? null,
  };
}

/** Restart replica `d`'s pane in place, carrying `restarts` afterwards; its log goes on. */
export function restartAction(d: DesiredSession, reason: string, restarts: number, r: ResumeChoice): RestartAction {
  const x = resumed(d, r);
  return {
    action: "restart",
    session: d.session,
    service: d.service,
    replica: d.replica,
    reason: x.extra.resume ? `${reason}; resumed` : reason,
    ...x.extra,
    ...(d.host ? { host: d.host } : {}),
    restarts,
    start: x.start,
    labels: { restarts: String(restarts), resumed: x.stamp },
    log: logStep(d.start.logFile, false, d.start.logCap),
    workspace: d.workspace ?? null,
    prompt: d.prompt ?? null,
  };
}

/** Restart a session amux keeps no spawn spec for (`amux run`) with what tmux kept for it. */
export function restartAsStarted(
  desired: DesiredState,
  s: { session: string; service: string; replica: number },
  reason: string,
  restarts: number,
  host: string | null = null,
): RestartAction {
  // A session on a host has its log under that host's checkout.
  const root = host === null ? desired.root : (desired.hostRoots?.[host] ?? desired.root);
  return {
    action: "restart",
    ...s,
    reason,
    ...(host === null ? {} : { host }),
    restarts,
    start: null,
    labels: { restarts: String(restarts) },
    log: logStep(logFile(root, s.session), false, desired.logCap),
    workspace: null,
    prompt: null,
  };
}

/**
 * What a workspace needs before sessions start in it: made (worktree on its branch, from its base;
 * a folder outside git) when missing, its setup run when it has not succeeded there. Nothing when
 * it is ready.
 */
export function ensureWorkspaceAction(d: DesiredWorkspace, o: ObservedWorkspace, all: ObservedWorkspaces): WorkspaceAction | null {
  const setupDue = d.setup !== null && o.setup !== d.setup;
  if (o.state === "ready") {
    if (!setupDue) return null;
    return {
      action: "ensure-workspace",
      workspace: d.name,
      make: false,
      reason: o.setup === null ? "setup not done" : "setup changed",
      branch: null,
      base: null,
    };
  }
  const then = setupDue ? ", then setup" : "";
  if (!all.git) return { action: "ensure-workspace", workspace: d.name, make: true, reason: `folder${then}`, branch: null, base: null };
  if (o.branchExists)
    return { action: "ensure-workspace", workspace: d.name, make: true, reason: `existing branch ${d.branch}${then}`, branch: d.branch, base: null };
  const base = d.base ?? all.current ?? "HEAD";
  return { action: "ensure-workspace", workspace: d.name, make: true, reason: `branch ${d.branch} from ${base}${then}`, branch: d.branch, base };
}

const PAST = { create: "created", recreate: "recreated", restart: "restarted" } as const;

/**
 * The workspace steps a plan's session actions need, each once and first; a replica whose
 * workspace path holds something amux did not make is not started (a conflict note instead).
 * Without observed workspaces (not looked at), the plan stays as it is.
 */
export function withWorkspaces(plan: Omit<Plan, "workspaces">, desired: DesiredState, observed: ObservedState, verb?: string): Plan {
  const seen = observed.workspaces;
  // A host's workspaces are not looked at from here: each one a replica starting there needs is
  // made there when missing (its effects check it in the same round trip), once per plan.
  const onHosts = new Map((desired.hostWorkspaces ?? []).map((w) => [`${w.host}\0${w.name}`, w]));
  const hostSteps: WorkspaceAction[] = [];
  const hostPlanned = new Set<string>();
  for (const a of plan.actions) {
    if (a.action === "remove" || !a.host || !a.workspace) continue;
    const k = `${a.host}\0${a.workspace}`;
    const d = onHosts.get(k);
    if (!d || hostPlanned.has(k)) continue;
    hostPlanned.add(k);
    const then = d.setup !== null ? ", then setup once" : "";
    hostSteps.push({
      action: "ensure-workspace",
      workspace: d.name,
      host: a.host,
      make: true,
      reason: `on host ${a.host}: made there when missing, branch ${d.branch}${d.base ? ` from ${d.base}` : ""}${then}`,
      branch: d.branch,
      base: d.base,
    });
  }
  if (!seen) return { ...plan, workspaces: hostSteps };
  const obs = new Map(seen.list.map((w) => [w.name, w]));
  const want = new Map((desired.workspaces ?? []).map((w) => [w.name, w]));
  const workspaces: WorkspaceAction[] = [];
  const planned = new Set<string>();
  const actions: Action[] = [];
  const notes: Note[] = [...plan.notes];
  for (const a of plan.actions) {
    // A replica on a host has its workspace there, not among this machine's.
    if (a.action === "remove" || a.host) {
      actions.push(a);
      continue;
    }
    const name = a.workspace;
    const o = name ? obs.get(name) : undefined;
    const d = name ? want.get(name) : undefined;
    if (!name || !o || !d) {
      actions.push(a);
      continue;
    }
    if (o.state === "foreign") {
      notes.push({
        kind: "conflict",
        session: a.session,
        service: a.service,
        message: `workspace ${name}: ${foreignMessage(o.dir, o.why ?? "something else")}; left alone, ${a.session} not ${verb ?? PAST[a.action]}`,
      });
      continue;
    }
    if (!planned.has(name)) {
      planned.add(name);
      const w = ensureWorkspaceAction(d, o, seen);
      if (w) workspaces.push(w);
    }
    actions.push(a);
  }
  return { workspaces: [...workspaces, ...hostSteps], actions, notes, upToDate: plan.upToDate };
}
