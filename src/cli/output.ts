import type { EXIT } from "../errors.js";

/** The CLI's one way to print a result: the text and a newline on stdout. Diagnostics go to stderr. */
export function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** An exit code from the one table. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * What a command returns: nothing when all went well, else the exit code to end with (a partial
 * failure that was already reported). Failures that stop a command are thrown as typed errors;
 * main.ts alone turns either into the process's exit code.
 */
export type Outcome = ExitCode | undefined;

/** A command as commander calls it: its parsed arguments (untyped), then the outcome. */
// biome-ignore lint/suspicious/noExplicitAny: commander passes an action its parsed arguments untyped
type Command = (...args: any[]) => Promise<unknown>;

/**
 * Wraps a command so that its outcome reaches main() (commander drops what an action returns).
 * A command returns its Outcome, or nothing at all (Promise<void>), which is success.
 */
export type Act = (fn: Command & ((...args: never[]) => Promise<Outcome> | Promise<void>)) => (...args: unknown[]) => Promise<void>;
