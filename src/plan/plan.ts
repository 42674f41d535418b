import { replicaOf, restartsOf } from "../tmux/labels.js";
import type { ObservedSession } from "../tmux/types.js";
import type { Action, DesiredService, DesiredSession, DesiredState, Note, ObservedState, Plan, PlanOptions } from "./types.js";

/** First restart waits this long; each further one doubles it, up to the cap. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;

export function backoffMs(restarts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, restarts));
}

/** Names what differs between two spec summaries: "environment.MODE changed", "command changed". */
export function describeChange(before: Record<string, string> | undefined, after: Record<string, string>): string {
  if (!before) return "spawn spec changed";
  const changes: string[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const k of keys) {
    const a = before[k];
    const b = after[k];
    if (a === b) continue;
    if (a === undefined) changes.push(`${k} added`);
    else if (b === undefined) changes.push(`${k} removed`);
    else changes.push(`${k} changed`);
  }
  if (!changes.length) return "spawn spec changed";
  return changes.length > 3 ? `${changes.slice(0, 3).join(", ")} and ${changes.length - 3} more` : changes.join(", ");
}

function parseSummary(json: string | undefined): Record<string, string> | undefined {
  if (!json) return undefined;
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

export { restartsOf };

/**
 * The plan: what to create, recreate, remove and restart so that the live server matches the
 * compose file. Pure: everything it knows comes in as values.
 */
export function planConvergence(desired: DesiredState, observed: ObservedState, o: PlanOptions): Plan {
  const actions: Action[] = [];
  const notes: Note[] = [];
  const upToDate: string[] = [];
  const byName = new Map(observed.sessions.map((s) => [s.name, s]));
  const mine = observed.sessions.filter((s) => s.labels.root === desired.root && s.labels.service !== undefined);
  const declared = new Set(desired.services.map((s) => s.name));
  const inScope = (svc: string) => o.only.length === 0 || o.only.includes(svc);

  for (const svc of desired.services) {
    if (!inScope(svc.name)) continue;
    const wanted = new Set(svc.sessions.map((d) => d.session));
    const current = mine.filter((s) => s.labels.service === svc.name);
    const scaleReason = `scale ${current.length} -> ${svc.replicas}`;
    for (const d of svc.sessions) {
      const obs = byName.get(d.session);
      if (!obs && o.held?.has(d.session)) {
        notes.push({
          kind: "stopped",
          session: d.session,
          service: svc.name,
          message: `stopped by amux stop; \`amux start ${d.session}\` or \`amux up\` starts it again`,
        });
        continue;
      }
      if (!obs) {
        const reason = current.length !== svc.replicas ? scaleReason : "missing";
        if (o.previous?.has(d.session)) actions.push(withResume({ ...act("create", d), reason: `${reason}; was running before` }, d, o));
        else actions.push({ ...act("create", d), reason });
        continue;
      }
      if (obs.labels.root !== desired.root || obs.labels.service !== svc.name) {
        const whose = obs.labels.root ? `amux session of ${obs.labels.root}` : "a session not made by amux";
        notes.push({ kind: "conflict", session: d.session, service: svc.name, message: `${whose} holds the name; left alone, ${d.session} not created` });
        continue;
      }
      if (obs.labels.hash !== d.hash) {
        const recipe = (h: string | undefined) => h?.split(":")[0];
        const reason =
          recipe(obs.labels.hash) !== recipe(d.hash)
            ? `spawn spec recorded by another amux version (${recipe(obs.labels.hash) ?? "none"} -> ${recipe(d.hash)})`
            : describeChange(parseSummary(obs.labels.spec), d.summary);
        actions.push({ ...act("recreate", d), reason });
        continue;
      }
      if (obs.dead) {
        planDead(svc, d, obs, o, actions, notes);
        continue;
      }
      const stuck = o.stuck?.get(d.session);
      if (stuck !== undefined && svc.onStuck === "restart") {
        if (restartsOf(obs) >= svc.maxRestarts) {
          notes.push({ kind: "failed", session: d.session, service: svc.name, message: `stuck (${stuck}); gave up after ${restartsOf(obs)} restarts` });
        } else {
          actions.push(withResume({ ...act("restart", d), reason: `stuck (${stuck}); onStuck: restart, ${restartsOf(obs) + 1} of ${svc.maxRestarts}` }, d, o));
        }
        continue;
      }
      upToDate.push(d.session);
    }
    const extra = current.filter((s) => !wanted.has(s.name)).sort((a, b) => (replicaOf(b) ?? 0) - (replicaOf(a) ?? 0) || (a.name < b.name ? 1 : -1));
    for (const s of extra) {
      actions.push({ action: "remove", session: s.name, service: svc.name, replica: replicaOf(s) ?? 0, reason: scaleReason });
    }
  }

  const orphans = mine.filter((s) => !declared.has(s.labels.service as string)).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const s of orphans) {
    const service = s.labels.service as string;
    if (o.removeOrphans) {
      actions.push({
        action: "remove",
        session: s.name,
        service,
        replica: replicaOf(s) ?? 0,
        reason: `orphan: service ${service} is no longer declared`,
      });
    } else {
      notes.push({ kind: "orphan", session: s.name, service, message: `service ${service} is no longer declared; --remove-orphans removes it` });
    }
  }
  return { actions, notes, upToDate };
}

