import { readdirSync } from "node:fs";
import { join } from "node:path";
import { hostReachOk, NAME_PATTERNS } from "../names.js";
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
  /** The host it runs on (an id of compose `hosts:`); null or absent: this machine. */
  host?: string | null;
  /**
   * How that host was reached when the session was made or last seen (its `ssh:` destination and
   * `root:`), so that amux can still reach it once the compose file no longer declares the host
   * (to remove an orphan). Absent on older records and for this machine's sessions.
   */
  hostAt?: HostAt | null;
}

/** A host's ssh destination and checkout, as compose `hosts:` declares them. */
export interface HostAt {
  ssh: string;
  root: string;
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

// Control characters (C0, DEL, C1): a record is printed by `ps --all`, and a hand-made one must not steer the terminal.
const PRINTABLE = /^\P{Cc}*$/u;
const text = (v: unknown): v is string => typeof v === "string" && PRINTABLE.test(v);
const textOrNull = (v: unknown): v is string | null => v === null || text(v);
const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const time = (v: unknown): v is string => text(v) && !Number.isNaN(Date.parse(v));

/**
 * A record file's text as amux wrote it, or undefined: every field of its type, the name a
 * session name and the file's own (`<name>.json`), times that parse. Only the known fields are
 * kept, so nothing a hand-edited file adds reaches `ps --json`. Pure.
 */
export function parseRecord(file: string, json: string): SessionRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const r = v as Record<string, unknown>;
  if (!text(r.name) || !NAME_PATTERNS.session.test(r.name) || `${r.name}.json` !== file) return undefined;
  if (!text(r.project) || !textOrNull(r.service) || !text(r.agent) || !textOrNull(r.workspace)) return undefined;
  if (!(r.replica === null || count(r.replica)) || !(r.exitCode === null || Number.isSafeInteger(r.exitCode)) || !count(r.restarts)) return undefined;
  if (!time(r.createdAt) || !(r.stoppedAt === null || time(r.stoppedAt))) return undefined;
  const by = r.stoppedBy;
  if (!(r.host === undefined || r.host === null || (text(r.host) && NAME_PATTERNS.host.test(r.host)))) return undefined;
  if (!(by === undefined || by === null || STOP_CAUSES.includes(by as StopCause))) return undefined;
  // Where a host was reached: exactly compose's rules for a host (ssh never an option of ssh's, no
  // spaces or control characters; root absolute), and only on a host's session.
  const at = r.hostAt;
  if (!(at === undefined || at === null || (typeof r.host === "string" && hostAtOk(at)))) return undefined;
  return {
    name: r.name,
    project: r.project,
    service: r.service,
    replica: r.replica as number | null,
    agent: r.agent,
    workspace: r.workspace,
    createdAt: r.createdAt,
    stoppedAt: r.stoppedAt as string | null,
    exitCode: r.exitCode as number | null,
    restarts: r.restarts,
    ...(by === undefined ? {} : { stoppedBy: by as StopCause | null }),
    ...(typeof r.host === "string" ? { host: r.host } : {}),
    ...(at && typeof r.host === "string" ? { hostAt: { ssh: (at as HostAt).ssh, root: (at as HostAt).root } } : {}),
  };
}

function hostAtOk(v: unknown): v is HostAt {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const h = v as Record<string, unknown>;
  return (
    Object.keys(h).every((k) => k === "ssh" || k === "root") && text(h.ssh) && text(h.root) && hostReachOk({ ssh: h.ssh as string, root: h.root as string })
  );
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
    const v = readState(join(recordsDir(root), f), (t) => parseRecord(f, t));
    if (v) out.push(v);
  }
  return out;
}
