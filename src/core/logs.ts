import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { logFile } from "../state/paths.js";
import { kindOf, shownPath, warnOnce } from "../state/safe-fs.js";
import { stripEscapes } from "../status/classify.js";
import { sleep } from "./io.js";

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

/**
 * Follows logs: prints what is new in each file, finishing partial lines before printing them,
 * and asks `sessions()` now and then for new ones (new replicas of a service).
 */
export async function followLogs(
  root: string,
  sessions: () => Promise<string[]>,
  initial: string[],
  emit: (l: LogLine) => void,
  signal: AbortSignal,
  raw = false,
): Promise<void> {
  const offsets = new Map<string, number>();
  const partial = new Map<string, string>();
  for (const s of initial) offsets.set(s, readFrom(logFile(root, s), 0).size);
  let lastScan = Date.now();
  while (!signal.aborted) {
    if (Date.now() - lastScan > 1000) {
      lastScan = Date.now();
      for (const s of await sessions().catch(() => [])) if (!offsets.has(s)) offsets.set(s, 0);
    }
    for (const [s, off] of offsets) {
      const { text, size } = readFrom(logFile(root, s), off);
      offsets.set(s, size);
      if (!text) continue;
      const all = (partial.get(s) ?? "") + text;
      const cut = all.lastIndexOf("\n");
      partial.set(s, cut < 0 ? all : all.slice(cut + 1));
      if (cut < 0) continue;
      const chunk = all.slice(0, cut);
      for (const line of raw ? chunk.split("\n") : cleanLog(chunk)) emit({ session: s, text: line });
    }
    await sleep(200);
  }
}
