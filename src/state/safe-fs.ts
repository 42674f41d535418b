import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join, sep } from "node:path";

/**
 * Every file amux touches under .amux/ goes through here. Whatever sits there (a folder where a
 * file belongs, a FIFO, bad JSON, a read-only folder) is never fatal: what amux cannot use is
 * renamed aside as `<name>.garbled-<time>` (or, when even that fails, worked around), and said
 * once, in one warning line. tmux's labels are the truth; everything here is rebuilt from them.
 */

let sink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);
const told = new Set<string>();

/** Where warnings go (stderr by default; stdout carries data and MCP protocol). */
export function setWarningSink(fn: (line: string) => void): void {
  sink = fn;
}

/** Says a warning once per process (or once per `key`). */
export function warnOnce(message: string, key = message): void {
  if (told.has(key)) return;
  told.add(key);
  sink(`amux: warning: ${message}`);
}

/** A folder amux cannot write to is said once, however many files it would have written there. */
function warnUnwritable(path: string, e: unknown): void {
  const i = path.lastIndexOf(`${sep}.amux`);
  warnOnce(
    `cannot write ${shownPath(path)}: ${errText(e)}; working without it (no logs or records kept there)`,
    `unwritable:${i >= 0 ? path.slice(0, i) : path}`,
  );
}

/** A path as the user knows it: from `.amux/` on when it is under one. */
export function shownPath(path: string): string {
  const i = path.lastIndexOf(`${sep}.amux${sep}`);
  if (i >= 0) return path.slice(i + 1);
  return path.endsWith(`${sep}.amux`) ? ".amux" : path;
}

/** What a directory entry is, in words. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return "a folder";
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice() || st.isBlockDevice()) return "a device";
  if (st.isSymbolicLink()) return "a symlink";
  return "a file";
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function stamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/**
 * Moves a garbled entry out of the way so its path can be used again, and says so. Returns false
 * (having said why) when it cannot be moved.
 */
export function setAside(path: string, what: string): boolean {
  // Never onto an earlier set-aside (a rename would replace it).
  let target = `${path}.garbled-${stamp()}`;
  for (let i = 2; lstatOrUndefined(target); i++) target = `${path}.garbled-${stamp()}-${i}`;
  try {
    renameSync(path, target);
    warnOnce(`set aside ${shownPath(path)} (${what}) as ${basename(target)}; amux rebuilds it from tmux's labels`, `aside:${target}`);
    return true;
  } catch (e) {
    warnOnce(`ignoring ${shownPath(path)} (${what}); cannot move it aside: ${errText(e)}`, `ignore:${path}:${what}`);
    return false;
  }
}

export function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const text: Record<string, string> = {
    EACCES: "permission denied",
    EPERM: "operation not permitted",
    EROFS: "read-only file system",
    ENOSPC: "no space left on device",
    ENOTDIR: "a file stands where a folder belongs",
    EISDIR: "a folder stands where a file belongs",
  };
  return (err?.code && text[err.code]) || err?.message || String(e);
}

/**
 * Makes sure `dir` and its parents up from `base` are folders, setting aside anything else that
 * stands in the way. Returns false (having warned) when the folder cannot be made.
 */
