/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is remote shell text, not a template */
import { StringDecoder } from "node:string_decoder";
import { AmuxError } from "../errors.js";
import { sleep } from "../io.js";
import { type SshHost, type SshSettings, sshRun } from "../ssh/transport.js";
import { cleanLog, type Liveness, type LogLine } from "./logs.js";
import { GITIGNORE, logFile } from "./paths.js";

/**
 * Logs of sessions on a host: written there by the pane's log writer into `<root>/.amux/logs`
 * (the host's checkout), read here through ssh with the shapes of logs.ts (readLog, followLogs),
 * so `logs`, `logs -f` and `tail` take either. Every call is ONE ssh round trip for all the
 * sessions of a host: a fixed `sh -c` script, every value an argument (quoted by the transport).
 * The remote needs sh and coreutils (tail, head, wc, base64, ls), as the log writer does.
 */

function checkRoot(host: SshHost, root: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!root.startsWith("/") || /[\x00-\x1f\x7f]/.test(root)) {
    throw new AmuxError(`host ${host.id}: root must be an absolute path without control characters: ${JSON.stringify(root)}`);
  }
}

const ENSURE_DIRS = [
  "umask 077",
  "r=$1",
  '[ -d "$r" ] || { printf "%s is not a folder there\\n" "$r" >&2; exit 3; }',
  'for d in "$r/.amux" "$r/.amux/state" "$r/.amux/logs" "$r/.amux/state/sessions"; do',
  '  if [ -L "$d" ] || { [ -e "$d" ] && [ ! -d "$d" ]; }; then printf "%s is not a folder (amux never writes through it)\\n" "$d" >&2; exit 3; fi',
  '  [ -d "$d" ] || mkdir -- "$d" || exit 3',
  '  chmod 700 -- "$d" || exit 3',
  "done",
  "g=$r/.amux/.gitignore",
  'if [ ! -L "$g" ] && [ "$(cat -- "$g" 2>/dev/null)" != "$2" ]; then',
  '  printf "%s" "$3" >"$g.tmp.$$" && mv -f -- "$g.tmp.$$" "$g"',
  "fi",
  "exit 0",
].join("\n");

/**
 * Makes `<root>/.amux/{logs,state/sessions}` on the host (0700, the host user's alone) and the
 * .gitignore that keeps them out of git, as ensureRuntimeDirs does here: the remote pane's log
 * writer appends into that folder and writes nothing when it is missing. Refuses a symbolic link
 * or a file where a folder belongs. One ssh round trip; call it before creating a host's sessions.
 */
