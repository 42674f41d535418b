/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${...} here is remote shell text, not a template */
import { StringDecoder } from "node:string_decoder";
import { AmuxError } from "../errors.js";
import { type SshHost, type SshSettings, sshRun } from "../ssh/transport.js";
import { cleanLog, followSource, type Liveness, type LogLine, type LogSource } from "./logs.js";
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

/** A session's name becomes a file name there: never a path. */
function checkSession(s: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!s || s.includes("/") || s.startsWith(".") || /[\x00-\x1f\x7f]/.test(s)) throw new AmuxError(`invalid session name ${JSON.stringify(s)}`);
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
  for (const s of sessions) checkSession(s);
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
 * The logs of sessions on a host as a LogSource: each poll is ONE ssh round trip for every log
 * followed, reading past each offset (finishing a rotated file first). Bytes are decoded per
 * session, so a character split between two polls comes out whole.
 */
export function remoteLogSource(host: SshHost, root: string, settings: SshSettings = {}): LogSource<Cursor> {
  checkRoot(host, root);
  const decoders = new Map<string, StringDecoder>();
  return {
    start(s, fromEnd) {
      checkSession(s);
      decoders.set(s, new StringDecoder("utf8"));
      return { offset: 0, ino: fromEnd ? "?" : "-" };
    },
    async poll(cursors) {
      const names = [...cursors.keys()];
      const out = new Map<string, { text: string; cursor: Cursor }>();
      if (!names.length) return out;
      const args = names.flatMap((s) => {
        const c = cursors.get(s) as Cursor;
        return [logFile(root, s), String(c.offset), c.ino];
      });
      const r = await sshRun(host, ["sh", "-c", POLL, "amux-poll", ...args], { ...settings, timeoutMs: 30_000 });
      if (r.code !== 0) throw new AmuxError(`host ${host.id}: cannot read logs: ${r.stderr.trim() || `exit ${r.code}`}`);
      for (const f of parseFrames(r.stdout)) {
        const s = names[Number(f.header[1])];
        if (s === undefined) continue;
        const dec = decoders.get(s) ?? new StringDecoder("utf8");
        decoders.set(s, dec);
        const cur = out.get(s) ?? { text: "", cursor: cursors.get(s) as Cursor };
        cur.text += dec.write(f.data);
        if (f.header[0] === "F") {
          const size = Number(f.header[3]);
          cur.cursor = { ino: f.header[2] ?? "-", offset: Number.isInteger(size) ? size : 0 };
        }
        out.set(s, cur);
      }
      return out;
    },
  };
}

/**
 * followLogs for sessions on a host (same arguments, `host` first and ssh settings last): each
 * tick is ONE ssh round trip on the host's control connection reading what is new in every log
 * followed. A host that cannot be reached for a while is retried each tick; its sessions go on
 * being followed when it answers again.
 */
export function followRemoteLogs(
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
  return followSource(remoteLogSource(host, root, settings), sessions, initial, emit, signal, raw, liveness, onEnd, 250);
}
