import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
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

/** Creates .amux/{logs,state} and the .gitignore that keeps them (and itself) out of git. */
export function ensureRuntimeDirs(root: string): void {
  const dir = amuxDir(root);
  mkdirSync(logsDir(root), { recursive: true });
  mkdirSync(recordsDir(root), { recursive: true });
  const gi = join(dir, ".gitignore");
  let current = "";
  try {
    current = readFileSync(gi, "utf8");
  } catch {}
  if (current !== GITIGNORE) writeFileSync(gi, GITIGNORE);
}
