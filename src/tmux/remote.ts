import { BASELINE_KEYS } from "../agent-env.js";
import { TmuxError } from "../errors.js";
import { type SshHost, type SshSettings, sshRun } from "../ssh/transport.js";
import { literalArgv } from "./args.js";
import { socketName } from "./client.js";
import type { TmuxRunner } from "./runner.js";

/**
 * The variables of the remote session a remote tmux client keeps: the agents' baseline as that
 * host has it (its PATH, HOME, USER…), and TMUX_TMPDIR (tmux finds the socket with it). The rest
 * of an ssh session (SSH_CONNECTION, SSH_CLIENT, a forwarded agent's socket…) must not become the
 * global environment of a server that this client starts.
 */
export const REMOTE_KEEP_ENV: readonly string[] = [...BASELINE_KEYS, "LC_ALL", "LC_CTYPE", "TMUX_TMPDIR"];

export interface RemoteTmuxSettings extends SshSettings {
  /** Each call must end within this (default: the transport's). */
  timeoutMs?: number;
}

/**
 * amux's tmux server on a host, reached through ssh: the exact argv tmuxRaw would run locally
 * (`tmux -u -L <socket> …`, values made literal for tmux by literalArgv, then each word quoted for
 * the remote shell), stdin carried through (so `source-file -` batches work), one ssh round trip
 * per call on the host's control connection. The socket name is the same on every host.
 * HostUnreachableError when the host cannot be reached; TmuxError when it has no tmux.
 */
export function remoteTmux(host: SshHost, settings: RemoteTmuxSettings = {}): TmuxRunner {
  const socket = socketName(settings.env ?? process.env);
  return {
    host: host.id,
    async raw(args, input) {
      const argv = ["tmux", "-u", "-L", socket, ...literalArgv(args)];
      const r = await sshRun(host, argv, { ...settings, keepEnv: REMOTE_KEEP_ENV, ...(input === undefined ? {} : { input }) });
      if (r.code === 127 && /tmux/.test(r.stderr) && /not found|no such file/i.test(r.stderr)) {
        throw new TmuxError(`host ${host.id}: tmux is not installed there (a host needs tmux >= 3.2 on PATH)`);
      }
      return r;
    },
  };
}
