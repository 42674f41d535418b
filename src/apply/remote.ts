import { AmuxError } from "../errors.js";
import type { LogStep } from "../plan/types.js";
import { type SshHost, sshRun } from "../ssh/transport.js";
import { runBatch } from "../tmux/ops.js";
import type { TmuxRunner } from "../tmux/runner.js";
import type { Effects } from "./effects.js";

/**
 * Gets logs ready on a host, in sh only (a host has no amux): each log's folder made private
 * (0700), then each file moved aside (`keep` kept: <log>.1 …) when its step rotates, and created
 * private (0600). Arguments: triples of file, rotate (1/0) and keep. Every value is an argument
 * of the script, never part of it.
 */
export const PREPARE_LOGS = [
  "umask 077",
  "while [ $# -ge 3 ]; do",
  " f=$1 r=$2 k=$3; shift 3",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's parameter expansion
  " d=${f%/*}",
  ' mkdir -p -- "$d" && chmod 700 -- "$d" || exit 1',
  ' if [ "$r" = 1 ] && [ -e "$f" ]; then',
  '  i=$k; while [ "$i" -gt 1 ]; do j=$((i-1)); [ ! -e "$f.$j" ] || mv -f -- "$f.$j" "$f.$i"; i=$j; done',
  '  if [ "$k" -gt 0 ]; then mv -f -- "$f" "$f.1"; else rm -f -- "$f"; fi',
  " fi",
  ' [ -e "$f" ] || : >"$f" || exit 1',
  ' chmod 600 -- "$f" || exit 1',
  "done",
].join("\n");

/**
 * The effects on a host, over ssh: its tmux server (one batch, one round trip), its log files
 * (one round trip for all of a batch's). Workspaces there are not made by these effects yet:
 * `canMakeWorkspaces` is unset, so apply refuses a replica in one rather than start it elsewhere.
 */
export function hostEffects(host: SshHost, runner: TmuxRunner): Effects {
  return {
    tmux: { runBatch: (lines, setup) => runBatch(lines, setup, runner) },
    git: {
      ensureWorkspace: async (r) => {
        throw new AmuxError(`host ${host.id}: cannot make workspace ${r.name} there yet`);
      },
    },
    files: {
      prepareLog: () => {},
      // A host's lines carry the wrapper and the log writer inline (no files of amux's there).
      scripts: () => undefined,
      prepareLogs: async (steps: LogStep[]) => {
        for (const s of steps) if (!s.file.startsWith("/")) throw new AmuxError(`host ${host.id}: not an absolute log path: ${s.file}`);
        const args = steps.flatMap((s) => [s.file, s.rotate ? "1" : "0", String(Math.max(0, Math.floor(s.keep)))]);
        const r = await sshRun(host, ["sh", "-c", PREPARE_LOGS, "amux-logs", ...args]);
        if (r.code !== 0) throw new AmuxError(`host ${host.id}: cannot prepare the logs: ${r.stderr.trim() || `exit ${r.code}`}`);
      },
    },
  };
}
