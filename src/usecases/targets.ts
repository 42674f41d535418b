import { NotFoundError, UsageError } from "../errors.js";
import { replicaOf } from "../tmux/labels.js";
import type { ObservedSession } from "../tmux/types.js";

/** What a name the user gave stands for among this project's live sessions. */
export interface Target {
  /** The live sessions it means (empty for a declared service with none running). */
  sessions: ObservedSession[];
  /** The service it named, when it was not a session's own name. */
  service: string | null;
}

/** What exists, for an error that lists it. */
export function whatExists(sessions: string[], services: string[]): string[] {
  const hints: string[] = [];
  if (sessions.length) hints.push(`sessions: ${[...new Set(sessions)].sort().join(", ")}`);
  if (services.length) hints.push(`services: ${[...new Set(services)].sort().join(", ")}`);
  return hints.length ? hints : ["this project has no sessions and declares no services"];
}

/**
 * Resolves a session or service name to this project's live sessions. Pure. A session's own
 * name wins; then a service's replicas; `one` refuses a service with several (naming them).
 * A name that is neither (nor a recorded session) is a usage error listing what exists.
 */
export function resolveTarget(name: string, mine: ObservedSession[], declared: { services: string[]; recorded?: string[] }, want: "one" | "all"): Target {
  const own = mine.find((s) => s.name === name);
  if (own) return { sessions: [own], service: null };
  const replicas = mine
    .filter((s) => s.labels.service === name)
    .sort((a, b) => (replicaOf(a) ?? 0) - (replicaOf(b) ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (replicas.length > 1 && want === "one")
    throw new UsageError(`service ${name} has ${replicas.length} sessions; name one of them`, [`sessions: ${replicas.map((s) => s.name).join(", ")}`]);
  if (replicas.length || declared.services.includes(name)) return { sessions: replicas, service: name };
  if (declared.recorded?.includes(name)) return { sessions: [], service: null };
  const services = [...declared.services, ...mine.map((s) => s.labels.service).filter((s): s is string => !!s)];
  throw new NotFoundError(`no session or service ${name}`, whatExists([...mine.map((s) => s.name), ...(declared.recorded ?? [])], services));
}

/** The ps filters that name nothing this project has or declares. Pure. */
export function unknownFilters(filters: string[], known: { sessions: string[]; services: string[] }): string[] {
  return filters.filter((f) => !known.sessions.includes(f) && !known.services.includes(f));
}
