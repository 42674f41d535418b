import { locateProject, type ProjectOptions } from "../config/locate.js";
import { driftOf } from "../desired/drift.js";
import { loadView } from "../desired/snapshot.js";
import { gaveUp, type ProjectView, profileFor } from "../desired/view.js";
import { NotFoundError } from "../errors.js";
import type { Reporter } from "../io.js";
import { agentPid } from "../observe/agent-pid.js";
import { observeProject } from "../observe/project.js";
import { readRecords, type SessionRecord, type StopCause } from "../state/records.js";
import { statusesOf } from "../status/observed.js";
import { describeSourced, type StatusSource } from "../status/reported.js";
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
export function recordOf(s: ObservedSession, stoppedAt: string | null, stoppedBy: StopCause | null = null): SessionRecord {
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
  };
}

/** `amux ps`: this project's sessions with their status, from tmux (and records with `all`). */
export async function listStatus(
  opts: ProjectOptions & { all?: boolean; services?: string[] },
  reporter: Reporter,
): Promise<{ project: ProjectView; rows: SessionRow[] }> {
  // The server first: its digest key says whether the snapshot's desired hashes still apply.
  const {
    mine: live,
    state: { screens, key },
  } = await observeProject(locateProject(opts).root);
  const project = await loadView(opts, reporter.warn, key);
  const now = Date.now();
  const { statuses, writes } = statusesOf({ sessions: live, screens, profileOf: (s) => profileFor(project, s), gaveUpOf: (s) => gaveUp(project, s), now });
  // A busy pane whose screen progressed: remember when, for the next look (one more tmux call,
  // only then; an idle, waiting or stalled fleet costs none).
  await writePaneMarks("progress", writes);
  const rows: SessionRow[] = live.map((s) => {
    const c = statuses.get(s.name);
    return {
      name: s.name,
      project: s.labels.project ?? project.name,
      service: s.labels.service ?? null,
      replica: replicaOf(s),
      agent: s.labels.agent ?? "",
      workspace: s.labels.workspace ?? null,
      status: c?.status ?? "running",
      exitCode: s.exitCode,
      pid: s.pid === null ? null : agentPid(s.pid),
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
  });
  if (opts.all) {
    const liveNames = new Set(live.map((s) => s.name));
    for (const r of readRecords(project.root)) {
      if (liveNames.has(r.name)) continue;
      rows.push({
        ...r,
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
