import { classifyPane } from "./classify.js";
import { type ProgressMark, trackProgress } from "./progress.js";
import { combineStatus, parseReported, type SourcedClassification } from "./reported.js";
import type { PaneSample, StatusProfile } from "./types.js";

/**
 * What status reads of an observed session (observe/ hands it whole sessions): its pane, whether
 * and how it ended, when it last printed, its title, and the two labels the agent and the last
 * observer wrote on the pane.
 */
export interface PaneObservation {
  name: string;
  paneId: string;
  dead: boolean;
  exitCode: number | null;
  createdAt: number;
  activityAt: number;
  title?: string | undefined;
  labels: { progress?: string | undefined; reported?: string | undefined };
}

/** A pane's sample from what list-panes said and its captured screen. Pure. */
export function sampleOf(s: PaneObservation, screen: string[] | undefined, now: number, gaveUp = false, stalledMs?: number): PaneSample {
  return { dead: s.dead, exitCode: s.exitCode, quietMs: Math.max(0, now - s.activityAt), screen, title: s.title, gaveUp, stalledMs };
}

export interface StatusInputs<S extends PaneObservation = PaneObservation> {
  sessions: readonly S[];
  /** Screens by pane id (a pane without one is not claimed waiting or idle). */
  screens: ReadonlyMap<string, readonly string[]>;
  profileOf: (s: S) => StatusProfile;
  gaveUpOf?: (s: S) => boolean;
  now: number;
  /** Progress marks kept in memory by a long-running observer (the watcher), newer than the pane options. */
  remembered?: ReadonlyMap<string, ProgressMark>;
}

export interface StatusOutputs {
  statuses: Map<string, SourcedClassification>;
  /** Progress marks now, by pane id. */
  marks: Map<string, ProgressMark>;
  /** How long each live pane (by session name) has made no progress, ms. */
  stalled: Map<string, number>;
  /** `@amux-progress` values that changed: written back so that the next observer (any `ps`) knows. */
  writes: { paneId: string; value: string }[];
}

/**
 * Every session's status from one observation: the screen rules (with how long each busy pane has
 * made no progress), combined with what the agent reported about itself. Pure: the caller reads
 * tmux before and writes the marks after.
 */
export function statusesOf<S extends PaneObservation>(i: StatusInputs<S>): StatusOutputs {
  const byPane = new Map(i.sessions.map((s) => [s.paneId, s]));
  const { stalled, marks, writes } = trackProgress(
    i.sessions.map((s) => ({ name: s.name, paneId: s.paneId, dead: s.dead, title: s.title, progress: s.labels.progress })),
    i.screens,
    (p) => {
      const s = byPane.get(p.paneId);
      return s ? i.profileOf(s).busy : [];
    },
    i.now,
    i.remembered,
  );
  const statuses = new Map<string, SourcedClassification>();
  const working = new Set<string>();
  for (const s of i.sessions) {
    const screen = i.screens.get(s.paneId);
    const c = classifyPane(sampleOf(s, screen ? [...screen] : undefined, i.now, i.gaveUpOf?.(s) ?? false, stalled.get(s.name)), i.profileOf(s));
    if (c.status === "running" || c.status === "stuck") working.add(s.paneId);
    statuses.set(s.name, combineStatus(c, parseReported(s.labels.reported), s.activityAt, s.createdAt, i.now));
  }
  // Only a working pane's progress matters: an idle or waiting fleet writes nothing, and a pane
  // that starts working later starts its clock when it is first seen working.
  return { statuses, marks, writes: writes.filter((w) => working.has(w.paneId)), stalled };
}
