import { spawn } from "node:child_process";
import { baselineOf } from "../agent-env.js";
import { TmuxError } from "../errors.js";
import { literalArgv } from "./args.js";

/**
 * The only code that starts tmux. It uses node:child_process directly rather than execa:
 * this is the hot path of every command, and execa's import alone costs more than a tmux call.
 */

export function socketName(env: NodeJS.ProcessEnv = process.env): string {
  return env.AMUX_TMUX_SOCKET || "amux";
}

export interface TmuxResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * The environment of every tmux client amux starts: the agents' baseline and nothing else, since
 * a client that starts the server gives it its environment, and that becomes the global
 * environment every pane inherits. TMUX_TMPDIR stays: tmux finds the socket with it.
 */
export function clientEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = baselineOf(env);
  if (env.TMUX_TMPDIR) out.TMUX_TMPDIR = env.TMUX_TMPDIR;
  return out;
}

/**
 * Runs one tmux client process on amux's server; never throws for a non-zero exit. Every value in
 * `args` reaches tmux literally (literalArgv escapes what tmux would expand).
 */
export function tmuxRaw(args: readonly string[], input?: string): Promise<TmuxResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("tmux", ["-u", "-L", socketName(), ...literalArgv(args)], { env: clientEnv(), stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    child.on("error", (e: NodeJS.ErrnoException) => {
      reject(new TmuxError(e.code === "ENOENT" ? "tmux is not installed (amux needs tmux >= 3.2 on PATH)" : `cannot run tmux: ${e.message}`));
    });
    child.on("close", (code) => {
      resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), code: code ?? 1 });
    });
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

/** True when tmux's answer only says that no server is running on the socket. */
export function isNoServer(r: TmuxResult): boolean {
  return r.code !== 0 && /no server running|error connecting to|No such file or directory/i.test(r.stderr);
}

/** Runs one command; throws TmuxError on failure. */
export async function tmux(args: readonly string[]): Promise<string> {
  const r = await tmuxRaw(args);
  if (r.code !== 0) throw new TmuxError(`tmux ${args[0] ?? ""}: ${r.stderr.trim() || `exit ${r.code}`}`);
  return r.stdout;
}

/**
 * Runs many command lines in ONE tmux process (`start-server ; source-file -`). Each line is its
 * own group: a failing command skips the rest of its line only. Returns stdout and the errors.
 */
export async function tmuxScript(lines: readonly string[], startServer = true): Promise<TmuxResult> {
  const call = scriptCall(lines, startServer);
  return call ? tmuxRaw(call.args, call.input) : { stdout: "", stderr: "", code: 0 };
}

/** The tmux client call that runs `lines` as a batch (none for no lines): the same locally and on a host. */
export function scriptCall(lines: readonly string[], startServer: boolean): { args: string[]; input: string } | undefined {
  if (lines.length === 0) return undefined;
  return { args: startServer ? ["start-server", ";", "source-file", "-"] : ["source-file", "-"], input: `${lines.join("\n")}\n` };
}
