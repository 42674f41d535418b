import type { HookInput } from "../config/schema.js";
import { formatDuration } from "../duration.js";
import { own } from "../names.js";
import type { Action } from "../plan/types.js";
import type { AmuxEvent } from "../state/events.js";
import type { Classification, Status } from "../status/types.js";
import { replicaOf } from "../tmux/labels.js";
import type { ObservedSession } from "../tmux/types.js";
import type { HookEvent } from "../usecases/hooks.js";
import { matchingHooks } from "../usecases/hooks.js";

/**
 * The watch loop's decisions, as pure functions of what it observed: what each status change
 * says (an event, the hooks it runs), whom to notify, which replicas count as stuck, when to look
 * again. The loop (supervisor.ts, tracker.ts) only observes, calls these, and carries them out.
 */

/** A status change seen by the loop. */
export interface Transition {
  session: ObservedSession | undefined;
  name: string;
  from: Status | undefined;
  to: Status;
  reason: string;
}

/** The `status` event a transition is, as `amux events` shows it (the watcher and `amux events` without one). */
export function statusEvent(project: string, t: Transition, time: string): AmuxEvent {
  const s = t.session;
  return {
    time,
    type: "status",
    project,
    session: t.name,
    service: s?.labels.service ?? null,
    replica: s ? replicaOf(s) : null,
    from: t.from,
    to: t.to,
    reason: t.reason,
    exitCode: s?.exitCode ?? null,
  };
}

/** What a hook is told about a transition. */
export function hookEventOf(project: { name: string; root: string }, t: Transition): HookEvent {
  const s = t.session;
  return {
    event: t.to,
    project: project.name,
    root: project.root,
    session: t.name,
    service: s?.labels.service ?? null,
    replica: s ? replicaOf(s) : null,
    status: t.to,
    previousStatus: t.from ?? null,
    reason: t.reason,
    exitCode: s?.exitCode ?? null,
  };
}

/** What the project declares that transitions act on. */
export interface TransitionRules<H extends HookInput> {
  name: string;
  root: string;
  services: Record<string, { onStuck?: "none" | "notify" | "restart" | undefined }>;
  hooks: H[];
}

/**
 * What a batch of transitions makes the loop do: the events to append, the hooks to run (each
 * with what it is told), and who has been notified of being stuck afterwards. A replica whose
 * service says `onStuck: notify` is notified once per stuck spell: again only after it was
 * something else in between. Pure: `notified` is not changed, the new set is returned.
 */
export function onTransitions<H extends HookInput>(
  project: TransitionRules<H>,
  transitions: readonly Transition[],
  notified: ReadonlySet<string>,
  time: string,
): { events: AmuxEvent[]; hooks: { hook: H; event: HookEvent }[]; notified: Set<string> } {
  const events: AmuxEvent[] = [];
  const hooks: { hook: H; event: HookEvent }[] = [];
  const next = new Set(notified);
  for (const t of transitions) {
    const ev = statusEvent(project.name, t, time);
    events.push(ev);
    const he = hookEventOf(project, t);
    const service = he.service;
    const svc = service ? own(project.services, service) : undefined;
    if (t.to === "stuck" && svc?.onStuck === "notify" && !next.has(t.name)) {
      next.add(t.name);
      events.push({ time, type: "notify", project: project.name, session: t.name, service, replica: he.replica, reason: `stuck: ${t.reason}` });
      for (const hook of matchingHooks(project.hooks, "notify", service)) hooks.push({ hook, event: { ...he, event: "notify" } });
    }
    if (t.to !== "stuck") next.delete(t.name);
    for (const hook of matchingHooks(project.hooks, t.to, service)) hooks.push({ hook, event: he });
  }
  return { events, hooks, notified: next };
}

/**
 * The replicas the planner should treat as stuck, with how long in words: quiet since their
 * last output, or busy without progress, whichever is longer.
 */
