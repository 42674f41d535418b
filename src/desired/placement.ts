import type { HostDecl, Project } from "../config/project.js";

/**
 * Where a replica runs (pure): the host id its service's `host:` gives replica n (1-based), a
 * list spreading replicas round-robin (replica n on hosts[(n-1) % length]); null for this machine.
 */
export function replicaHostId(host: string | readonly string[] | undefined, replica: number): string | null {
  if (host === undefined) return null;
  if (typeof host === "string") return host;
  if (host.length === 0) return null;
  return host[(replica - 1) % host.length] ?? null;
}

/** The declared host of a service's replica n, or null for this machine (the loader checked the ids). */
export function replicaHost(p: Pick<Project, "services" | "hosts">, service: string, replica: number): HostDecl | null {
  const svc = Object.hasOwn(p.services, service) ? p.services[service] : undefined;
  const id = replicaHostId(svc?.host, replica);
  if (id === null) return null;
  return Object.hasOwn(p.hosts, id) ? (p.hosts[id] ?? null) : null;
}
