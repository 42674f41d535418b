import { buildProfile, type StatusOverrides } from "../status/profiles.js";
import type { StatusProfile } from "../status/types.js";

/** An agent as far as its status rules go: its id, its command and its `status:` block as written. */
export interface AgentRules {
  id: string;
  command: string;
  statusSource: StatusOverrides;
}

const compiled = new WeakMap<AgentRules, StatusProfile>();

/**
 * An agent's status profile: the built-in profile its id or command picks, with its `status:`
 * overrides. Compiled from the config's values here (config only loads them), once per agent
 * object: a command compiles the patterns of the agents it classifies, no more.
 */
export function agentProfile(a: AgentRules): StatusProfile {
  let p = compiled.get(a);
  if (!p) {
    p = buildProfile(a.id, a.command, a.statusSource);
    compiled.set(a, p);
  }
  return p;
}
