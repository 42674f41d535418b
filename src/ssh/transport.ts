import { spawn } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { AmuxError, HostUnreachableError } from "../errors.js";
import { sshGist } from "./gist.js";
import { remoteCommandLine } from "./quote.js";

/**
 * The only code that starts ssh. A host is reached with the system's `ssh` and the user's own
 * configuration, keys and agent; amux adds batch mode (never a prompt), a connect timeout and one
 * persistent control connection per host (ControlMaster/ControlPersist), so every call after the
 * first costs one round trip on an open connection instead of a TCP and key exchange.
 */

/** A host of the compose file's `hosts:` as the transport needs it. */
export interface SshHost {
  /** The id in `hosts:` (for messages). */
  id: string;
  /** The ssh destination: a ~/.ssh/config alias, user@host, or ssh://user@host:port. */
  ssh: string;
}

export interface SshSettings {
  /** Where HOME and XDG_RUNTIME_DIR are read, and ssh's own environment (its agent socket). */
  env?: NodeJS.ProcessEnv;
  /** ssh's ConnectTimeout in seconds (default 10). */
  connectTimeoutSec?: number;
  /** How long an idle control connection stays open (ControlPersist; default 300 s). */
  persistSec?: number;
}

export interface RemoteResult {
  stdout: string;
  stderr: string;
  /** The remote command's exit code. */
  code: number;
}

export interface RemoteRunOptions extends SshSettings {
  /** Fed to the remote command's stdin (e.g. a `tmux source-file -` batch); none: stdin is empty. */
  input?: string;
  /** Run the command with only these variables of the remote session (remoteCommandLine). */
  keepEnv?: readonly string[];
  /** The whole call, connection included, must end within this (default 120 s); else "timed out". */
  timeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_SEC = 10;
const DEFAULT_PERSIST_SEC = 300;
const DEFAULT_TIMEOUT_MS = 120_000;

/**
 * Room left for the folder in a control socket path: a Unix socket path holds at most 104 bytes
 * on macOS (108 on Linux); `%C` is 40 hex characters, and ssh first binds a temporary name with
 * 17 more (`.XXXXXXXXXXXXXXXX`).
 */
const MAX_CONTROL_DIR = 104 - 1 - 40 - 17 - 1;

/**
 * The folder of the control sockets: amux's per-user runtime folder ($XDG_RUNTIME_DIR/amux, else
 * <tmp>/amux-<uid>), short enough for a socket path. Not under the project's .amux/: a checkout's
 * path can be long, and one connection per host serves every project of the user.
 */
export function controlDir(env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? 0;
  const candidates = [env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, "amux") : undefined, join(tmpdir(), `amux-${uid}`), `/tmp/amux-${uid}`];
  for (const c of candidates) if (c && c.length <= MAX_CONTROL_DIR) return c;
  return `/tmp/amux-${uid}`;
}

/** Makes the control folder (0700, the user's own; refuses one someone else made or a symlink). */
function ensureControlDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new AmuxError(`cannot make ${dir} for ssh's control sockets: ${(e as Error).message}`);
  }
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new AmuxError(`${dir} (for ssh's control sockets) is not a folder of this user's: move it away`);
  }
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

/**
 * `-F ~/.ssh/config` when HOME is not the account's home: ssh reads its configuration from the
 * account's home (passwd), not from $HOME, while the user's own files for amux follow $HOME. For
 * the usual HOME nothing is added, so ssh also keeps reading /etc/ssh/ssh_config.
 */
function configArgs(env: NodeJS.ProcessEnv): string[] {
  const home = env.HOME;
  if (!home) return [];
  let passwdHome: string | undefined;
  try {
    passwdHome = userInfo().homedir;
  } catch {}
  if (home === passwdHome) return [];
  const file = join(home, ".ssh", "config");
  return existsSync(file) ? ["-F", file] : [];
}

/** A destination is never an option of ssh's, nor a value that could be read as several words. */
function checkDestination(host: SshHost): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!host.ssh || host.ssh.startsWith("-") || /[\s\x00-\x1f\x7f]/.test(host.ssh)) {
    throw new AmuxError(`host ${host.id}: invalid ssh destination ${JSON.stringify(host.ssh)}`);
  }
}

/**
 * ssh's options for a host, up to and including the destination (pure apart from reading whether
 * $HOME/.ssh/config exists). `tty`: force a terminal (attach), else never one. Every option is
 * given with -o, which wins over the user's ssh config for that option only.
 */
