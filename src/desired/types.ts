import type { LogCap } from "../tmux/log-writer.js";
import type { SessionCreate } from "../tmux/types.js";

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
  /** The tmux request that starts it: command, directory, environment, labels, log and its cap. */
  start: SessionCreate;
  /** The program and arguments that resume instead (same shell and wrapper); null: none. */
  resumeArgv?: string[] | null;
  /** The workspace it runs in (DesiredWorkspace.name); null: the project root. */
  workspace?: string | null;
  /** Typed into the agent once it is ready, after a start. */
  prompt?: string | null;
  /** The host it runs on (an id of compose `hosts:`); null or absent: this machine. */
  host?: string | null;
}

/** A workspace some replica runs in, as the compose file wants it. */
export interface DesiredWorkspace {
  name: string;
  /** The branch its worktree is on (made when missing). */
  branch: string;
  /** What a new branch starts from, when declared (service `base:`, then `workspaces.base`); else the current branch. */
  base: string | null;
  /** The setup command as shown (secrets masked); null: none. */
  setup: string | null;
  /** The host it is on (a worktree of that host's root); null or absent: this machine. */
  host?: string | null;
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
  /** Every workspace a declared replica runs in, each once. */
  workspaces?: DesiredWorkspace[];
  /** How session logs are capped and rotated (compose `logs:`). */
  logCap?: LogCap;
  /** Each declared host's checkout (compose `hosts:` root), by host id. */
  hostRoots?: Record<string, string>;
  /** Every workspace a replica on a host runs in, each once per host (made there; not among `workspaces`). */
  hostWorkspaces?: DesiredWorkspace[];
}
