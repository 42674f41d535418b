import { chmodSync, closeSync, constants, openSync, statSync } from "node:fs";
import { join } from "node:path";
import { ensureDir, readRegular, writeState } from "./safe-fs.js";

/** Runtime files live under <root>/.amux, kept out of git by amux's own .gitignore there. */
export const GITIGNORE = "# written by amux: runtime state, never committed\n.gitignore\n/state/\n/logs/\n*.garbled-*\n";

export function amuxDir(root: string): string {
  return join(root, ".amux");
}
export function logsDir(root: string): string {
  return join(root, ".amux", "logs");
}
export function recordsDir(root: string): string {
  return join(root, ".amux", "state", "sessions");
}
export function logFile(root: string, session: string): string {
  return join(logsDir(root), `${session}.log`);
}

/**
 * Creates .amux/{logs,state} (0700: logs and state are the user's alone) and the .gitignore that
 * keeps them (and itself) out of git. Never throws: what stands in the way is set aside, what
 * cannot be made is worked without (said once).
 */
export function ensureRuntimeDirs(root: string): void {
  ensureDir(root, logsDir(root));
  ensureDir(root, recordsDir(root));
  // .amux/ may come from a checkout, with the umask's mode.
  for (const d of [amuxDir(root), join(amuxDir(root), "state"), logsDir(root), recordsDir(root)]) {
    try {
      if ((statSync(d).mode & 0o777) !== 0o700) chmodSync(d, 0o700);
    } catch {}
  }
  const gi = join(amuxDir(root), ".gitignore");
  const current = readRegular(gi, 64 * 1024);
  if (!current.ok || current.text !== GITIGNORE) writeState(root, gi, GITIGNORE);
}

/** Creates an empty file readable by its owner only (a log before tmux's pipe appends to it). */
export function createPrivateFile(file: string): void {
  try {
    // Non-blocking: a FIFO standing there fails the open instead of hanging it.
    closeSync(openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o600));
    if ((statSync(file).mode & 0o777) !== 0o600) chmodSync(file, 0o600);
  } catch {}
}
