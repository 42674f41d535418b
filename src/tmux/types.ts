import type { LogCap } from "./log-writer.js";
import type { Scripts } from "./scripts.js";

/**
 * The `@amux-*` user options that make up a session's identity and state (session options), and
 * the pane options amux reads along with them: `progress` (progress.ts) and `reported`
 * (reported.ts).
 */
export const LABEL_KEYS = [
  "root",
  "project",
  "service",
  "replica",
  "agent",
  "hash",
  "workspace",
  "restarts",
  "exit",
  "v",
  "spec",
  "resumed",
  "progress",
  "reported",
] as const;
export type LabelKey = (typeof LABEL_KEYS)[number];
export type Labels = Partial<Record<LabelKey, string>>;

/** One session as tmux shows it (its first pane). */
export interface ObservedSession {
  name: string;
  /** ms since the epoch (tmux keeps seconds). */
  createdAt: number;
  paneId: string;
  /** The pane's process, null once dead. */
  pid: number | null;
  dead: boolean;
  exitCode: number | null;
  deadAt: number | null;
  /** Last output, ms since the epoch (1 s resolution). */
  activityAt: number;
  cwd: string;
  /** The title the program set (OSC 0/2), empty when none. */
  title?: string;
  labels: Labels;
  /** The server it lives on (observe/types.ts HostId); absent: amux's local server. */
  host?: string | undefined;
}

/** What a new session needs; turned into one tmux command line by `createLine`. */
export interface SessionCreate {
  name: string;
  cwd: string;
  /** The program and its arguments: [shell, "-c", command]. */
  argv: string[];
  env: Record<string, string>;
  windowName?: string | undefined;
  labels: Labels;
  logFile: string;
  /** Size cap and rotation of the log (default DEFAULT_LOG_CAP). */
  logCap?: LogCap | undefined;
  /** Shared script files the line may name instead of carrying them (scripts.ts). */
  scripts?: Scripts | undefined;
  width?: number;
  height?: number;
}
