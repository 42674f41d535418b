import type { Project } from "../config/project.js";

/**
 * Services whose configuration cannot be resolved (an unset `${VAR}` in their agent or their
 * own declaration, or in a place every service shares): their desired hash means nothing, so
 * drift is unknown and the reason says why. Pure.
 */
export function unresolvedServices(p: Pick<Project, "services" | "missing">): Record<string, string> {
  const out: Record<string, string> = {};
  for (const svc of Object.values(p.services)) {
    const names = p.missing
      .filter((m) => {
        const [top, key] = m.path;
        if (top === "agents") return key === svc.agent;
        if (top === "services") return key === svc.name;
        return true;
      })
      .map((m) => m.name);
    const unique = [...new Set(names)];
    if (unique.length)
      out[svc.name] = `config unresolved: variable${unique.length > 1 ? "s" : ""} ${unique.join(", ")} ${unique.length > 1 ? "are" : "is"} not set`;
  }
  return out;
}

/** Whether a replica differs from the compose file: true/false, or null with the reason when unknown. */
export function driftOf(
  row: { service: string | null; hash: string | undefined },
  view: { hashes: Record<string, string>; unresolved?: Record<string, string> | undefined; configError?: string | undefined },
  session: string,
): { drift: boolean | null; driftReason: string | null } {
  if (!row.service) return { drift: null, driftReason: null };
  const unresolved = view.unresolved?.[row.service];
  if (unresolved) return { drift: null, driftReason: unresolved };
  if (view.configError) return { drift: null, driftReason: `config invalid: ${view.configError}` };
  const want = view.hashes[session];
  if (want === undefined) return { drift: null, driftReason: `service ${row.service} is not declared in the compose file` };
  if (want !== row.hash) return { drift: true, driftReason: "differs from the compose file: amux up recreates it (amux plan says why)" };
  return { drift: false, driftReason: null };
}
