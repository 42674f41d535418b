import type { HostView } from "../desired/view.js";
import { hostServer, unreachableOf } from "../observe/hosts.js";
import { type SessionRecord, writeRecords } from "../state/records.js";
import type { ObservedSession } from "../tmux/types.js";
import { killAcrossHosts } from "./session.js";
import { recordOf } from "./status.js";

/**
 * Sessions on a host the compose file no longer declares. amux knows them from its records, and
 * a record keeps how its host was reached (`hostAt`: ssh destination and root), so such a host
 * can still be reached to remove them (`up --remove-orphans`, `down`).
 */

/** A host the file no longer declares, as its records say it was reached, and their live sessions there. */
export interface GoneHostGroup {
  host: HostView;
  records: SessionRecord[];
}

/** Live records on hosts the file does not declare, by where they were reached; `unknown`: records without `hostAt` (older). Pure. */
export function goneHostOrphans(
  records: readonly SessionRecord[],
  declared: Readonly<Record<string, unknown>>,
): { groups: GoneHostGroup[]; unknown: SessionRecord[] } {
  const groups = new Map<string, GoneHostGroup>();
  const unknown: SessionRecord[] = [];
  for (const r of records) {
    if (!r.host || r.stoppedAt !== null || Object.hasOwn(declared, r.host)) continue;
    if (!r.hostAt) {
      unknown.push(r);
      continue;
    }
    const k = `${r.host}\0${r.hostAt.ssh}\0${r.hostAt.root}`;
    const g = groups.get(k) ?? { host: { id: r.host, ssh: r.hostAt.ssh, root: r.hostAt.root }, records: [] };
    g.records.push(r);
    groups.set(k, g);
  }
  return { groups: [...groups.values()], unknown };
}

export interface GoneHostRemoval {
  removed: { name: string; host: string }[];
  failed: { name: string; error: string }[];
}

/**
 * Removes the sessions of hosts the file no longer declares, reached as their records say: each
 * host looked at once (only the project's sessions of those names: its labels name this root),
 * then killed under the lease on its server (killAcrossHosts); all hosts at once. A session no
 * longer there is recorded as gone; a host that cannot be reached keeps its sessions (failed, with
 * ssh's reason).
 */
export async function removeGoneHostOrphans(root: string, groups: readonly GoneHostGroup[]): Promise<GoneHostRemoval> {
  const out: GoneHostRemoval = { removed: [], failed: [] };
  const stamp = new Date().toISOString();
  await Promise.all(
    groups.map(async ({ host, records: recs }) => {
      const names = recs.map((r) => r.name);
      let live: ObservedSession[];
      try {
        live = await hostServer(host).list();
      } catch (e) {
        const u = unreachableOf(host, e);
        for (const name of names) out.failed.push({ name, error: `host ${host.id} (${u.destination}) cannot be reached: ${u.gist}` });
        return;
      }
      const wanted = new Set(names);
      const found = live.filter((s) => wanted.has(s.name) && s.labels.root === root).map((s) => ({ ...s, host: host.id }));
      const hosts = { [host.id]: host };
      const r = found.length ? await killAcrossHosts(found, hosts) : { ok: [], failed: [] };
      out.failed.push(...r.failed);
      const killed = new Set(r.ok);
      const there = new Set(found.map((s) => s.name));
      const records = [
        ...found.filter((s) => killed.has(s.name)).map((s) => recordOf(s, stamp, "remove", hosts)),
        // Gone from there already (its server restarted, or someone else removed it): said so in its record.
        ...recs.filter((r) => !there.has(r.name)).map((r) => ({ ...r, stoppedAt: stamp, stoppedBy: "remove" as const })),
      ];
      for (const s of found) if (killed.has(s.name)) out.removed.push({ name: s.name, host: host.id });
      writeRecords(root, records);
    }),
  );
  return out;
}
