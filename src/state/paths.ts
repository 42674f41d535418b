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
 * Creates .amux/{logs,state} and the .gitignore that keeps them (and itself) out of git. Never
 * throws: what stands in the way is set aside, what cannot be made is worked without (said once).
 */
export function ensureRuntimeDirs(root: string): void {
  ensureDir(root, logsDir(root));
  ensureDir(root, recordsDir(root));
  const gi = join(amuxDir(root), ".gitignore");
  const current = readRegular(gi, 64 * 1024);
  if (!current.ok || current.text !== GITIGNORE) writeState(root, gi, GITIGNORE);
}
