import type { Reporter } from "../io.js";
import { acquireLock, type Lock } from "./lock.js";

/** How long `up`/`down` wait for another amux working on the same project. */
export const LOCK_WAIT_MS = 120_000;

export function lockProject(root: string, what: string, reporter: Reporter): Promise<Lock> {
  return acquireLock(root, "project", {
    what,
    waitMs: LOCK_WAIT_MS,
    onWait: (holder) => reporter.info(`waiting for another amux working on this project (${holder})…`),
  });
}
