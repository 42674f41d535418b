import type { ObservedSession } from "../tmux/types.js";

export type { ObservedSession };

/**
 * Which tmux server a look went to. Today there is one, amux's own on this machine ("local");
 * a remote host will be one more value here, observed in its own round trip.
 */
export type HostId = string;
export const LOCAL_HOST: HostId = "local";

/** A host that could not be observed just now: its id, ssh destination and the gist of why. */
export interface Unreachable {
  host: string;
  destination: string;
  gist: string;
}

/**
 * What the server's setup says, as creating sessions needs it: read in the same round trip as
 * the sessions when a use case may create any.
 */
export interface ServerFacts {
  /** `@amux-key` holds something amux did not make: the next batch replaces it. */
  keyInvalid: boolean;
  /** Names in the server's global environment. */
  globalEnvironment: string[];
}

/**
 * One look at a tmux server, as a value: everything the planner, apply and status read of it.
 * Everything after it (grouping, planning, classifying) is pure.
 */
export interface ObservedState {
  /** The server the look went to (absent: the local one). */
  host?: HostId | undefined;
  /** Every session on the server (the planner needs the others' names too: a name in use is a conflict). */
  sessions: ObservedSession[];
  /** Screens by pane id, for the panes the look captured (absent or empty when none were asked for). */
  screens?: Map<string, string[]> | undefined;
  /** The server's digest key (`@amux-key`): undefined when this look did not read it, null when it has none. */
  key?: string | null | undefined;
  /** The server's setup: present when this look read it. */
  server?: ServerFacts | undefined;
  /** The share of the project the look was for (observe/server.ts Scope). */
  project?: ProjectSessions | undefined;
  /**
   * Declared hosts that could not be reached for this look: nothing is planned for their replicas
   * (never a duplicate elsewhere). `sessions` then holds the other servers' sessions, each carrying
   * its `host` when not this machine's.
   */
  unreachable?: Unreachable[] | undefined;
  /** The project's workspaces. Absent: not looked at; the planner then assumes every workspace is there and plans none. */
  workspaces?: ObservedWorkspaces | undefined;
}

/** One workspace as it is on disk. */
export interface ObservedWorkspace {
  name: string;
  dir: string;
  /** missing: nothing there yet; ready: a workspace amux made; foreign: something else holds the path (`why`). */
  state: "missing" | "ready" | "foreign";
  why?: string;
  /** The setup command (as shown) that last succeeded there; null: none did. */
  setup: string | null;
  /** Whether the branch it would be made on exists already (missing workspaces in git only). */
  branchExists?: boolean;
}

/** The workspaces of a project, as far as planning needs them. */
export interface ObservedWorkspaces {
  /** The project is in git (workspaces are worktrees); else they are plain folders. */
  git: boolean;
  /** The checkout's current branch, null when detached or unknown (git only). */
  current: string | null;
  list: ObservedWorkspace[];
}

/**
 * A project's share of an observed server, worked out from the labels alone (docker compose's
 * observed state: containers by service, orphans):
 * - `services`: replicas of each declared service (by name), in replica order;
 * - `runs`: this project's sessions without a service (`amux run`);
 * - `orphans`: this project's sessions labelled with a service it no longer declares;
 * - `foreign`: every other session on the server (another project's, or not amux's).
 * When no declared services are given, every labelled service counts as declared.
 */
export interface ProjectSessions {
  root: string;
  /** This project's sessions, in the server's order. */
  mine: ObservedSession[];
  services: Map<string, ObservedSession[]>;
  runs: ObservedSession[];
  orphans: ObservedSession[];
  foreign: ObservedSession[];
}
