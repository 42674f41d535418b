import type { WorkspaceSettings } from "../config/project.js";
import { AmuxError } from "../errors.js";
import type { Reporter } from "../io.js";
import type { LogStep } from "../plan/types.js";
import { type SshHost, sshRun } from "../ssh/transport.js";
import { ensureRemoteRuntimeDirs } from "../state/remote-logs.js";
import { acquireLease, newLeaseOwner, releaseLease } from "../tmux/lease.js";
import { runBatch } from "../tmux/ops.js";
import type { TmuxRunner } from "../tmux/runner.js";
import { ensureRemoteWorkspace } from "../workspace/remote.js";
import type { Effects } from "./effects.js";

/**
 * Gets logs ready on a host, in sh only (a host has no amux): each file moved aside (`keep`
 * kept: <log>.1 …) when its step rotates, and created private (0600) in its folder (made 0700
 * when missing). Arguments: triples of file, rotate (1/0) and keep. Every value is an argument
 * of the script, never part of it.
 */
export const PREPARE_LOGS = [
  "umask 077",
  "while [ $# -ge 3 ]; do",
  " f=$1 r=$2 k=$3; shift 3",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's parameter expansion
  " d=${f%/*}",
  ' [ -d "$d" ] || mkdir -p -- "$d" || exit 1',
  ' if [ "$r" = 1 ] && [ -e "$f" ]; then',
  '  i=$k; while [ "$i" -gt 1 ]; do j=$((i-1)); [ ! -e "$f.$j" ] || mv -f -- "$f.$j" "$f.$i"; i=$j; done',
  '  if [ "$k" -gt 0 ]; then mv -f -- "$f" "$f.1"; else rm -f -- "$f"; fi',
  " fi",
  ' [ -e "$f" ] || : >"$f" || exit 1',
  ' chmod 600 -- "$f" || exit 1',
  "done",
].join("\n");

/** This process's owner id for leases on hosts' tmux servers. */
let owner: string | undefined;
/** Hosts (and roots) whose runtime folders this process has made sure of. */
const readyDirs = new Set<string>();

/** This process's owner id for leases on hosts' tmux servers (one per process). */
export function leaseOwner(): string {
  owner ??= newLeaseOwner();
  return owner;
}

/**
 * Runs `fn` under the lease on a host's tmux server (taken before, released after, even when
 * `fn` fails): what changes that server's sessions outside a plan (down, stop) waits for no one
 * but never works over another controller's apply. LeaseHeldError when another live controller
 * holds it (fn is not run).
 */
export async function withHostLease<T>(runner: TmuxRunner, fn: () => Promise<T>): Promise<T> {
  const me = leaseOwner();
  await acquireLease(runner, me);
  try {
    return await fn();
  } finally {
    await releaseLease(runner, me).catch(() => {});
  }
}

export interface HostEffectsOptions {
  /** The project's checkout on the host. */
  root: string;
  /** compose `workspaces:` settings (the host's workspaces follow them). */
  workspaces: Pick<WorkspaceSettings, "base" | "root" | "setup" | "setupShown" | "copy" | "symlink">;
  reporter: Reporter;
}

/**
 * The effects on a host, over ssh: its tmux server (one batch, one round trip, under a lease on
 * that server), its workspaces (worktrees of the host's root, workspace/remote.ts) and its log
 * files (the runtime folders made 0700 once per process, then one round trip for all of a
 * batch's logs).
 */
export function hostEffects(host: SshHost, runner: TmuxRunner, o: HostEffectsOptions): Effects {
  return {
    tmux: {
      runBatch: (lines, setup) => runBatch(lines, setup, runner),
      hold: async () => {
        const me = leaseOwner();
        await acquireLease(runner, me);
        return {
          release: async () => {
            await releaseLease(runner, me);
          },
        };
      },
    },
    git: {
      canMakeWorkspaces: true,
      ensureWorkspace: async (r) => ({
        dir: await ensureRemoteWorkspace({ host, root: o.root, workspaces: o.workspaces }, r.name, o.reporter, {
          ...(r.branch ? { branch: r.branch } : {}),
          ...(r.base ? { base: r.base } : {}),
        }),
      }),
    },
    files: {
      prepareLog: () => {},
      // A host's lines carry the wrapper and the log writer inline (no files of amux's there).
      scripts: () => undefined,
      prepareLogs: async (steps: LogStep[]) => {
        for (const s of steps) if (!s.file.startsWith("/")) throw new AmuxError(`host ${host.id}: not an absolute log path: ${s.file}`);
        const k = `${host.id}\0${host.ssh}\0${o.root}`;
        if (!readyDirs.has(k)) {
          await ensureRemoteRuntimeDirs(host, o.root);
          readyDirs.add(k);
        }
        const args = steps.flatMap((s) => [s.file, s.rotate ? "1" : "0", String(Math.max(0, Math.floor(s.keep)))]);
        const r = await sshRun(host, ["sh", "-c", PREPARE_LOGS, "amux-logs", ...args]);
        if (r.code !== 0) throw new AmuxError(`host ${host.id}: cannot prepare the logs: ${r.stderr.trim() || `exit ${r.code}`}`);
      },
    },
  };
}
