import { replicaOf } from "../tmux/labels.js";
import type { ObservedSession } from "../tmux/types.js";
import type { ProjectSessions } from "./types.js";

/** A project's sessions: the ones labelled with its root (the only label that says whose a session is). Pure. */
export function projectSessions(p: { root: string }, all: readonly ObservedSession[]): ObservedSession[] {
  return all.filter((s) => s.labels.root === p.root);
}

/**
 * A project's share of the observed sessions (see ProjectSessions): by service, `amux run`
 * sessions, orphans of services no longer declared, and everything else as foreign. A label is
 * only ever compared, never trusted as a key of anything: a service called "constructor" or
 * "__proto__" is one more name. Pure.
 */
export function groupProject(all: readonly ObservedSession[], root: string, declared?: Iterable<string>): ProjectSessions {
  const known = declared === undefined ? undefined : new Set(declared);
  const out: ProjectSessions = { root, mine: [], services: new Map(), runs: [], orphans: [], foreign: [] };
  for (const name of known ?? []) out.services.set(name, []);
  for (const s of all) {
    if (s.labels.root !== root) {
      out.foreign.push(s);
      continue;
    }
    out.mine.push(s);
    const svc = s.labels.service;
    if (!svc) out.runs.push(s);
    else if (known && !known.has(svc)) out.orphans.push(s);
    else {
      const list = out.services.get(svc);
      if (list) list.push(s);
      else out.services.set(svc, [s]);
    }
  }
  const byReplica = (a: ObservedSession, b: ObservedSession) => (replicaOf(a) ?? 0) - (replicaOf(b) ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  for (const list of out.services.values()) list.sort(byReplica);
  return out;
}