export async function ensureRemoteRuntimeDirs(host: SshHost, root: string, settings: SshSettings = {}): Promise<void> {
  checkRoot(host, root);
  const r = await sshRun(host, ["sh", "-c", ENSURE_DIRS, "amux-dirs", root, GITIGNORE.replace(/\n+$/, ""), GITIGNORE], settings);
  if (r.code !== 0) throw new AmuxError(`host ${host.id}: cannot make amux's runtime folders in ${root}: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** Reads the last lines of each file (all with n = "all"): a `F <i>` header, base64, `.`. */
const READ_TAILS = [
  "n=$1; shift; i=0",
  'for f in "$@"; do',
  '  printf "F %s\\n" "$i"',
  '  if [ -f "$f" ]; then if [ "$n" = all ]; then base64 <"$f"; else tail -n "$n" -- "$f" | base64; fi; fi',
  "  echo .",
  "  i=$((i+1))",
  "done",
].join("\n");

/** Splits framed output (`<header>\n<base64 lines>\n.\n`…) into headers and their bytes. Pure. */
export function parseFrames(stdout: string): { header: string[]; data: Buffer }[] {
  const out: { header: string[]; data: Buffer }[] = [];
  let cur: { header: string[]; b64: string[] } | undefined;
  for (const line of stdout.split("\n")) {
    if (!cur) {
      if (line) cur = { header: line.split(" "), b64: [] };
      continue;
    }
    if (line === ".") {
      out.push({ header: cur.header, data: Buffer.from(cur.b64.join(""), "base64") });
      cur = undefined;
    } else cur.b64.push(line.trim());
  }
  return out;
}

function toLines(text: string, n: number | undefined, raw: boolean): string[] {
  if (!text) return [];
  const lines = raw ? text.split("\n") : cleanLog(text);
  if (lines[lines.length - 1] === "") lines.pop();
  return n === undefined ? lines : lines.slice(Math.max(0, lines.length - n));
}

/**
 * The last `n` lines (all when undefined) of each session's log on the host, as readLog returns
 * them, in one ssh round trip; a session without a log maps to []. HostUnreachableError when
 * the host cannot be reached.
 */
export async function readRemoteLogs(
  host: SshHost,
  root: string,
  sessions: readonly string[],
  n?: number,
  raw = false,
  settings: SshSettings = {},
): Promise<Map<string, string[]>> {
  checkRoot(host, root);
  const out = new Map<string, string[]>();
  if (sessions.length === 0) return out;
  if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new AmuxError(`invalid line count ${n}`);
  const files = sessions.map((s) => logFile(root, s));
  const r = await sshRun(host, ["sh", "-c", READ_TAILS, "amux-logs", n === undefined ? "all" : String(n), ...files], settings);
  if (r.code !== 0) throw new AmuxError(`host ${host.id}: cannot read logs: ${r.stderr.trim() || `exit ${r.code}`}`);
  for (const s of sessions) out.set(s, []);
  for (const f of parseFrames(r.stdout)) {
    const s = sessions[Number(f.header[1])];
    if (f.header[0] === "F" && s !== undefined) out.set(s, toLines(f.data.toString("utf8"), n, raw));
  }
  return out;
}

/** One session's log on a host: readLog's shape. */
export async function readRemoteLog(host: SshHost, root: string, session: string, n?: number, raw = false, settings: SshSettings = {}): Promise<string[]> {
  return (await readRemoteLogs(host, root, [session], n, raw, settings)).get(session) ?? [];
}

/**
 * What is new in each log past its cursor: arguments are triples (file, offset, inode). The
 * inode `?` starts at the end (nothing read); `-` is not known. A file whose inode changed
 * starts from 0, after the rest of its rotated `<file>.1` when that is the file we were reading.
 * A file that shrank is read from the start. Frames: `R <i>` (the rotated rest), then
 * `F <i> <inode|-> <size>` (the new cursor) with the bytes.
 */
const POLL = [
  'ino() { x=$(ls -di -- "$1" 2>/dev/null) || return 1; x=${x#"${x%%[! ]*}"}; printf "%s" "${x%% *}"; }',
  'chunk() { tail -c "+$(($2 + 1))" -- "$1" 2>/dev/null | head -c "$3" | base64; }',
  "i=0",
  "while [ $# -ge 3 ]; do",
  "  f=$1 o=$2 k=$3; shift 3",
  '  if [ -f "$f" ]; then',
  '    n=$(ino "$f") || n=-',
  '    s=$(wc -c <"$f" 2>/dev/null) || s=0; s=$((s+0))',
  '    if [ "$k" = "?" ]; then o=$s',
  '    elif [ "$k" != "$n" ]; then',
  '      if [ "$k" != - ] && [ -f "$f.1" ] && [ "$(ino "$f.1")" = "$k" ]; then',
  '        r=$(wc -c <"$f.1" 2>/dev/null) || r=0; r=$((r+0))',
  '        printf "R %s\\n" "$i"; [ "$r" -le "$o" ] || chunk "$f.1" "$o" $((r-o)); echo .',
  "      fi",
  "      o=0",
  "    fi",
  '    [ "$s" -ge "$o" ] || o=0',
  '    printf "F %s %s %s\\n" "$i" "$n" "$s"; [ "$s" -le "$o" ] || chunk "$f" "$o" $((s-o)); echo .',
  "  else",
  '    [ "$k" != "?" ] || o=0',
  '    printf "F %s - %s\\n" "$i" "$o"; echo .',
  "  fi",
  "  i=$((i+1))",
  "done",
].join("\n");

interface Cursor {
  offset: number;
  /** The inode as the host's `ls -i` prints it; "?" start at the end; "-" none. */
  ino: string;
}

/**
 * One poll of a host's logs: the text past each cursor (the rotated rest first), and the new
 * cursors. One ssh round trip for every session. Pure apart from that call.
 */
async function pollRemote(
  host: SshHost,
  root: string,
  cursors: Map<string, Cursor>,
  settings: SshSettings,
): Promise<Map<string, { chunks: Buffer[]; cursor: Cursor }>> {
  const names = [...cursors.keys()];
  const args = names.flatMap((s) => {
    const c = cursors.get(s) as Cursor;
    return [logFile(root, s), String(c.offset), c.ino];
  });
  const out = new Map<string, { chunks: Buffer[]; cursor: Cursor }>();
  if (!names.length) return out;
  const r = await sshRun(host, ["sh", "-c", POLL, "amux-poll", ...args], { ...settings, timeoutMs: 30_000 });
  if (r.code !== 0) throw new AmuxError(`host ${host.id}: cannot read logs: ${r.stderr.trim() || `exit ${r.code}`}`);
  for (const f of parseFrames(r.stdout)) {
    const s = names[Number(f.header[1])];
    if (s === undefined) continue;
    const cur = out.get(s) ?? { chunks: [], cursor: cursors.get(s) as Cursor };
    cur.chunks.push(f.data);
    if (f.header[0] === "F") {
      const size = Number(f.header[3]);
      cur.cursor = { ino: f.header[2] ?? "-", offset: Number.isInteger(size) ? size : 0 };
    }
    out.set(s, cur);
  }
  return out;
}

const EXIT_CODE_GRACE_MS = 1500;
const FLUSH_MS = 300;
const POLL_MS = 250;

/**
 * followLogs for sessions on a host (same arguments, and `host` first): each tick is ONE ssh
 * round trip on the host's control connection reading what is new in every log followed (by
 * offset, finishing a rotated file first). A host that cannot be reached for a while is retried
 * each tick; its sessions go on being followed when it answers again.
 */
export async function followRemoteLogs(
  host: SshHost,
  root: string,
  sessions: () => Promise<string[]>,
  initial: string[],
  emit: (l: LogLine) => void,
  signal: AbortSignal,
  raw = false,
  liveness?: () => Promise<Map<string, Liveness>>,
  onEnd?: (session: string, exitCode: number | null | "gone") => void,
  settings: SshSettings = {},
): Promise<void> {
  checkRoot(host, root);
  const cursors = new Map<string, Cursor>();
  const decoders = new Map<string, StringDecoder>();
  const partial = new Map<string, string>();
  const ending = new Map<string, { since: number; code: number | null | "gone" }>();
  const ended = new Set<string>();
  const follow = (s: string, ino: string) => {
    cursors.set(s, { offset: 0, ino });
    decoders.set(s, new StringDecoder("utf8"));
  };
  for (const s of initial) follow(s, "?");
  let lastScan = Date.now();
  let lastLook = 0;
  const print = (s: string, text: string, flush = false) => {
    const all = (partial.get(s) ?? "") + text;
    const cut = flush ? all.length : all.lastIndexOf("\n");
    if (cut < 0 || (flush && !all)) {
      partial.set(s, all);
      return;
    }
    partial.set(s, flush ? "" : all.slice(cut + 1));
    const chunk = all.slice(0, cut);
    for (const line of raw ? chunk.split("\n") : cleanLog(chunk)) emit({ session: s, text: line });
  };
  while (!signal.aborted) {
    if (Date.now() - lastScan > 1000) {
      lastScan = Date.now();
      for (const s of await sessions().catch(() => [])) if (!cursors.has(s)) follow(s, "-");
    }
    if (liveness && Date.now() - lastLook >= 500) {
      lastLook = Date.now();
      const live = await liveness().catch(() => undefined);
      if (live) {
        for (const s of cursors.keys()) {
          const st = live.get(s);
          if (st && !st.dead) {
            ending.delete(s);
            ended.delete(s);
            continue;
          }
          if (ended.has(s)) continue;
          const prev = ending.get(s);
          const code = st ? st.exitCode : "gone";
          if (!prev) ending.set(s, { since: Date.now(), code });
          else prev.code = code;
        }
      }
    }
    const open = new Map([...cursors].filter(([s]) => !ended.has(s)));
    const got = await pollRemote(host, root, open, settings).catch(() => undefined);
    if (got) {
      for (const [s, g] of got) {
        cursors.set(s, g.cursor);
        const dec = decoders.get(s) as StringDecoder;
        const text = g.chunks.map((c) => dec.write(c)).join("");
        if (text) print(s, text);
      }
    }
    for (const [s, e] of ending) {
      const waited = Date.now() - e.since;
      if (waited < FLUSH_MS || (e.code === null && waited < EXIT_CODE_GRACE_MS)) continue;
      print(s, decoders.get(s)?.end() ?? "", true);
      ending.delete(s);
      ended.add(s);
      onEnd?.(s, e.code);
    }
    if (liveness && cursors.size > 0 && ended.size === cursors.size) return;
    await sleep(POLL_MS);
  }
}
