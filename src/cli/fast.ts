import { withAgentEnvironment } from "../config/locate.js";
import { describeError, EXIT } from "../errors.js";
import type { Outcome } from "./output.js";

/**
 * The hot commands (`ps`, `up`, `down`) in their plain forms, parsed without commander: loading
 * and building the whole program costs about a tenth of `amux ps`. Anything else — another
 * flag, a global flag (-f/-C/-p), help, a bundled short flag — returns undefined and goes to
 * commander (main.ts), which then parses it as it always did.
 */
export type FastRoute =
  | { command: "ps"; services: string[]; o: { all?: true; json?: true; wide?: true } }
  | { command: "down"; o: { workspaces?: true; force?: true } }
  | { command: "up"; services: string[]; o: Record<string, unknown> };

const FLAGS: Record<FastRoute["command"], Record<string, string>> = {
  ps: { "--json": "json", "-a": "all", "--all": "all", "--wide": "wide" },
  down: { "--workspaces": "workspaces", "--force": "force" },
  up: {
    "--dry-run": "dryRun",
    "--remove-orphans": "removeOrphans",
    "--fresh": "fresh",
    "--wait": "wait",
    "--json": "json",
    "-d": "detach",
    "--detach": "detach",
  },
};

/** How commander would read these arguments (after `node amux.js`), when it is one of the plain forms. Pure. */
export function fastRoute(args: readonly string[]): FastRoute | undefined {
  const [command, ...rest] = args;
  if (command !== "ps" && command !== "down" && command !== "up") return undefined;
  const flags = FLAGS[command];
  const o: Record<string, unknown> = {};
  const services: string[] = [];
  for (const a of rest) {
    const key = Object.hasOwn(flags, a) ? flags[a] : undefined;
    if (key) o[key] = true;
    else if (!a.startsWith("-") && command !== "down") services.push(a);
    else return undefined;
  }
  if (command === "ps") return { command, services, o };
  if (command === "down") return { command, o };
  // commander's defaults for up's durations.
  return { command, services, o: { waitTimeout: 60_000, promptTimeout: 60_000, ...o } };
}

/** Runs a fast route; returns the exit code, as main() does. */
export async function runFast(r: FastRoute): Promise<number> {
  try {
    const g = withAgentEnvironment({ file: undefined, cwd: undefined, project: undefined });
    let outcome: Outcome;
    if (r.command === "ps") await (await import("./ps-commands.js")).cmdPs(g, r.services, r.o);
    else if (r.command === "down") outcome = await (await import("./fleet-commands.js")).cmdDown(g, r.o);
    else outcome = await (await import("./fleet-commands.js")).cmdUp(g, r.services, r.o);
    return outcome ?? EXIT.ok;
  } catch (e) {
    const { text, exitCode } = describeError(e);
    if (text) process.stderr.write(`${text}\n`);
    return exitCode;
  }
}
