const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `500ms`, `3s`, `10m`, `1h`, `7d`, `1m30s` into milliseconds; undefined when malformed.
 * With `bareUnit`, a plain number is read in that unit (the CLI's `--interval 2` is two seconds).
 */
export function parseDuration(text: string, bareUnit?: "ms" | "s" | "m" | "h" | "d"): number | undefined {
  const s = text.trim();
  if (bareUnit && /^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * (UNITS[bareUnit] ?? 0));
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(m[1]) * (UNITS[m[2] as string] ?? 0);
  }
  return Math.round(total);
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
}