/**
 * A restart or re-creation continues the agent's conversation when its agent has a resume command
 * and the user did not ask for a fresh start. Only the command differs: the hash stays the same.
 */
export function withResume(a: Action, d: DesiredSession, o: Pick<PlanOptions, "fresh">): Action {
  if (o.fresh || !d.resume) return a;
  return { ...a, reason: `${a.reason}; resumed`, resume: true, command: d.resume };
}

function act(action: Action["action"], d: DesiredSession): Omit<Action, "reason"> {
  return { action, session: d.session, service: d.service, replica: d.replica };
}

function planDead(svc: DesiredService, d: DesiredSession, obs: ObservedSession, o: PlanOptions, actions: Action[], notes: Note[]): void {
  const now = o.now;
  if (obs.exitCode === null || obs.deadAt === null) {
    // tmux has not collected the exit status yet: decide on the next look.
    notes.push({ kind: "exited", session: d.session, service: svc.name, message: "exited (status not known yet)" });
    return;
  }
  const code = obs.exitCode;
  const restarts = restartsOf(obs);
  const wants = svc.restart === "always" || (svc.restart === "on-failure" && code !== 0);
  if (!wants) {
    notes.push({ kind: "exited", session: d.session, service: svc.name, message: `exited with ${code} (restart: ${svc.restart})` });
    return;
  }
  if (restarts >= svc.maxRestarts) {
    notes.push({
      kind: "failed",
      session: d.session,
      service: svc.name,
      message: `exited with ${code}; gave up after ${restarts} restarts (maxRestarts ${svc.maxRestarts})`,
    });
    return;
  }
  const due = (obs.deadAt ?? 0) + backoffMs(restarts);
  if (now < due) {
    notes.push({
      kind: "backoff",
      session: d.session,
      service: svc.name,
      message: `exited with ${code}; restart ${restarts + 1} of ${svc.maxRestarts} in ${Math.ceil((due - now) / 1000)}s`,
    });
    return;
  }
  actions.push(withResume({ ...act("restart", d), reason: `exited with ${code}; restart: ${svc.restart}, ${restarts + 1} of ${svc.maxRestarts}` }, d, o));
}

const SIGIL: Record<Action["action"], string> = { create: "+", recreate: "~", remove: "-", restart: "↻" };

/** What `plan` and `up` both say when a project is converged. */
export function nothingToDo(upToDate: number): string {
  return `nothing to do, ${upToDate} session${upToDate === 1 ? "" : "s"} up to date`;
}

/** The stable text form of a plan, one line per action, then notes. Used by `amux plan` and tests. */
export function formatPlan(plan: Plan): string {
  const lines = plan.actions.map((a) => `${SIGIL[a.action]} ${a.action} ${a.session} (${a.reason})`);
  for (const n of plan.notes) lines.push(`! ${n.kind} ${n.session}: ${n.message}`);
  if (!plan.actions.length) lines.push(nothingToDo(plan.upToDate.length));
  return lines.join("\n");
}
