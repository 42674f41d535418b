import { restartsOf } from "../tmux/labels.js";
import type { ObservedSession } from "../tmux/types.js";

/** First restart waits this long; each further one doubles it, up to the cap. */
export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_CAP_MS = 60_000;

export function backoffMs(restarts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, restarts));
}

export { restartsOf };

/** A service's restart rules. */
export interface RestartPolicy {
  restart: "no" | "on-failure" | "always";
  maxRestarts: number;
}

/** What the restart rules say of a dead pane. */
export type RestartVerdict =
  /** tmux has not collected the exit status yet: decide on the next look. */
  | { kind: "unknown" }
  /** The policy does not restart this exit. */
  | { kind: "no"; code: number }
  /** maxRestarts reached. */
  | { kind: "gave-up"; code: number; restarts: number }
  /** Restart number `next`, due at `dueAt` (ms since the epoch). */
  | { kind: "restart"; code: number; restarts: number; next: number; dueAt: number };

/**
 * The one owner of the restart rules: whether a dead pane is restarted, when (exponential
 * backoff from its death), and when the policy has given up. Pure.
 */
export function restartVerdict(p: RestartPolicy, s: ObservedSession): RestartVerdict {
  if (s.exitCode === null || s.deadAt === null) return { kind: "unknown" };
  const code = s.exitCode;
  const wants = p.restart === "always" || (p.restart === "on-failure" && code !== 0);
  if (!wants) return { kind: "no", code };
  const restarts = restartsOf(s);
  if (exhausted(p, restarts)) return { kind: "gave-up", code, restarts };
  return { kind: "restart", code, restarts, next: restarts + 1, dueAt: s.deadAt + backoffMs(restarts) };
}

/** The restart budget is spent (also for a stuck agent under onStuck: restart). */
export function exhausted(p: Pick<RestartPolicy, "maxRestarts">, restarts: number): boolean {
  return restarts >= p.maxRestarts;
}
