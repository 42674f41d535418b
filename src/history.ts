import { parseDuration } from "./duration.js";

/** Sizes as written in the compose file: `10MB`, `512KB`, `1GB`, `2048` (bytes). Binary units. */
const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Parses a size into bytes; undefined when malformed. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === "number") return Number.isInteger(text) && text >= 0 ? text : undefined;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[(m[2] ?? "").toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** What amux keeps of sessions that are gone, and how big a log may grow. */
export interface HistoryPolicy {
  /** Each session's log is rotated at this size. */
  logMaxBytes: number;
  /** Rotated log files kept per session. */
  logKeep: number;
  /** Records and logs of sessions gone longer than this are dropped. */
  maxAgeMs: number;
  /** At most this many gone sessions are remembered per project, oldest dropped first. */
  maxStopped: number;
}

/** Defaults, like docker's `local` log driver and `docker system prune`'s habits: bounded, a week of history. */
export const DEFAULT_HISTORY: HistoryPolicy = { logMaxBytes: 10 * 1024 * 1024, logKeep: 2, maxAgeMs: 7 * 24 * 3_600_000, maxStopped: 50 };

/** The policy from the compose file's `logs:` and `retention:` blocks (validated by the schema). */
export function historyPolicy(
  logs: { maxSize?: string | number | undefined; keep?: number | undefined } | undefined,
  retention: { maxAge?: string | undefined; maxStopped?: number | undefined } | undefined,
): HistoryPolicy {
  return {
    logMaxBytes: (logs?.maxSize !== undefined ? parseSize(logs.maxSize) : undefined) ?? DEFAULT_HISTORY.logMaxBytes,
    logKeep: logs?.keep ?? DEFAULT_HISTORY.logKeep,
    maxAgeMs: (retention?.maxAge !== undefined ? parseDuration(retention.maxAge) : undefined) ?? DEFAULT_HISTORY.maxAgeMs,
    maxStopped: retention?.maxStopped ?? DEFAULT_HISTORY.maxStopped,
  };
}
