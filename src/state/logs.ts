import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readSync, renameSync, statSync, unlinkSync } from "node:fs";
import { sleep } from "../io.js";
import { stripEscapes } from "../status/classify.js";
import { createPrivateFile, logFile } from "./paths.js";
import { kindOf, setAside, shownPath, warnOnce } from "./safe-fs.js";

/**
 * Turns raw terminal output into readable lines: escapes stripped, carriage returns resolved as
 * a terminal would (later text overwrites earlier text from the left; erase-line clears it).
 */
export function cleanLog(raw: string): string[] {
  return raw.split("\n").map((l) => {
    let shown = "";
    for (const seg of l.split("\r")) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: erase-line is what this looks for
      if (/^\x1b\[[012]?K/.test(seg)) {
        shown = stripEscapes(seg);
        continue;
      }
      const text = stripEscapes(seg);
      shown = text + shown.slice(text.length);
    }
    return shown;
  });
}

/**
 * What a file holds past `offset` (from the start again if it shrank), and its size. Opened
 * without blocking and checked to be a regular file: a FIFO or folder there is ignored, said once.
 */
export function readFrom(file: string, offset: number): { text: string; size: number } {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch {
    return { text: "", size: offset };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      warnOnce(`ignoring ${shownPath(file)}: ${kindOf(st)} where a file belongs`, `ignore:${file}`);
      return { text: "", size: offset };
    }
    const size = st.size;
    if (size < offset) offset = 0;
    const len = size - offset;
    if (len <= 0) return { text: "", size };
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, offset);
    return { text: buf.toString("utf8"), size };
  } finally {
    closeSync(fd);
  }
}

export interface LogLine {
  session: string;
  text: string;
}

/** The last `n` lines of a session's log (all when n is undefined). */
export function readLog(root: string, session: string, n?: number, raw = false): string[] {
  const { text } = readFrom(logFile(root, session), 0);
  if (!text) return [];
  const lines = raw ? text.split("\n") : cleanLog(text);
  if (lines[lines.length - 1] === "") lines.pop();
  return n === undefined ? lines : lines.slice(Math.max(0, lines.length - n));
}

/** How a followed session is doing, as tmux says (absent from the map: gone). */
export interface Liveness {
  dead: boolean;
  exitCode: number | null;
}

function inode(file: string): number | undefined {
  try {
    return statSync(file).ino;
  } catch {
    return undefined;
  }
}

/** How long an exited pane may go without tmux reporting its exit code before we stop waiting for it. */
const EXIT_CODE_GRACE_MS = 1500;
/** After a session ends, its writer may still be flushing: read once more after this. */
const FLUSH_MS = 300;

/**
 * Where followed logs are read: this machine's files (localLogSource), or a host's through ssh
 * (remote-logs.ts). A cursor is the source's own: where it is in a session's log.
 */
export interface LogSource<C> {
  /** The cursor of a newly followed session: past what its log holds now (fromEnd), or at its start. */
  start(session: string, fromEnd: boolean): C;
  /** What is new in each log past its cursor (the rest of a rotated file first), and the new cursors. */
  poll(cursors: ReadonlyMap<string, C>): Promise<Map<string, { text: string; cursor: C }>>;
}

interface FileCursor {
  offset: number;
  ino: number | undefined;
}

/** The logs under `<root>/.amux/logs` on this machine. */
export function localLogSource(root: string): LogSource<FileCursor> {
  return {
    start(s, fromEnd) {
      const file = logFile(root, s);
      return { offset: fromEnd ? readFrom(file, 0).size : 0, ino: inode(file) };
    },
    async poll(cursors) {
      const out = new Map<string, { text: string; cursor: FileCursor }>();
      for (const [s, c] of cursors) {
        const file = logFile(root, s);
        const ino = inode(file);
        let offset = c.offset;
        let text = "";
        if (ino !== c.ino) {
          // The writer rotated the log: finish the old file (now <log>.1), then start the new one.
          if (c.ino !== undefined && inode(`${file}.1`) === c.ino) text += readFrom(`${file}.1`, c.offset).text;
          offset = 0;
        }
        const now = readFrom(file, offset);
        out.set(s, { text: text + now.text, cursor: { offset: now.size, ino } });
      }
      return out;
    },
  };
}