export function stuckSessions(
  mine: readonly ObservedSession[],
  statuses: ReadonlyMap<string, Classification>,
  stalled: ReadonlyMap<string, number>,
  now: number,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of mine) {
    if (statuses.get(s.name)?.status === "stuck") out.set(s.name, formatDuration(Math.max(now - s.activityAt, stalled.get(s.name) ?? 0)));
  }
  return out;
}

/**
 * How long to wait before an extra pass at `at` (when a pane that was printing may be called
 * idle): only when that comes before the next regular tick; undefined otherwise. The 5 ms are
 * past tmux's second, so the pass sees it.
 */
export function wakeDelay(at: number | undefined, now: number, intervalMs: number): number | undefined {
  if (at === undefined) return undefined;
  const wait = Math.max(0, at - now) + 5;
  return wait < intervalMs ? wait : undefined;
}

/** The `action` events for replicas that died in their first second, with their last words. */
export function failedStartEvents(
  project: string,
  started: readonly Pick<Action, "session" | "service" | "replica">[],
  dead: readonly { session: string; exitCode: number | null; lastLines: string[] }[],
  time: string,
): AmuxEvent[] {
  const out: AmuxEvent[] = [];
  for (const d of dead) {
    const a = started.find((x) => x.session === d.session);
    if (!a) continue;
    const last = d.lastLines.length ? `: ${d.lastLines.join(" / ")}` : "";
    out.push({
      time,
      type: "action",
      project,
      session: d.session,
      service: a.service,
      replica: a.replica,
      action: "start",
      exitCode: d.exitCode,
      error: `exited at once with code ${d.exitCode ?? "?"}${last}`,
    });
  }
  return out;
}

/** The `action` event for one applied (or failed) action. */
export function actionEvent(project: string, a: Action, time: string, error?: string): AmuxEvent {
  return { time, type: "action", project, session: a.session, service: a.service, replica: a.replica, action: a.action, reason: a.reason, error };
}
/** What a live view shows of a session beyond its status. */
export interface SessionState {
  status: Status;
  reason: string;
  since: number;
  lastLine: string;
}

/**
 * When a session seen for the first time entered its status, as far as tmux tells: an exited one
 * when its pane died, a quiet one (idle, waiting, stuck) when it last printed, a busy one when
 * it was started. Not when this process first looked.
 */
export function statusSince(s: Pick<ObservedSession, "dead" | "deadAt" | "activityAt" | "createdAt">, status: Status, now: number): number {
  const t = s.dead ? (s.deadAt ?? now) : status === "running" ? s.createdAt : s.activityAt;
  return Math.min(now, t || now);
}

/**
 * The status loop's step: compares what it sees now with what it saw (`state`, its memory,
 * updated in place) and returns the changes. A session seen for the first time enters its status
 * when tmux says (statusSince); a known one whose status changed enters it now; one no longer
 * among `live` leaves as stopped (`goneReason` says why, asked only then), unless it already was.
 * A live session with no classification (not yet seen) keeps its memory as it is.
 */
export function advanceStatuses(
  state: Map<string, SessionState>,
  live: readonly ObservedSession[],
  seen: ReadonlyMap<string, { status: Status; reason: string; lastLine: string }>,
  now: number,
  goneReason: (name: string) => string,
): Transition[] {
  const transitions: Transition[] = [];
  const names = new Set<string>();
  for (const s of live) {
    names.add(s.name);
    const c = seen.get(s.name);
    if (!c) continue;
    const prev = state.get(s.name);
    if (!prev || prev.status !== c.status) {
      transitions.push({ session: s, name: s.name, from: prev?.status, to: c.status, reason: c.reason });
      state.set(s.name, { status: c.status, reason: c.reason, since: prev ? now : statusSince(s, c.status, now), lastLine: c.lastLine });
    } else {
      prev.reason = c.reason;
      prev.lastLine = c.lastLine;
    }
  }
  for (const [name, st] of state) {
    if (names.has(name)) continue;
    state.delete(name);
    if (st.status === "stopped") continue;
    transitions.push({ session: undefined, name, from: st.status, to: "stopped", reason: goneReason(name) });
  }
  return transitions;
}
