import { TmuxError } from "../errors.js";
import { scriptCall, type TmuxResult, tmuxRaw } from "./client.js";

/**
 * Where tmux commands run: this machine's tmux, or a host's through ssh (remote.ts). The tmux
 * layer builds the same argv and `source-file -` batches for both; a runner only carries them, one
 * tmux client process (locally) or one ssh round trip (remotely) per call.
 */
export interface TmuxRunner {
  /** The host id of `hosts:`; null for this machine. */
  readonly host: string | null;
  /** Runs one tmux client on amux's server there; never throws for a non-zero exit. */
  raw(args: readonly string[], input?: string): Promise<TmuxResult>;
}

/** This machine's tmux (client.ts). */
export const localTmux: TmuxRunner = { host: null, raw: tmuxRaw };

/** Runs one command; throws TmuxError on failure (naming the host when remote). */
export async function tmuxOn(runner: TmuxRunner, args: readonly string[]): Promise<string> {
  const r = await runner.raw(args);
  if (r.code !== 0) {
    const where = runner.host === null ? "" : ` on host ${runner.host}`;
    throw new TmuxError(`tmux ${args[0] ?? ""}${where}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
  return r.stdout;
}

/**
 * Runs many command lines in ONE tmux client (`start-server ; source-file -`), as tmuxScript does:
 * each line is its own group; returns stdout and the errors.
 */
export async function tmuxScriptOn(runner: TmuxRunner, lines: readonly string[], startServer = true): Promise<TmuxResult> {
  const call = scriptCall(lines, startServer);
  return call ? runner.raw(call.args, call.input) : { stdout: "", stderr: "", code: 0 };
}