/**
 * Follows logs, as `docker logs -f` does: prints what is new in each file (finishing partial
 * lines before printing them, and reading the rest of a file the writer just rotated), asks
 * `sessions()` now and then for new ones (new replicas of a service), and ends once every session
 * followed has ended, telling `onEnd` how (exit code, or gone).
 */
export function followLogs(
  root: string,
  sessions: () => Promise<string[]>,
  initial: string[],
  emit: (l: LogLine) => void,
  signal: AbortSignal,
  raw = false,
  liveness?: () => Promise<Map<string, Liveness>>,
  onEnd?: (session: string, exitCode: number | null | "gone") => void,
): Promise<void> {
  return followSource(localLogSource(root), sessions, initial, emit, signal, raw, liveness, onEnd);
}

/**
 * followLogs over any LogSource: one poll of every log followed per tick (`pollMs`). A poll
 * that fails (a host that cannot be reached for a while) reads nothing that tick; the logs go on
 * being followed when it answers again.
 */
export async function followSource<C>(
  source: LogSource<C>,
  sessions: () => Promise<string[]>,
  initial: string[],
  emit: (l: LogLine) => void,
  signal: AbortSignal,
  raw = false,
  liveness?: () => Promise<Map<string, Liveness>>,
  onEnd?: (session: string, exitCode: number | null | "gone") => void,
  pollMs = 200,
): Promise<void> {
  const cursors = new Map<string, C>();
  const partial = new Map<string, string>();
  /** Sessions seen ended, with when, and how. */
  const ending = new Map<string, { since: number; code: number | null | "gone" }>();
  const ended = new Set<string>();
  for (const s of initial) cursors.set(s, source.start(s, true));
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
      for (const s of await sessions().catch(() => [])) if (!cursors.has(s)) cursors.set(s, source.start(s, false));
    }
    if (liveness && Date.now() - lastLook >= 500) {
      lastLook = Date.now();
      const live = await liveness().catch(() => undefined);
      if (live) {
        for (const s of cursors.keys()) {
          const st = live.get(s);
          if (st && !st.dead) {
            // Alive, or alive again: restarted in place (a restart policy, `amux restart`).
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
    const got = open.size ? await source.poll(open).catch(() => undefined) : undefined;
    for (const [s, g] of got ?? []) {
      cursors.set(s, g.cursor);
      if (g.text) print(s, g.text);
    }
    for (const [s, e] of ending) {
      const waited = Date.now() - e.since;
      if (waited < FLUSH_MS || (e.code === null && waited < EXIT_CODE_GRACE_MS)) continue;
      print(s, "", true);
      ending.delete(s);
      ended.add(s);
      onEnd?.(s, e.code);
    }
    if (liveness && cursors.size > 0 && ended.size === cursors.size) return;
    await sleep(pollMs);
  }
}

/**
 * Moves a log aside before a new session writes to it (shifting older ones as the log writer
 * does, keeping `keep`; 0 drops it), then makes the new one, private: tmux's pipe appends to it
 * with the server's umask, so it must exist first.
 */
export function rotateLog(f: string, keep: number): void {
  if (existsSync(f)) {
    for (let i = Math.max(1, keep); i > 1; i--) {
      try {
        renameSync(`${f}.${i - 1}`, `${f}.${i}`);
      } catch {}
    }
    try {
      const st = lstatSync(f);
      if (!st.isFile()) setAside(f, `${kindOf(st)} where a file belongs`);
      else if (keep > 0) renameSync(f, `${f}.1`);
      else unlinkSync(f);
    } catch {}
  }
  createPrivateFile(f);
}
