import { locateProject, type ProjectOptions } from "../config/locate.js";
import { driftOf } from "../desired/drift.js";
import { declaredHosts, loadView } from "../desired/snapshot.js";
import { gaveUp, type ProjectView, profileFor } from "../desired/view.js";
import { NotFoundError } from "../errors.js";
import type { Reporter } from "../io.js";
import { agentPid } from "../observe/agent-pid.js";
import { hostRunner, lookAtHosts } from "../observe/hosts.js";
import { observeProject } from "../observe/project.js";
import { readRecords, type SessionRecord, type StopCause } from "../state/records.js";
import { statusesOf } from "../status/observed.js";
import { describeSourced, type SourcedClassification, type StatusSource } from "../status/reported.js";
import type { Status } from "../status/types.js";
import { replicaOf, restartsOf } from "../tmux/labels.js";
import { writePaneMarks } from "../tmux/marks.js";
import type { ObservedSession } from "../tmux/types.js";
import { unknownFilters, whatExists } from "./targets.js";

/**
 * One row of `amux ps`: a record (name, project, service, replica, agent, workspace, createdAt,
 * stoppedAt, exitCode, restarts) with the live picture; the contract's JSON fields and a few more.
 */
export interface SessionRow extends SessionRecord {
  /** The host it runs on (an id of compose `hosts:`); null: this machine. */
  host: string | null;
  status: Status;
  pid: number | null;
  /** Why the status is what it is (and where the agent's own report and the screen disagree). */
  statusReason: string;
  /** Where the status came from: the agent's own report (hooks) or amux's screen rules. */
  statusSource: StatusSource;
  /** When the running agent was started by its resume command (continuing its conversation); null otherwise. */
  resumed: string | null;
  /** "service" for compose replicas, "run" for `amux run` sessions. */
  kind: "service" | "run";
  /** The replica's spawn spec differs from the compose file (null when not a service or unknown). */
  drift: boolean | null;
  /** Why drift is what it is when it is true or unknown ("config unresolved: variable X is not set"). */
  driftReason: string | null;
  /** Seconds since the pane last printed (null when not live). */
  quietSeconds: number | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A record of a live session, from its labels alone. */
export function recordOf(
  s: ObservedSession,
  stoppedAt: string | null,
  stoppedBy: StopCause | null = null,
  hosts: Readonly<Record<string, { ssh: string; root: string }>> = {},
): SessionRecord {
  const h = s.host && s.host !== "local" && Object.hasOwn(hosts, s.host) ? hosts[s.host] : undefined;
  return {
    name: s.name,
    project: s.labels.project ?? "",
    service: s.labels.service ?? null,
    replica: replicaOf(s),
    agent: s.labels.agent ?? "",
    workspace: s.labels.workspace ?? null,
    createdAt: iso(s.createdAt),
    stoppedAt,
    exitCode: s.exitCode,
    restarts: restartsOf(s),
    stoppedBy: stoppedAt ? stoppedBy : null,
    ...(s.host && s.host !== "local" ? { host: s.host } : {}),
    ...(h ? { hostAt: { ssh: h.ssh, root: h.root } } : {}),
  };
}

/** `amux ps`: this project's sessions with their status, from tmux (and records with `all`). */
export async function listStatus(
  opts: ProjectOptions & { all?: boolean; services?: string[] },
  reporter: Reporter,
): Promise<{ project: ProjectView; rows: SessionRow[] }> {
  // The servers first: the local one's digest key says whether the snapshot's desired hashes
  // still apply. Each declared host is one more look, all at once.
  const loc = locateProject(opts);
  const hosts = await declaredHosts(opts, loc);
  const hasHosts = Object.keys(hosts).length > 0;
  const [here, remote] = await Promise.all([observeProject(loc.root), hasHosts ? lookAtHosts(hosts, (server) => observeProject(loc.root, server)) : undefined]);
  const project = await loadView(opts, reporter.warn, here.state.key);
  const now = Date.now();
  const rows: SessionRow[] = [];
  const servers: { live: ObservedSession[]; screens: Map<string, string[]>; host: string | null }[] = [
    { live: here.mine, screens: here.state.screens, host: null },
    ...[...(remote?.looks ?? [])].map(([id, l]) => ({ live: l.mine.map((s) => ({ ...s, host: id })), screens: l.state.screens, host: id })),
  ];
  const live: ObservedSession[] = [];
  for (const srv of servers) {
    const { statuses, writes } = statusesOf({
      sessions: srv.live,
      screens: srv.screens,
      profileOf: (s) => profileFor(project, s),
      gaveUpOf: (s) => gaveUp(project, s),
      now,
    });
    // A busy pane whose screen progressed: remember when, for the next look (one more tmux call,
    // only then; an idle, waiting or stalled fleet costs none).
    const h = srv.host === null ? undefined : hosts[srv.host];
    await writePaneMarks("progress", writes, h ? hostRunner(h) : undefined);
    live.push(...srv.live);
    for (const s of srv.live) rows.push(rowOf(s, statuses.get(s.name), project, now));
  }
  const liveNames = new Set(live.map((s) => s.name));
  // A host that cannot be reached: what amux's records say runs there is shown as unreachable.
  const away = new Map((remote?.unreachable ?? []).map((u) => [u.host, u]));
  const records = away.size || opts.all ? readRecords(project.root) : [];
  for (const r of records) {
    const u = r.host ? away.get(r.host) : undefined;
    if (!u || r.stoppedAt !== null || liveNames.has(r.name)) continue;
    liveNames.add(r.name);
    rows.push({
      ...r,
      host: r.host ?? null,
      status: "unreachable",
      pid: null,
      statusReason: `host ${u.host} (${u.destination}) cannot be reached: ${u.gist}`,
      statusSource: "screen",
      resumed: null,
      kind: r.service ? "service" : "run",
      drift: null,
      driftReason: null,
      quietSeconds: null,
    });
  }
  if (opts.all) {
    for (const r of records) {
      if (liveNames.has(r.name)) continue;
      rows.push({
        ...r,
        host: r.host ?? null,
        status: "stopped",
        pid: null,
        statusReason: stopReason(r),
        statusSource: "screen",
        resumed: null,
        kind: r.service ? "service" : "run",
        drift: null,
        driftReason: null,
        quietSeconds: null,
        stoppedAt: r.stoppedAt,
      });
    }
  }
  const only = opts.services ?? [];
  if (only.length) {
    const records = opts.all ? [] : readRecords(project.root);
    const known = {
      sessions: [...rows.map((r) => r.name), ...records.map((r) => r.name)],
      services: [...Object.keys(project.services), ...[...rows, ...records].map((r) => r.service).filter((x): x is string => !!x)],
    };
    const unknown = unknownFilters(only, known);
    if (unknown.length)
      throw new NotFoundError(
        `no session or service ${unknown.join(", ")}`,
        whatExists(
          rows.map((r) => r.name),
          known.services,
        ),
      );
  }
  const filtered = only.length ? rows.filter((r) => (r.service && only.includes(r.service)) || only.includes(r.name)) : rows;
  // Ordinal comparison: names are ASCII, and localeCompare alone costs ps several ms (the ICU collator).
  filtered.sort((a, b) => byText(a.service ?? "\uffff", b.service ?? "\uffff") || (a.replica ?? 0) - (b.replica ?? 0) || byText(a.name, b.name));
  return { project, rows: filtered };
}

/** A live session's row: its labels, what tmux says of it, and its status. */
function rowOf(s: ObservedSession, c: SourcedClassification | undefined, project: ProjectView, now: number): SessionRow {
  return {
    name: s.name,
    project: s.labels.project ?? project.name,
    service: s.labels.service ?? null,
    replica: replicaOf(s),
    agent: s.labels.agent ?? "",
    workspace: s.labels.workspace ?? null,
    host: s.host && s.host !== "local" ? s.host : null,
    status: c?.status ?? "running",
    exitCode: s.exitCode,
    // A host's process ids are that host's: not looked into from here.
    pid: s.pid === null || s.host ? null : agentPid(s.pid),
    restarts: restartsOf(s),
    createdAt: iso(s.createdAt),
    statusReason: (c ? describeSourced(c) : "") + (s.labels.resumed ? `; resumed ${s.labels.resumed}` : ""),
    statusSource: c?.source ?? "screen",
    resumed: s.labels.resumed ?? null,
    kind: s.labels.service ? "service" : "run",
    ...driftOf({ service: s.labels.service ?? null, hash: s.labels.hash }, project, s.name),
    quietSeconds: s.dead ? null : Math.max(0, Math.round((now - s.activityAt) / 1000)),
    stoppedAt: null,
  };
}

/** Why a recorded session is no longer live, in words. */
export function stopReason(r: Pick<SessionRecord, "stoppedAt" | "stoppedBy">): string {
  if (!r.stoppedAt) return "gone from tmux";
  switch (r.stoppedBy) {
    case "stop":
      return "stopped by amux stop";
    case "down":
      return "removed by amux down";
    case "remove":
      return "removed by convergence";
    default:
      return "stopped";
  }
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
