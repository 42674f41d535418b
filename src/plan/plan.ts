import { exhausted, restartVerdict } from "../desired/restart.js";
import { replicaOf, restartsOf } from "../tmux/labels.js";
import type { ObservedSession } from "../tmux/types.js";
import { restartAction, startAction, withWorkspaces } from "./actions.js";
import type { Action, DesiredService, DesiredSession, DesiredState, Note, ObservedState, Plan, PlanOptions, WorkspaceAction } from "./types.js";

export { BACKOFF_BASE_MS, BACKOFF_CAP_MS, backoffMs } from "../desired/restart.js";

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
 * compose file, and the workspaces those need first. Each action carries all that apply needs
 * (the tmux request, labels, restart number, log step). Pure: everything it knows comes in as values.
 */
export function planConvergence(desired: DesiredState, observed: ObservedState, o: PlanOptions): Plan {
  const actions: Action[] = [];
  const notes: Note[] = [];
  const upToDate: string[] = [];
  // A name is in use on its own server only: sessions are told apart by host and name.
  const byName = new Map(observed.sessions.map((s) => [at(hostOf(s), s.name), s]));
  const mine = observed.sessions.filter((s) => s.labels.root === desired.root && s.labels.service !== undefined);
  const declared = new Set(desired.services.map((s) => s.name));
  const inScope = (svc: string) => o.only.length === 0 || o.only.includes(svc);
  const unreachable = new Map((observed.unreachable ?? []).map((u) => [u.host, u]));

  for (const svc of desired.services) {
    if (!inScope(svc.name)) continue;
    const wanted = new Set(svc.sessions.map((d) => d.session));
    const current = mine.filter((s) => s.labels.service === svc.name);
    const scaleReason = `scale ${current.length} -> ${svc.replicas}`;
    for (const d of svc.sessions) {
      const host = d.host ?? null;
      const away = host === null ? undefined : unreachable.get(host);
      if (away) {
        // Its host cannot be seen: whatever runs there keeps running, and nothing is made elsewhere.
        notes.push({
          kind: "unreachable",
          session: d.session,
          service: svc.name,
          message: `host ${away.host} (${away.destination}) cannot be reached: ${away.gist}; nothing done for it`,
        });
        continue;
      }
      const obs = byName.get(at(host, d.session));
      // The same replica on another server: the service moved. It goes there, and comes here.
      const moved = current.filter((s) => s.name === d.session && hostOf(s) !== host);
      for (const s of moved) {
        actions.push({
          action: "remove",
          session: s.name,
          service: svc.name,
          replica: replicaOf(s) ?? 0,
          reason: `host changed (${hostOf(s) ?? "this machine"} -> ${host ?? "this machine"})`,
          ...(hostOf(s) ? { host: hostOf(s) } : {}),
        });
      }
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
        if (moved.length) {
          actions.push(startAction("create", d, `host changed (${hostOf(moved[0] as ObservedSession) ?? "this machine"} -> ${host ?? "this machine"})`));
          continue;
        }
        const reason = current.length !== svc.replicas ? scaleReason : "missing";
        if (o.previous?.has(d.session)) actions.push(startAction("create", d, `${reason}; was running before`, { resume: !o.fresh, now: o.now }));
        else actions.push(startAction("create", d, reason));
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
        actions.push(startAction("recreate", d, reason));
        continue;
      }
      if (obs.dead) {
        planDead(svc, d, obs, o, actions, notes);
        continue;
      }
      const stuck = o.stuck?.get(d.session);
      if (stuck !== undefined && svc.onStuck === "restart") {
        const restarts = restartsOf(obs);
        if (exhausted(svc, restarts)) {
          notes.push({ kind: "failed", session: d.session, service: svc.name, message: `stuck (${stuck}); gave up after ${restarts} restarts` });
        } else {
          actions.push(
            restartAction(d, `stuck (${stuck}); onStuck: restart, ${restarts + 1} of ${svc.maxRestarts}`, restarts + 1, { resume: !o.fresh, now: o.now }),
          );
        }
        continue;
      }
      upToDate.push(d.session);
    }
    const extra = current.filter((s) => !wanted.has(s.name)).sort((a, b) => (replicaOf(b) ?? 0) - (replicaOf(a) ?? 0) || (a.name < b.name ? 1 : -1));
    for (const s of extra) {
      actions.push({ action: "remove", session: s.name, service: svc.name, replica: replicaOf(s) ?? 0, reason: scaleReason, ...hostField(s) });
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
        ...hostField(s),
      });
    } else {
      notes.push({ kind: "orphan", session: s.name, service, message: `service ${service} is no longer declared; --remove-orphans removes it` });
    }
  }
  return withWorkspaces({ actions, notes, upToDate }, desired, observed);
}