export function ensureDir(base: string, dir: string): boolean {
  const rel = dir.slice(base.length).split(sep).filter(Boolean);
  let cur = base;
  for (const part of rel) {
    cur = join(cur, part);
    const st = lstatOrUndefined(cur);
    if (st?.isDirectory()) continue;
    if (st?.isSymbolicLink()) {
      // A symlink to a folder is the user's choice; a dangling one or one to a file is garbage.
      try {
        if (statSync(cur).isDirectory()) continue;
      } catch {}
      if (!setAside(cur, "a symlink where a folder belongs")) return false;
    } else if (st && !setAside(cur, `${kindOf(st)} where a folder belongs`)) return false;
    try {
      mkdirSync(cur, { mode: 0o700 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST" && lstatOrUndefined(cur)?.isDirectory()) continue;
      warnUnwritable(cur, e);
      return false;
    }
  }
  return true;
}

export type ReadResult = { ok: true; text: string } | { ok: false; absent: boolean; why: string };

/**
 * Reads a regular file of at most `maxBytes`, never blocking: a FIFO, device or folder is refused
 * by its lstat before any open, and by fstat after a non-blocking open (for the race where it is
 * swapped in between).
 */
export function readRegular(path: string, maxBytes: number): ReadResult {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, absent: code === "ENOENT" || code === "ENOTDIR", why: errText(e) };
  }
  if (!st.isFile()) return { ok: false, absent: false, why: `is ${kindOf(st)}, not a regular file` };
  if (st.size > maxBytes) return { ok: false, absent: false, why: `is ${formatSize(st.size)}, more than the ${formatSize(maxBytes)} amux reads` };
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, absent: code === "ENOENT", why: errText(e) };
  }
  try {
    const fst = fstatSync(fd);
    if (!fst.isFile()) return { ok: false, absent: false, why: `is ${kindOf(fst)}, not a regular file` };
    // Read one byte past the cap: a file that grew after the stat is still refused.
    const buf = Buffer.alloc(Math.min(fst.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      const r = readSync(fd, buf, n, buf.length - n, n);
      if (r <= 0) break;
      n += r;
      if (n >= buf.length) break;
    }
    if (n > maxBytes) return { ok: false, absent: false, why: `is more than the ${formatSize(maxBytes)} amux reads` };
    return { ok: true, text: buf.subarray(0, n).toString("utf8") };
  } catch (e) {
    return { ok: false, absent: false, why: errText(e) };
  } finally {
    closeSync(fd);
  }
}

function formatSize(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

/** State files are small; anything bigger is garbage. */
export const STATE_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Reads a state file amux wrote itself. Absent: undefined. Not a regular file, unreadable or not
 * what `parse` accepts: set aside (said once) and undefined.
 */
export function readState<T>(path: string, parse: (text: string) => T | undefined): T | undefined {
  const r = readRegular(path, STATE_MAX_BYTES);
  if (!r.ok) {
    if (!r.absent) setAside(path, r.why.replace(/^is /, "").replace(/, not a regular file$/, " where a file belongs"));
    return undefined;
  }
  let v: T | undefined;
  try {
    v = parse(r.text);
  } catch {
    v = undefined;
  }
  if (v === undefined) setAside(path, "not what amux writes there");
  return v;
}

/**
 * Writes a state file atomically (temp file + rename), into a folder made on demand; a folder or
 * other non-file standing at the path is set aside first. Failures are said once, never thrown.
 */
export function writeState(base: string, path: string, text: string): boolean {
  if (!ensureDir(base, dirname(path))) return false;
  return writeStateIn(path, text);
}

/**
 * Writes several state files into one folder (made once, as writeState makes it): for a batch
 * such as the records of a whole fleet. Stops at the first that fails; false then.
 */
export function writeStates(base: string, dir: string, files: { name: string; text: string }[]): boolean {
  if (!files.length) return true;
  if (!ensureDir(base, dir)) return false;
  for (const f of files) if (!writeStateIn(join(dir, f.name), f.text)) return false;
  return true;
}

/** writeState in a folder known to be there. */
function writeStateIn(path: string, text: string): boolean {
  const st = lstatOrUndefined(path);
  if (st && !st.isFile() && !setAside(path, `${kindOf(st)} where a file belongs`)) return false;
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    // "wx": never opens whatever might stand at the temp path (a FIFO would block the write);
    // a leftover of a dead process with this pid is removed, then the write tried once more.
    // 0600: state is the user's alone.
    try {
      writeFileSync(tmp, text, { flag: "wx", mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      unlinkSync(tmp);
      writeFileSync(tmp, text, { flag: "wx", mode: 0o600 });
    }
    renameSync(tmp, path);
    return true;
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {}
    warnUnwritable(path, e);
    return false;
  }
}
