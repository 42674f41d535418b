/** A session amux remembers (a record, a log) that tmux no longer has. */
export interface GoneSession {
  name: string;
  /** When it went: the record's stoppedAt, else the newest of its files' mtimes (ms). */
  goneAt: number;
  /** A declared replica held stopped by `amux stop`: its record is what keeps it stopped. */
  pinned: boolean;
}

export interface RetentionRule {
  maxAgeMs: number;
  maxStopped: number;
}

/**
 * Which gone sessions to forget: those gone longer than maxAge, then the oldest beyond
 * maxStopped. Pinned ones are never forgotten and do not count. Pure; names in sorted order.
 */
export function selectExpired(gone: readonly GoneSession[], now: number, rule: RetentionRule): string[] {
  const drop = new Set<string>();
  const kept: GoneSession[] = [];
  for (const g of gone) {
    if (g.pinned) continue;
    if (now - g.goneAt > rule.maxAgeMs) drop.add(g.name);
    else kept.push(g);
  }
  kept.sort((a, b) => b.goneAt - a.goneAt || (a.name < b.name ? -1 : 1));
  for (const g of kept.slice(Math.max(0, rule.maxStopped))) drop.add(g.name);
  return [...drop].sort();
}

/** The session a file under .amux/logs belongs to: `<name>.log` or `<name>.log.<n>`; undefined otherwise. */
export function logOwner(file: string): string | undefined {
  const m = /^(.+)\.log(?:\.\d+)?$/.exec(file);
  return m?.[1];
}
