import type { Labels } from "./types.js";

/**
 * The one reader of the numbers amux writes into labels (`@amux-replica`, `@amux-restarts`,
 * `@amux-exit`): plain decimal digits that make a safe integer. Anything else — set by hand, by
 * another program, or hostile ("1e3", "-1", " 2", "0x10", "Infinity", 30 digits) — is no
 * number at all (null), never NaN and never a guess. Pure.
 */
export function labelNumber(v: string | undefined): number | null {
  if (v === undefined || !/^\d{1,15}$/.test(v)) return null;
  return Number(v);
}

/** The replica number a session carries; null when it has none (an `amux run` session) or it is not a number. */
export function replicaOf(s: { labels: Labels }): number | null {
  return labelNumber(s.labels.replica);
}

/** Restarts recorded on a session (0 when none or unreadable). */
export function restartsOf(s: { labels: Labels }): number {
  return labelNumber(s.labels.restarts) ?? 0;
}
