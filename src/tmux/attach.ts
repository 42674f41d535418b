import { spawn } from "node:child_process";
import { TmuxError } from "../errors.js";
import { type SshHost, sshInteractiveArgv } from "../ssh/transport.js";
import { literalArgs, literalArgv } from "./args.js";
import { clientEnv, socketName, tmuxRaw } from "./client.js";
import { sessionTarget } from "./quote.js";

/** Attaches the terminal to a session; inside amux's own server, switches the client instead. */
export async function attachSession(name: string): Promise<void> {
  const inside = process.env.TMUX?.split(",")[0];
  if (inside) {
    const r = await tmuxRaw(["display-message", "-p", "#{socket_path}"]);
    if (r.code === 0 && r.stdout.trim() === inside) {
      const sw = await tmuxRaw(["switch-client", "-t", sessionTarget(name)]);
      if (sw.code !== 0) throw new TmuxError(`cannot switch to ${name}: ${sw.stderr.trim()}`);
      return;
    }
  }
  // The baseline (TERM, LANG, LC_*, COLORTERM: what a terminal client needs) and terminfo's own
  // paths, nothing more: attach-session may start the server, which keeps its starter's
  // environment. Attaching from inside another tmux is nesting on purpose: no TMUX here.
  const env = clientEnv();
  for (const k of ["TERMINFO", "TERMINFO_DIRS"]) if (process.env[k]) env[k] = process.env[k];
  await new Promise<void>((resolve, reject) => {
    const child = spawn("tmux", ["-L", socketName(), ...literalArgs(["attach-session", "-t", sessionTarget(name)])], { stdio: "inherit", env });
    child.on("error", (e) => reject(new TmuxError(`cannot run tmux: ${e.message}`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new TmuxError(`tmux attach exited with ${code}`))));
  });
}

/**
 * The command line that attaches a terminal to a session on a host: `ssh -t <host> tmux -L
 * <socket> attach-session -t =<name>` (the socket name is the same on every host). Pure apart
 * from making ssh's control folder.
 */
export function remoteAttachArgv(host: SshHost, name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return sshInteractiveArgv(host, ["tmux", "-u", "-L", socketName(env), ...literalArgv(["attach-session", "-t", sessionTarget(name)])], { env });
}

/** Attaches the terminal to a session on a host, through `ssh -t`. */
export async function attachRemote(host: SshHost, name: string): Promise<void> {
  const [cmd, ...args] = remoteAttachArgv(host, name);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(cmd as string, args, { stdio: "inherit" });
    child.on("error", (e) => reject(new TmuxError(`cannot run ssh: ${e.message}`)));
    child.on("close", (code) => (code === 0 ? resolve() : reject(new TmuxError(`ssh … tmux attach on host ${host.id} exited with ${code}`))));
  });
}
