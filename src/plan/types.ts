import type { LogCap } from "../tmux/log-writer.js";
import type { Labels, SessionCreate } from "../tmux/types.js";

/** The fleet as the compose file wants it (desired/types.ts). */
export type { DesiredService, DesiredSession, DesiredState, DesiredWorkspace } from "../desired/types.js";

/** The live server, as one look observed it (observe/types.ts): planning reads its sessions (and workspaces). */
export type { ObservedState, ObservedWorkspace, ObservedWorkspaces } from "../observe/types.js";

export const ACTIONS = ["create", "recreate", "remove", "restart"] as const;
export type ActionKind = (typeof ACTIONS)[number];

/** What happens to a session's log before tmux starts writing to it. */
export interface LogStep {
  file: string;
  /** A new session's log starts with its own first byte: the previous one moves aside, `keep` kept. A restart appends. */
  rotate: boolean;
  keep: number;
  cap?: LogCap | undefined;
}

interface ActionBase {
  session: string;
  service: string;
  replica: number;
  reason: string;
  /** The host whose tmux server it acts on (an id of compose `hosts:`); null or absent: this machine's. */
  host?: string | null;
  /**
   * The agent continues its last conversation: `command` is the resume command line it runs
   * instead of the agent's command (restarts, and re-creating a replica whose session was lost).
   */
  resume?: boolean;
  command?: string;
}

/** A session to start: create a new one, or kill the old one and create it again in the same tmux line. */
export interface StartAction extends ActionBase {
  action: "create" | "recreate";
  /** Exactly what tmux is asked to make: the resume command and `resumed` label already in. */
  start: SessionCreate;
  log: LogStep;
  /** The workspace it needs (an ensure-workspace action of the same plan, or one that is ready). */
  workspace: string | null;
  prompt: string | null;
}

/** A session's pane started again in place: same session and log. */
export interface RestartAction extends ActionBase {
  action: "restart";
  /** The restart count the session carries afterwards: one more for a policy restart, 0 for a person's. */
  restarts: number;
  /** What to run; null: the command, directory and environment tmux kept for it (an `amux run` session). */
  start: SessionCreate | null;
  /** Labels set with it (restarts, state, resumed). */
  labels: Labels;
  log: LogStep;
  workspace: string | null;
  prompt: string | null;
}

export interface RemoveAction extends ActionBase {
  action: "remove";
}

/** One thing `apply` will do to a session, and why: everything it needs is in it. */
export type Action = StartAction | RestartAction | RemoveAction;

/** A workspace to make (worktree and branch, copies, links, setup) or to finish (its setup), before the sessions in it start. */
export interface WorkspaceAction {
  action: "ensure-workspace";
  workspace: string;
  /** The workspace is made; false: it is there, only its setup runs. */
  make: boolean;
  /** What happens, said the way `amux plan` shows it: "branch amux/team from main", "setup not done". */
  reason: string;
  /** The branch it is on; null outside git. */
  branch: string | null;
  /** What a new branch starts from; null when the branch exists, or outside git. */
  base: string | null;
  /** The host it is made on (a worktree of that host's root); null or absent: this machine. */
  host?: string | null;
}

export const NOTE_KINDS = ["conflict", "orphan", "exited", "failed", "backoff", "stopped", "unreachable"] as const;
/** Something the user should know that needs no action (or that amux will not take). */
export interface Note {
  kind: (typeof NOTE_KINDS)[number];
  session: string;
  service: string | null;
  message: string;
}

export interface Plan {
  /** Workspaces first: the session actions that run in them need them. */
  workspaces: WorkspaceAction[];
  actions: Action[];
  notes: Note[];
  /** Sessions already as declared. */
  upToDate: string[];
}

export interface PlanOptions {
  removeOrphans: boolean;
  /** Only these services (`amux up a b`); all when empty. */
  only: string[];
  now: number;
  /** Sessions the status loop sees as stuck, with how long (watch mode). */
  stuck?: Map<string, string>;
  /**
   * Declared replicas that `amux stop` stopped: while they are not live, nothing is planned for
   * them. The watcher passes them; `up` does not (a new `up` starts them again, as compose's does).
   */
  held?: ReadonlySet<string>;
  /**
   * Replicas amux's records say were running (never stopped or removed) whose workspace is still
   * there: missing from tmux now means their session was lost (tmux server gone, reboot), and
   * re-creating one resumes its conversation.
   */
  previous?: ReadonlySet<string>;
  /** Start clean: never resume (`up --fresh`). */
  fresh?: boolean;
}
