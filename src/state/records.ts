import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { recordsDir } from "./paths.js";

/**
 * What amux remembers of a session after tmux forgets it (for `ps --all`). One small JSON file
 * per session; never secrets. Garbled files are ignored: tmux labels are the truth, and records
 * are rewritten from them whenever a session is created or stopped.
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
}

export function writeRecords(root: string, records: SessionRecord[]): void {
  const dir = recordsDir(root);
  for (const r of records) {
    const file = join(dir, `${r.name}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, `${JSON.stringify(r)}\n`, { mode: 0o600 });
      renameSync(tmp, file);
    } catch {
      // Records are a convenience for `ps --all`; tmux labels stay the truth.
    }
  }
}

function isRecord(v: unknown): v is SessionRecord {
  const r = v as SessionRecord;
  return !!r && typeof r === "object" && typeof r.name === "string" && typeof r.agent === "string" && typeof r.createdAt === "string";
}

export function readRecords(root: string): SessionRecord[] {
  let files: string[];
  try {
    files = readdirSync(recordsDir(root)).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  const out: SessionRecord[] = [];
  for (const f of files) {
    try {
      const v = JSON.parse(readFileSync(join(recordsDir(root), f), "utf8"));
      if (isRecord(v)) out.push(v);
    } catch {}
  }
  return out;
}
