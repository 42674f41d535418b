import { statSync } from "node:fs";
import { recordsDir } from "./paths.js";
import { readRecords } from "./records.js";

const cache = new Map<string, { stamp: number; held: Set<string> }>();

/**
 * Sessions `amux stop` stopped (their record says so): the watcher leaves these alone while they
 * are not live. Records are written by rename, so the folder's mtime moves with every change: the
 * watcher's tick pays one stat, and reads the records only when they changed.
 */
export function heldStopped(root: string): Set<string> {
  let stamp: number;
  try {
    stamp = statSync(recordsDir(root)).mtimeMs;
  } catch {
    return new Set();
  }
  const hit = cache.get(root);
  if (hit && hit.stamp === stamp) return hit.held;
  const held = new Set(
    readRecords(root)
      .filter((r) => r.stoppedAt && r.stoppedBy === "stop")
      .map((r) => r.name),
  );
  cache.set(root, { stamp, held });
  return held;
}
