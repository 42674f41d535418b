import { readdirSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_HISTORY, type HistoryPolicy } from "../history.js";
import { observeSessions } from "../observe/server.js";
import { logsDir, recordsDir } from "../state/paths.js";
import { type GoneSession, logOwner, type RetentionRule, selectExpired } from "../state/retention.js";
import { readRegular } from "../state/safe-fs.js";

export interface PruneResult {
  /** Sessions forgotten (their records and logs removed). */
  sessions: string[];
  files: string[];
  bytes: number;
  /** Declared replicas kept because `amux stop` holds them stopped. */
  held: string[];
}

interface Found {
  gone: GoneSession[];
  files: Map<string, { path: string; size: number }[]>;
}

/** Records and logs of sessions tmux does not have, grouped by session. Unreadable files are skipped. */
function findGone(root: string, live: ReadonlySet<string>, declared: Set<string>): Found {
  // Names taken for live (a host's session not known stopped joins them); the caller's set is left as it is.
  const seen = new Set(live);
  const files = new Map<string, { path: string; size: number }[]>();
  const newest = new Map<string, number>();
  const stopped = new Map<string, { at: number; held: boolean }>();
  const add = (name: string, path: string) => {
    try {
      const st = statSync(path);
      if (!st.isFile()) return;
      files.set(name, [...(files.get(name) ?? []), { path, size: st.size }]);
      newest.set(name, Math.max(newest.get(name) ?? 0, st.mtimeMs));
    } catch {}
  };
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  for (const f of list(recordsDir(root))) {
    if (!f.endsWith(".json")) continue;
    const name = f.slice(0, -5);
    if (seen.has(name)) continue;
    const path = join(recordsDir(root), f);
    // Never block on a FIFO or read a device: only a regular file of a record's size is read.
    const text = readRegular(path, 64 * 1024);
    let r: { stoppedAt?: unknown; stoppedBy?: unknown; host?: unknown } | undefined;
    try {
      r = text.ok ? (JSON.parse(text.text) as typeof r) : undefined;
    } catch {}
    // A session on a host, not known to have stopped: this machine's tmux cannot say it is gone
    // (its record is what shows it `unreachable` when its host cannot be reached).
    if (r && typeof r.host === "string" && r.stoppedAt === null) {
      seen.add(name);
      continue;
    }
    add(name, path);
    if (!text.ok) continue;
    try {
      if (!r) throw new Error("unreadable");
      const at = typeof r.stoppedAt === "string" ? Date.parse(r.stoppedAt) : Number.NaN;
      stopped.set(name, { at, held: r.stoppedBy === "stop" && declared.has(name) });
    } catch {}
  }
  for (const f of list(logsDir(root))) {
    const name = logOwner(f);
    if (name === undefined || seen.has(name)) continue;
    add(name, join(logsDir(root), f));
  }
  const gone: GoneSession[] = [...files.keys()].map((name) => {
    const s = stopped.get(name);
    return { name, goneAt: s && Number.isFinite(s.at) ? s.at : (newest.get(name) ?? 0), pinned: !!s?.held };
  });
  return { gone, files };
}

/** The gone sessions (tmux does not have them) and which of them the rule forgets, with their files. */
export function chooseForgotten(root: string, live: ReadonlySet<string>, declared: Set<string>, rule: RetentionRule | "all", now: number, dropHolds = false) {
  const found = findGone(root, live, declared);
  const gone = dropHolds ? found.gone.map((g) => ({ ...g, pinned: false })) : found.gone;
  return { gone, files: found.files, names: selectExpired(gone, now, rule === "all" ? { maxAgeMs: -1, maxStopped: 0 } : rule) };
}

/**
 * Forgets gone sessions: those the rule selects (all of them for `amux prune`), never a live
 * session's files, and not the hold of a declared replica unless `dropHolds` (`prune --all`).
 */
export async function pruneHistory(
  root: string,
  declared: Set<string>,
  rule: RetentionRule | "all",
  now = Date.now(),
  dropHolds = false,
): Promise<PruneResult> {
  const live = new Set((await observeSessions()).sessions.map((s) => s.name));
  const { gone, files, names } = chooseForgotten(root, live, declared, rule, now, dropHolds);
  const out: PruneResult = {
    sessions: [],
    files: [],
    bytes: 0,
    held: gone
      .filter((g) => g.pinned)
      .map((g) => g.name)
      .sort(),
  };
  for (const n of names) {
    let any = false;
    for (const f of files.get(n) ?? []) {
      try {
        unlinkSync(f.path);
        out.files.push(f.path);
        out.bytes += f.size;
        any = true;
      } catch {}
    }
    if (any) out.sessions.push(n);
  }
  return out;
}

/**
 * The history as it will be once `leaving` (live now, the others in `live` staying) have gone at
 * `at` with a record each (`stoppedBy` down: never a hold): which of them keep a record, and the
 * files to forget then. The same choice pruneHistory would make after their records were written,
 * made first, so that records bound to be deleted at once are never written.
 */
export interface HistoryAfter {
  /** Leaving sessions whose record the retention keeps. */
  keep: Set<string>;
  /** Sessions to forget, with their files (a leaving one's logs; its record is never written). */
  forget: Map<string, string[]>;
  /** Every session the choice took for gone (leaving ones included). */
  gone: Set<string>;
}

export function historyAfter(
  root: string,
  live: ReadonlySet<string>,
  leaving: readonly string[],
  at: number,
  declared: Set<string>,
  h: HistoryPolicy | undefined,
  now = Date.now(),
): HistoryAfter {
  const going = new Set(leaving);
  const staying = new Set([...live].filter((n) => !going.has(n)));
  const found = findGone(root, staying, declared);
  // A leaving session's old record (a name used before) is replaced by the one written now.
  const gone = [...found.gone.filter((g) => !going.has(g.name)), ...leaving.map((name) => ({ name, goneAt: at, pinned: false }))];
  const names = new Set(selectExpired(gone, now, retentionOf(h)));
  const forget = new Map<string, string[]>();
  for (const n of names) {
    const files = (found.files.get(n) ?? []).map((f) => f.path);
    // A leaving session forgotten at once: its record (an old one too) goes with its logs.
    if (going.has(n)) files.push(join(recordsDir(root), `${n}.json`));
    forget.set(n, [...new Set(files)]);
  }
  return { keep: new Set(leaving.filter((n) => !names.has(n))), forget, gone: new Set(gone.map((g) => g.name)) };
}

/** Deletes what historyAfter chose to forget, never the files of a session tmux has (`live`). */
export function forgetFiles(forget: ReadonlyMap<string, string[]>, live: ReadonlySet<string>): void {
  for (const [name, files] of forget) {
    if (live.has(name)) continue;
    for (const f of files) {
      try {
        unlinkSync(f);
      } catch {}
    }
  }
}

/** The retention part of a history policy. */
export function retentionOf(h: HistoryPolicy | undefined): RetentionRule {
  return { maxAgeMs: (h ?? DEFAULT_HISTORY).maxAgeMs, maxStopped: (h ?? DEFAULT_HISTORY).maxStopped };
}

/** Opportunistic pruning by `up`, `down` and `stop`: a failure here never fails them. */
export async function prunePassively(root: string, declared: Set<string>, h: HistoryPolicy | undefined): Promise<void> {
  try {
    await pruneHistory(root, declared, retentionOf(h));
  } catch {}
}
