import { escapeFormat, shQuote } from "./quote.js";

/** How a session's log is capped: rotated to <log>.1 … <log>.<keep> when it reaches maxBytes. */
export interface LogCap {
  maxBytes: number;
  /** Rotated files kept; 0 truncates instead. */
  keep: number;
}

export const DEFAULT_LOG_CAP: LogCap = { maxBytes: 10 * 1024 * 1024, keep: 2 };

/**
 * The writer tmux's pipe-pane feeds, in POSIX sh and coreutils only (remote hosts have no node).
 * `head -c` copies at most what is left under the cap (GNU head reads no more than it writes, so
 * nothing is lost at a rotation) and the shell wakes only to rotate: a chatty agent costs what
 * `cat` costs. head ending below the cap means the pane closed the pipe.
 */
export const LOG_WRITER = [
  "f=$1 m=$2 k=$3",
  "while :; do",
  ' s=$({ wc -c <"$f"; } 2>/dev/null) || s=0',
  " if [ $((s+0)) -lt $m ]; then",
  '  head -c $((m-s)) >>"$f" || exit 0',
  '  s=$({ wc -c <"$f"; } 2>/dev/null) || s=0',
  "  [ $((s+0)) -ge $m ] || exit 0",
  " fi",
  " i=$k",
  ' while [ $i -gt 1 ]; do j=$((i-1)); [ ! -e "$f.$j" ] || mv -f "$f.$j" "$f.$i"; i=$j; done',
  ' if [ $k -gt 0 ]; then mv -f "$f" "$f.1"; else : >"$f"; fi',
  "done",
].join("\n");

/** The shell line pipe-pane runs (already escaped for tmux's format expansion). */
export function logWriterCommand(file: string, cap: LogCap = DEFAULT_LOG_CAP): string {
  const max = Math.max(1024, Math.floor(cap.maxBytes));
  const keep = Math.max(0, Math.floor(cap.keep));
  return escapeFormat(`exec sh -c ${shQuote(LOG_WRITER)} amux-log ${shQuote(file)} ${max} ${keep}`);
}
