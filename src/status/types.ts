/** Every status a session can have, as the contract names them. */
export const STATUSES = ["running", "waiting", "idle", "stuck", "exited", "failed", "stopped", "unreachable"] as const;
export type Status = (typeof STATUSES)[number];

/** Compiled status rules for one agent. */
export interface StatusProfile {
  /** Built-in profile the rules started from. */
  base: string;
  idleAfterMs: number;
  stuckAfterMs: number;
  busy: RegExp[];
  waiting: RegExp[];
  prompt: RegExp[];
  /** A last screen line ending in "?" counts as a question (generic programs). */
  questionAtCursor: boolean;
  /** Non-blank rows from the bottom where a question counts (1 for line-based programs). */
  waitingRows: number;
  /** Pane titles (set by the agent through OSC) that mean it works, or waits for a human. */
  busyTitle: RegExp[];
  waitingTitle: RegExp[];
}

/** What the sampler saw of one pane. */
export interface PaneSample {
  dead: boolean;
  exitCode: number | null;
  /** Milliseconds since the pane last printed (tmux's window_activity, 1 s resolution). */
  quietMs: number;
  /** Visible screen, one string per row; undefined when not read (then no question or prompt is claimed). */
  screen?: string[];
  /** The pane title the program set. */
  title?: string;
  /** The restart policy gave up on this replica. */
  gaveUp?: boolean;
  /**
   * Milliseconds since the screen last made progress (a change beyond spinner frames and
   * counters, see progress.ts); undefined when not known. Busy that long is stuck.
   */
  stalledMs?: number | undefined;
}

export interface Classification {
  status: Status;
  /** Why, in a few words (shown by `ps --wide` and events). */
  reason: string;
  /** Running only because the pane printed lately (no busy marker, no busy title). */
  byOutput?: boolean;
}