/** The host a session lives on: null for this machine's server. */
export function hostOf(s: ObservedSession): string | null {
  return s.host && s.host !== "local" ? s.host : null;
}

export function hostField(s: ObservedSession): { host?: string } {
  const h = hostOf(s);
  return h ? { host: h } : {};
}

/** A key for a session name on a server. */
export function at(host: string | null, name: string): string {
  return host === null ? name : `${host}\0${name}`;
}

function planDead(svc: DesiredService, d: DesiredSession, obs: ObservedSession, o: PlanOptions, actions: Action[], notes: Note[]): void {
  const v = restartVerdict(svc, obs);
  const note = (kind: Note["kind"], message: string) => notes.push({ kind, session: d.session, service: svc.name, message });
  switch (v.kind) {
    case "unknown":
      note("exited", "exited (status not known yet)");
      return;
    case "no":
      note("exited", `exited with ${v.code} (restart: ${svc.restart})`);
      return;
    case "gave-up":
      note("failed", `exited with ${v.code}; gave up after ${v.restarts} restarts (maxRestarts ${svc.maxRestarts})`);
      return;
    case "restart":
      if (o.now < v.dueAt) {
        note("backoff", `exited with ${v.code}; restart ${v.next} of ${svc.maxRestarts} in ${Math.ceil((v.dueAt - o.now) / 1000)}s`);
        return;
      }
      actions.push(
        restartAction(d, `exited with ${v.code}; restart: ${svc.restart}, ${v.next} of ${svc.maxRestarts}`, v.next, { resume: !o.fresh, now: o.now }),
      );
  }
}

const SIGIL: Record<Action["action"], string> = { create: "+", recreate: "~", remove: "-", restart: "↻" };

/** What `plan` and `up` both say when a project is converged. */
export function nothingToDo(upToDate: number): string {
  return `nothing to do, ${upToDate} session${upToDate === 1 ? "" : "s"} up to date`;
}

/** One session action as a plan line: `+ create acme-auth-3 (scale 2 -> 3)`. */
export function formatAction(a: Action): string {
  return `${SIGIL[a.action]} ${a.action} ${a.session}${a.host ? ` on ${a.host}` : ""} (${a.reason})`;
}

/** One workspace step as a plan line: `+ workspace team (branch amux/team from main)`; `~` when only its setup runs. */
export function formatWorkspaceAction(w: WorkspaceAction): string {
  return `${w.make ? "+" : "~"} workspace ${w.workspace} (${w.reason})`;
}

/** A note as a plan line: `! conflict acme-auth-1: ...`. */
export function formatNote(n: Note): string {
  return `! ${n.kind} ${n.session}: ${n.message}`;
}

/**
 * The stable text form of a plan: workspace steps, then one line per session action, then notes.
 * The one plan printer (CLI, MCP, tests); a session's log rotation is part of its create line.
 */
export function formatPlan(plan: Pick<Plan, "actions" | "notes" | "upToDate"> & { workspaces?: WorkspaceAction[] }): string {
  const lines = [...(plan.workspaces ?? []).map(formatWorkspaceAction), ...plan.actions.map(formatAction)];
  for (const n of plan.notes) lines.push(formatNote(n));
  if (!plan.actions.length) lines.push(nothingToDo(plan.upToDate.length));
  return lines.join("\n");
}

/**
 * The plan as data for `--json` and MCP: what each action does and why, never the requests it
 * carries (they hold the agents' environment, secrets included).
 */
export function planJson(plan: Pick<Plan, "actions" | "notes" | "upToDate"> & { workspaces?: WorkspaceAction[] }) {
  return {
    actions: plan.actions.map((a) => ({
      action: a.action,
      session: a.session,
      service: a.service,
      replica: a.replica,
      reason: a.reason,
      ...(a.host ? { host: a.host } : {}),
      ...(a.resume ? { resume: true, command: a.command } : {}),
    })),
    workspaces: (plan.workspaces ?? []).map((w) => ({
      action: w.action,
      workspace: w.workspace,
      branch: w.branch,
      base: w.base,
      reason: w.reason,
      ...(w.host ? { host: w.host } : {}),
    })),
    notes: plan.notes,
    upToDate: plan.upToDate,
  };
}
