import { existsSync } from "node:fs";
import { readRecords, type SessionRecord } from "../state/records.js";
import type { ObservedSession } from "../tmux/types.js";

/**
 * Replicas that were running before and whose session was lost: amux's records say the replica
 * existed and was never stopped or removed, tmux no longer has it, and its workspace directory is
 * still there (with the agent's conversation in it). The planner re-creates these resuming.
 * `dirs` are the declared replicas' working directories, by session name.
 */
export function previousReplicas(
  root: string,
  dirs: ReadonlyMap<string, string>,
  observed: readonly ObservedSession[],
  records: readonly SessionRecord[] = readRecords(root),
): Set<string> {
  const live = new Set(observed.map((s) => s.name));
  const out = new Set<string>();
  for (const r of records) {
    if (!r.service || r.stoppedAt !== null || live.has(r.name)) continue;
    const dir = dirs.get(r.name);
    if (dir !== undefined && existsSync(dir)) out.add(r.name);
  }
  return out;
}
