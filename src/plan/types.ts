/** One replica as the compose file wants it. */
export interface DesiredSession {
  session: string;
  service: string;
  replica: number;
  agent: string;
  hash: string;
  /** summarizeSpec() of its spawn spec, to name what changed. */
  summary: Record<string, string>;
  /** The agent's command line that continues its last conversation (null: it has none). Not hashed. */
  resume?: string | null;
}

export interface DesiredService {
  name: string;
  replicas: number;
  restart: "no" | "on-failure" | "always";
  maxRestarts: number;
  onStuck?: "none" | "notify" | "restart";
  sessions: DesiredSession[];
}

/** The fleet the compose file declares, fully resolved. */
export interface DesiredState {
  project: string;
  root: string;
  services: DesiredService[];
}

/** The live server, as one look observed it (observe/types.ts): planning reads its sessions. */
export type { ObservedState } from "../observe/types.js";

export const ACTIONS = ["create", "recreate", "remove", "restart"] as const;
export type ActionKind = (typeof ACTIONS)[number];

/** One thing `apply` will do, and why. */
export interface Action {
  action: ActionKind;
  session: string;
  service: string;
  replica: number;
  reason: string;
  /**
   * For restart: the restart count the session carries afterwards. Absent: one more than now (a
   * policy restart); 0 for a restart a person asked for (`amux start`/`restart`), which gives the
   * replica a fresh maxRestarts budget.
   */
  restarts?: number;
  /**
   * The agent continues its last conversation: `command` is the resume command line to run
   * instead of the agent's command (restarts, and re-creating a replica whose session was lost).
   */
  resume?: boolean;
  command?: string;
}

export const NOTE_KINDS = ["conflict", "orphan", "exited", "failed", "backoff", "stopped"] as const;
/** Something the user should know that needs no action (or that amux will not take). */
export interface Note {
  kind: (typeof NOTE_KINDS)[number];
  session: string;
  service: string | null;
  message: string;
}

export interface Plan {
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
