import { readdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { recordsDir } from "./paths.js";
import { ensureDir, readState, writeStates } from "./safe-fs.js";

/**
 * What amux remembers of a session after tmux forgets it (for `ps --all`). One small JSON file
 * per session; never secrets. Garbled files are set aside (said once): tmux labels are the truth,
 * and records are rewritten from them whenever a session is created or stopped.
 */
export interface SessionRecord {
  name: string;
  project: string;
  service: string | null;
  replica: number | null;
  agent: string;
  workspace: string | null;
  createdAt: string;
  stoppedAt: string | null;
  exitCode: number | null;
  restarts: number;
  /**
   * Who ended it: "stop" (`amux stop`: a declared replica stays stopped while `watch` runs, until
   * `amux start` or `amux up`), "down", or "remove" (convergence removed it). Absent on older records.
   */
  stoppedBy?: StopCause | null;
}

export const STOP_CAUSES = ["stop", "down", "remove"] as const;
export type StopCause = (typeof STOP_CAUSES)[number];

export function writeRecords(root: string, records: SessionRecord[]): void {
  // Records are a convenience for `ps --all`; tmux labels stay the truth.
  writeStates(
    root,
    recordsDir(root),
    records.map((r) => ({ name: `${r.name}.json`, text: `${JSON.stringify(r)}\n` })),
  );
}

function isRecord(v: unknown): v is SessionRecord {
  const r = v as SessionRecord;
  return !!r && typeof r === "object" && typeof r.name === "string" && typeof r.agent === "string" && typeof r.createdAt === "string";
}

export function readRecords(root: string): SessionRecord[] {
  let files: string[];
  try {
    files = readdirSync(recordsDir(root)).filter((f) => f.endsWith(".json"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // A file where the folder belongs: set aside now, so the next write can make the folder.
    if (code === "ENOTDIR") ensureDir(root, recordsDir(root));
    return [];
  }
  const out: SessionRecord[] = [];
  for (const f of files) {
    const v = readState(join(recordsDir(root), f), (t) => {
      const j = JSON.parse(t) as unknown;
      return isRecord(j) ? j : undefined;
    });
    if (v) out.push(v);
  }
  return out;
}

/** Deletes the records of these sessions (missing ones are fine). */
export function removeRecords(root: string, names: string[]): void {
  for (const n of names) {
    try {
      unlinkSync(join(recordsDir(root), `${n}.json`));
    } catch {}
  }
}
