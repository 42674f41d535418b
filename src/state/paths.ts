import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Runtime files live under <root>/.amux, kept out of git by amux's own .gitignore there. */
export const GITIGNORE = "# written by amux: runtime state, never committed\n.gitignore\n/state/\n/logs/\n";

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

/** Creates .amux/{logs,state} (0700: logs and state are the user's alone) and the .gitignore that keeps them (and itself) out of git. */
export function ensureRuntimeDirs(root: string): void {
  const dir = amuxDir(root);
  mkdirSync(logsDir(root), { recursive: true, mode: 0o700 });
  mkdirSync(recordsDir(root), { recursive: true, mode: 0o700 });
  // mkdir's mode applies only to folders it makes: .amux/ may come from a checkout.
  for (const d of [dir, join(dir, "state"), logsDir(root), recordsDir(root)]) {
    try {
      if ((statSync(d).mode & 0o777) !== 0o700) chmodSync(d, 0o700);
    } catch {}
  }
  const gi = join(dir, ".gitignore");
  let current = "";
  try {
    current = readFileSync(gi, "utf8");
  } catch {}
  if (current !== GITIGNORE) writeFileSync(gi, GITIGNORE);
}

/** Creates an empty file readable by its owner only (a log before tmux's pipe appends to it). */
export function createPrivateFile(file: string): void {
  try {
    closeSync(openSync(file, "a", 0o600));
    if ((statSync(file).mode & 0o777) !== 0o600) chmodSync(file, 0o600);
  } catch {}
}
