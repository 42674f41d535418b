import { Command } from "commander";
import type { ExitCode, Outcome } from "./output.js";

/**
 * commander's Command, but an action may return its Outcome (commander drops what an action
 * returns): the exit code it names goes to `settle`, which main() alone turns into the process's
 * exit code. Subcommands made with .command() are AmuxCommands too.
 */
export class AmuxCommand extends Command {
  private readonly settle: (code: ExitCode) => void;

  constructor(name?: string, settle: (code: ExitCode) => void = () => {}) {
    super(name);
    this.settle = settle;
  }

  override createCommand(name?: string): AmuxCommand {
    return new AmuxCommand(name, this.settle);
  }

  // biome-ignore lint/suspicious/noExplicitAny: commander passes an action its parsed arguments untyped
  override action(fn: (this: this, ...args: any[]) => Promise<Outcome> | Promise<void> | void): this {
    const settle = this.settle;
    return super.action(async function (this: AmuxCommand, ...args: unknown[]) {
      const code = (await fn.apply(this as never, args)) as Outcome;
      if (code !== undefined) settle(code);
    });
  }
}
