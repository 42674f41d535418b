import type { LogStep } from "../plan/types.js";
import type { BatchResult, ServerSetup } from "../tmux/ops.js";
import type { Scripts } from "../tmux/scripts.js";

/**
 * The effects apply reaches, one interface per kind: requests in, results out. The local
 * implementation (local.ts) wraps this machine's tmux, git and files; a remote host implements
 * the same over ssh.
 */
export interface Effects {
  tmux: TmuxEffects;
  git: GitEffects;
  files: FileEffects;
}

/** One line of a tmux batch, for one session (tmux/ops.ts builds the lines). */
export interface TmuxLine {
  name: string;
  line: string;
}

export interface TmuxEffects {
  /**
   * Runs every line in ONE tmux process, after the server setup when given; each line held or
   * not on its own. The key: the server's digest key after a setup (null without one).
   */
  runBatch(lines: TmuxLine[], setup: ServerSetup | undefined): Promise<BatchResult & { key: string | null }>;
  /**
   * Holds the server for this controller while a plan is applied there (a host's: a lease on its
   * tmux server, so that two controllers never converge the same replicas at once). Throws when
   * another holds it. Absent: nothing to hold (this machine's server is held by the project lock).
   */
  hold?(): Promise<{ release(): Promise<void> }>;
}

/** Makes a workspace: worktree on `branch` (made from `base` when new), copies, links, setup; a folder outside git. */
export interface WorkspaceRequest {
  name: string;
  branch: string | null;
  base: string | null;
}

export interface GitEffects {
  /** A host's effects set this once they make workspaces there (until then its replicas in one are refused, not run elsewhere). */
  canMakeWorkspaces?: boolean;
  /** Makes sure the workspace exists and its setup ran; returns its directory. Refuses a path something else holds. */
  ensureWorkspace(r: WorkspaceRequest): Promise<{ dir: string }>;
}

export interface FileEffects {
  /** Gets a session's log ready for tmux's pipe: the previous one moved aside (rotate), and the file there, private. */
  prepareLog(step: LogStep): void;
  /** The pane wrapper and log writer as files beside the logs, for lines to name (undefined: carry them inline). */
  scripts(logFile: string): Scripts | undefined;
  /**
   * Every log step of a batch at once, before its tmux lines (a host: one round trip for all of
   * them, its log folder made 0700 first); when present, prepareLog is not called. Throws when
   * they could not be prepared: the batch's sessions then fail with that error.
   */
  prepareLogs?(steps: LogStep[]): Promise<void>;
}
