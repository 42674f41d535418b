import { shQuote } from "./quote.js";

/** How a session's log is capped: rotated to <log>.1 … <log>.<keep> when it reaches maxBytes. */
export interface LogCap {
  maxBytes: number;
  /** Rotated files kept; 0 truncates instead. */
  keep: number;
}

export const DEFAULT_LOG_CAP: LogCap = { maxBytes: 10 * 1024 * 1024, keep: 2 };

/**
 * The writer tmux's pipe-pane feeds, in sh and coreutils only (remote hosts have no node). `dd`
 * copies at most what is left under the cap, writing each read at once (head would hold output in
 * its stdio buffer, so a log would lag its pane), and with count_bytes reads no more than that,
 * so nothing is lost at a rotation. dd also stops after `count / bs` reads (short pipe reads
 * count as blocks): the loop starts another; one that copied nothing met the end of the pipe
 * (the pane closed it). The shell wakes every few thousand reads and to rotate: a chatty agent
 * costs about what `cat` costs. Where dd lacks count_bytes (BSD, macOS) the writer is plain `cat`:
 * the log is kept, uncapped.
 */
export const LOG_WRITER = [
  // Logs are the user's alone, rotated ones too (the file after a rotation is made here).
  "umask 077",
  "f=$1 m=$2 k=$3 s=0 first=1",
  // One open file for the copies: a log removed meanwhile (prune, a test's clean-up) is never made again.
  'exec 3>>"$f" || exit 0',
  // A new session's log is empty (no process to measure it); a restarted one's is measured once.
  '[ ! -s "$f" ] || { s=$({ wc -c <"$f"; } 2>/dev/null) || s=0; s=$((s+0)); }',
  "while :; do",
  " if [ $s -lt $m ]; then",
  "  if ! dd bs=4096 count=$((m-s)) iflag=count_bytes status=none >&3 2>/dev/null; then",
  // A dd without count_bytes (BSD, macOS) refuses before reading: keep the log, uncapped.
  "   [ $first = 0 ] || exec cat >&3",
  "   exit 0",
  "  fi",
  "  first=0",
  '  n=$({ wc -c <"$f"; } 2>/dev/null) || n=0',
  "  [ $((n+0)) -gt $s ] || exit 0",
  "  s=$((n+0))",
  "  [ $s -ge $m ] || continue",
  " fi",
  " i=$k",
  ' while [ $i -gt 1 ]; do j=$((i-1)); [ ! -e "$f.$j" ] || mv -f "$f.$j" "$f.$i"; i=$j; done',
  ' if [ $k -gt 0 ]; then mv -f "$f" "$f.1"; else : >"$f"; fi',
  ' exec 3>>"$f" || exit 0',
  " s=0",
  "done",
].join("\n");

/**
 * The shell line pipe-pane runs (commandLine escapes it for tmux's format and strftime expansion).
 * With the script as a file, the shell tmux starts for the pipe sources it (`.`) rather than
 * starting a second shell for it: one process start fewer per session.
 */
export function logWriterCommand(file: string, cap: LogCap = DEFAULT_LOG_CAP, script?: string): string {
  const max = Math.max(1024, Math.floor(cap.maxBytes));
  const keep = Math.max(0, Math.floor(cap.keep));
  if (script !== undefined) return `set -- ${shQuote(file)} ${max} ${keep}; . ${shQuote(script)}`;
  return `exec sh -c ${shQuote(LOG_WRITER)} amux-log ${shQuote(file)} ${max} ${keep}`;
}
