/** Exit codes: the one table. */
export const EXIT = { ok: 0, runtime: 1, usage: 2 } as const;

/** Base class: every error amux raises on purpose carries its exit code. */
export class AmuxError extends Error {
  readonly exitCode: number = EXIT.runtime;
  /** Extra lines printed under the message (e.g. what exists). */
  readonly hints: string[];
  constructor(message: string, hints: string[] = []) {
    super(message);
    this.name = new.target.name;
    this.hints = hints;
  }
}

/** Bad flags, bad names, unknown things the user asked for: exit 2. */
export class UsageError extends AmuxError {
  override readonly exitCode: number = EXIT.usage;
}

/** One located problem in a YAML file. */
export interface ConfigProblem {
  file: string;
  line: number;
  col: number;
  path: string;
  message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
  return p.path ? `${where} ${p.path}: ${p.message}` : `${where} ${p.message}`;
}

/** Invalid configuration: every problem at once, exit 2. */
export class ConfigError extends AmuxError {
  override readonly exitCode: number = EXIT.usage;
  readonly problems: ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.problems = problems;
  }
}

/** tmux failed or answered something unexpected: exit 1. */
export class TmuxError extends AmuxError {}

/**
 * A host of `hosts:` could not be reached through ssh (ssh itself failed: exit 255, no ssh, or
 * no answer in time): exit 1. The message is `host <id> (<destination>): <gist>`, the gist being
 * ssh's own reason in a few words (`connection refused`, `timed out`,
 * `permission denied (publickey)`, `host key verification failed`). A remote command that ran
 * and failed is not this error: its exit code and stderr are returned to the caller.
 */
export class HostUnreachableError extends AmuxError {
  readonly host: string;
  readonly destination: string;
  readonly gist: string;
  constructor(host: string, destination: string, gist: string) {
    super(`host ${host} (${destination}): ${gist}`);
    this.host = host;
    this.destination = destination;
    this.gist = gist;
  }
}

/** git failed: exit 1. */
export class GitError extends AmuxError {}

/** A session, agent or service the user named does not exist: exit 2. */
export class NotFoundError extends UsageError {}

/** Another amux holds the project lock and we would not wait. */
export class LockError extends AmuxError {}

/** Maps anything thrown to the text and exit code the user sees; never a stack trace. */
export function describeError(err: unknown): { text: string; exitCode: number } {
  if (err instanceof AmuxError) {
    const lines = [err instanceof ConfigError ? err.message : `amux: ${err.message}`, ...err.hints.map((h) => `  ${h}`)];
    return { text: lines.join("\n"), exitCode: err.exitCode };
  }
  const e = err as { code?: string; exitCode?: number; message?: string } | undefined;
  if (e && typeof e.code === "string" && e.code.startsWith("commander.")) {
    return { text: "", exitCode: e.exitCode === 0 ? EXIT.ok : EXIT.usage };
  }
  const msg = e?.message ?? String(err);
  const debug = process.env.AMUX_DEBUG ? `\n${(err as Error)?.stack ?? ""}` : "";
  return {
    text: `amux: internal error: ${msg}\n  This is a bug in amux; please report it with the command you ran (AMUX_DEBUG=1 shows details).${debug}`,
    exitCode: EXIT.runtime,
  };
}
