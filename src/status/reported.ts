import type { Classification, Status } from "./types.js";

/**
 * Status an agent reports about itself. An agent CLI that can run a command on its own events
 * (Claude Code hooks, Codex's notify program) sets the pane option `@amux-reported` to
 * `<state> <unix seconds>` through plain `tmux` (inside the pane, $TMUX names amux's server, on
 * any host). `ps` reads it in the same list-panes as everything else. The screen rules stay the
 * fallback and the check: when both speak and disagree, the reason says so. Pure.
 */

export const REPORTED_STATES = ["running", "waiting", "idle"] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];

export interface Reported {
  state: ReportedState;
  /** ms since the epoch (the agent's clock, whole seconds). */
  at: number;
}

/**
 * A report older than the pane's last output by more than this is stale: the screen moved on
 * without the agent saying so (a turn interrupted with Esc fires no Stop hook; an answered
 * permission question is followed by tool output, not by a new report). Both clocks have
 * 1-second resolution and an agent redraws right after its hook runs: a few seconds of slack.
 */
export const REPORT_GRACE_MS = 3_000;

export function parseReported(v: string | undefined): Reported | undefined {
  const m = v ? /^(running|waiting|idle) (\d{1,12})$/.exec(v.trim()) : null;
  return m ? { state: m[1] as ReportedState, at: Number(m[2]) * 1000 } : undefined;
}

export type StatusSource = "reported" | "screen";

export interface SourcedClassification extends Classification {
  source: StatusSource;
  /** Set when the agent's report and the screen rules disagree (shown in `ps --wide`). */
  disagreement?: string | undefined;
}

/** Whether a report still describes the pane: made after it (re)started, and not overtaken by output. */
export function isFresh(r: Reported, activityAt: number, startedAt: number): boolean {
  // Whole seconds: a report from the second the pane started counts.
  if (r.at + 1000 <= startedAt) return false;
  return r.at + REPORT_GRACE_MS >= activityAt;
}

const ago = (ms: number) => `${Math.max(0, Math.round(ms / 1000))}s ago`;

/**
 * The status of a live pane from the screen rules and the agent's own report. Precedence:
 * - a dead pane, no report, or a stale one: the screen decides;
 * - a question on screen is waiting whatever was reported (it is what a person sees);
 * - reported waiting is waiting, unless a busy marker moved since (answered, or not yet drawn);
 * - reported running is running, unless the screen says stuck (a stalled call reports nothing);
 * - reported idle is idle, unless the screen shows a busy marker (more specific than any report
 *   a turn could leave behind); recent output alone does not count against it (an agent redraws
 *   for a moment after its turn ends, and the report is fresh only while output has not gone on).
 * Whenever both speak and differ, `disagreement` names the other side.
 */
export function combineStatus(
  screen: Classification,
  reported: Reported | undefined,
  activityAt: number,
  startedAt: number,
  now: number,
): SourcedClassification {
  const fromScreen = (disagreement?: string): SourcedClassification => ({ ...screen, source: "screen", disagreement });
  if (["exited", "failed", "stopped"].includes(screen.status) || !reported) return fromScreen();
  if (!isFresh(reported, activityAt, startedAt)) return fromScreen();
  const said = `reported ${reported.state} ${ago(now - reported.at)}`;
  const other = `screen says ${screen.status} (${screen.reason})`;
  const fromReport = (status: Status): SourcedClassification => ({
    status,
    reason: said,
    source: "reported",
    disagreement: screen.status === status ? undefined : other,
  });
  if (screen.status === "waiting") return reported.state === "waiting" ? fromReport("waiting") : fromScreen(said);
  if (reported.state === "waiting") {
    // A busy marker that moved after the report: the question was answered (no hook says so
    // until the tool finishes), or not drawn yet. The screen is the fresher witness.
    if (screen.status === "running" && !screen.byOutput && activityAt > reported.at + 1000) return fromScreen(said);
    return fromReport("waiting");
  }
  if (reported.state === "running") return screen.status === "stuck" ? fromScreen() : fromReport("running");
  // Reported idle. A busy marker on screen is more specific than any report; output alone is
  // not (an agent redraws its screen for a moment after its turn ends).
  if (screen.status === "running" && !screen.byOutput) return fromScreen(said);
  if (screen.status === "running") return { status: "idle", reason: said, source: "reported", disagreement: undefined };
  return fromReport("idle");
}

/** The text `ps --wide` shows: the reason, where it came from, and any disagreement. */
export function describeSourced(c: SourcedClassification): string {
  return c.disagreement ? `${c.reason}; disagrees: ${c.disagreement}` : c.reason;
}