export function sshOptions(host: SshHost, settings: SshSettings = {}, tty = false): string[] {
  checkDestination(host);
  const env = settings.env ?? process.env;
  const connect = settings.connectTimeoutSec ?? DEFAULT_CONNECT_TIMEOUT_SEC;
  const persist = settings.persistSec ?? DEFAULT_PERSIST_SEC;
  return [
    ...configArgs(env),
    tty ? "-t" : "-T",
    "-o",
    "BatchMode=yes",
    // ssh's notices ("Permanently added … to the list of known hosts") would read as the remote
    // command's stderr; its errors still show, and they are what the unreachable gist needs.
    "-o",
    "LogLevel=ERROR",
    "-o",
    `ConnectTimeout=${connect}`,
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${join(controlDir(env), "%C")}`,
    "-o",
    `ControlPersist=${persist}`,
    "-o",
    "ServerAliveInterval=15",
    "-o",
    "ServerAliveCountMax=3",
    "--",
    host.ssh,
  ];
}

/**
 * The whole argv of an interactive ssh running `argv` remotely on a terminal (for `attach`:
 * `ssh -t host -- 'tmux' … 'attach' …`), to be spawned with the caller's terminal.
 */
export function sshInteractiveArgv(host: SshHost, argv: readonly string[], settings: SshSettings = {}): string[] {
  ensureControlDir(controlDir(settings.env ?? process.env));
  return ["ssh", ...sshOptions(host, settings, true), remoteCommandLine(argv)];
}

interface Spawned {
  stdout: string;
  stderr: string;
  code: number | null;
  timedOut: boolean;
}

function runSsh(args: readonly string[], env: NodeJS.ProcessEnv, input: string | undefined, timeoutMs: number, host: SshHost): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { env, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let hardKill: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGTERM");
      hardKill = setTimeout(() => child.kill("SIGKILL"), 2_000);
    }, timeoutMs);
    // A multiplexed ssh hands its stdio to the control master, which keeps our pipes open as long
    // as the remote command runs: once a late call's ssh is gone, stop waiting for them.
    child.on("exit", () => {
      if (hardKill) clearTimeout(hardKill);
      if (!timedOut) return;
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code: null, timedOut });
    });
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new HostUnreachableError(
          host.id,
          host.ssh,
          e.code === "ENOENT" ? "ssh is not installed (amux reaches hosts with the system's ssh)" : `cannot run ssh: ${e.message}`,
        ),
      );
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code, timedOut });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

/**
 * Runs one command on a host: `argv` becomes one remote command line with every word quoted for
 * the remote shell, `input` its stdin. Resolves with the remote command's output and exit code,
 * whatever that code (the command ran). Throws HostUnreachableError when ssh could not run it:
 * ssh's own failure (exit 255: refused, timed out, denied, unknown host key…), no ssh, or no
 * answer within `timeoutMs`. A remote command that itself exits 255 is indistinguishable from
 * ssh failing and reads as unreachable; amux runs tmux, git and sh there, which do not.
 */
export async function sshRun(host: SshHost, argv: readonly string[], opts: RemoteRunOptions = {}): Promise<RemoteResult> {
  const env = opts.env ?? process.env;
  const line = remoteCommandLine(argv, opts.keepEnv);
  const args = sshOptions(host, opts);
  ensureControlDir(controlDir(env));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const r = await runSsh([...args, line], env, opts.input, timeoutMs, host);
  if (r.timedOut) throw new HostUnreachableError(host.id, host.ssh, `timed out (no answer in ${Math.round(timeoutMs / 100) / 10}s)`);
  if (r.code === 255 || r.code === null) throw new HostUnreachableError(host.id, host.ssh, sshGist(r.stderr));
  return { stdout: r.stdout, stderr: r.stderr, code: r.code };
}

/** True when a control connection to the host is open (`ssh -O check`). */
export async function sshConnected(host: SshHost, settings: SshSettings = {}): Promise<boolean> {
  const env = settings.env ?? process.env;
  const r = await runSsh(["-O", "check", ...sshOptions(host, settings)], env, undefined, 10_000, host).catch(() => undefined);
  return r?.code === 0;
}

/**
 * Closes the host's control connection (`ssh -O exit`), which removes its socket. Never throws:
 * resolves true when a connection was open and is now closed.
 */
export async function sshDisconnect(host: SshHost, settings: SshSettings = {}): Promise<boolean> {
  const env = settings.env ?? process.env;
  const r = await runSsh(["-O", "exit", ...sshOptions(host, settings)], env, undefined, 10_000, host).catch(() => undefined);
  return r?.code === 0;
}
