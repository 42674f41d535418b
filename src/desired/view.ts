import type { HistoryPolicy } from "../history.js";
import { own } from "../names.js";
import { buildProfile } from "../status/profiles.js";
import type { StatusProfile } from "../status/types.js";
import type { ObservedSession } from "../tmux/types.js";
import { type AgentRules, agentProfile } from "./profiles.js";
import { restartVerdict } from "./restart.js";

/** A declared host as the looks need it: its id, ssh destination and checkout there. */
export interface HostView {
  id: string;
  ssh: string;
  root: string;
}

/** What status and `ps` need of a project; a full Project satisfies it, and so does its cached snapshot. */
export interface ProjectView {
  root: string;
  name: string;
  composeFile: string | undefined;
  configFile: string | undefined;
  /** Each agent's status rules as written (agentProfile compiles them). */
  agents: Record<string, AgentRules>;
  services: Record<string, { name: string; agent: string; restart: "no" | "on-failure" | "always"; maxRestarts: number; stuckAfter?: string | undefined }>;
  /** compose `workspaces:` settings that locate workspaces. */
  workspaces: { root?: string | undefined };
  /** Desired @amux-hash per service session, to show drift. */
  hashes: Record<string, string>;
  /** Why a service's desired state is unknown (an unset variable), by service. */
  unresolved?: Record<string, string> | undefined;
  /** The configuration is invalid (its first problem): nothing's drift is known. */
  configError?: string | undefined;
  /** compose `logs:` and `retention:` (defaults when absent). */
  history?: HistoryPolicy | undefined;
  /** compose `hosts:` by id (absent or empty: this machine only). */
  hosts?: Record<string, HostView> | undefined;
}

/** Moved to observe/group.ts (grouping observed sessions is observing); kept for the adapters until they take it from there. */

/** The status rules for a session: its agent's profile, with its service's stuckAfter. */
export function profileFor(p: Pick<ProjectView, "agents" | "services">, s: ObservedSession): StatusProfile {
  const agentId = s.labels.agent ?? "";
  const agent = own(p.agents, agentId);
  const svc = s.labels.service ? own(p.services, s.labels.service) : undefined;
  // A built-in agent (or one no longer defined): the rules its id picks.
  if (!agent) return buildProfile(agentId, "", {}, svc?.stuckAfter);
  const profile = agentProfile(agent);
  if (svc?.stuckAfter) return { ...profile, stuckAfterMs: buildProfile(agentId, agent.command, {}, svc.stuckAfter).stuckAfterMs };
  return profile;
}

/** A dead replica whose restart policy has given up (restartVerdict decides, as it does for the planner). */
export function gaveUp(p: Pick<ProjectView, "services">, s: ObservedSession): boolean {
  if (!s.dead) return false;
  const svc = s.labels.service ? own(p.services, s.labels.service) : undefined;
  return !!svc && restartVerdict(svc, s).kind === "gave-up";
}
