/**
 * `-f` is the compose file for most commands but "follow" for `logs` and `tail` (as in docker
 * and tail(1)). A `-f` there followed by something that looks like a file (ends in .yaml/.yml, or
 * names an existing file) is someone expecting the other meaning: refused, rather than silently
 * following a session named like a file or reading the wrong project. Pure but for `isFile`.
 */

/** Commands on which -f means --follow. */
export const FOLLOW_COMMANDS = ["logs", "tail"] as const;

/** Program options that take a value (their value is not the command name). */
const VALUE_OPTIONS = new Set(["-f", "--file", "-C", "--cwd", "-p", "--project"]);

/** The command word of an argument list (argv without node and the script), and where it is. */
export function commandOf(args: readonly string[]): { name: string; index: number } | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--") return undefined;
    if (VALUE_OPTIONS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith("-")) continue;
    return { name: a, index: i };
  }
  return undefined;
}

/** The value after an ambiguous `-f` of logs/tail, or undefined when there is none. */
export function ambiguousFollowFile(args: readonly string[], isFile: (p: string) => boolean): string | undefined {
  const cmd = commandOf(args);
  if (!cmd || !(FOLLOW_COMMANDS as readonly string[]).includes(cmd.name)) return undefined;
  for (let i = cmd.index + 1; i < args.length - 1; i++) {
    const a = args[i] as string;
    if (a === "--") return undefined;
    // --file takes a value: skip it, so that `--file x.yaml` is never mistaken.
    if (a === "--file" || a === "-C" || a === "--cwd" || a === "-p" || a === "--project" || a === "-n" || a === "--lines" || a === "--tail") {
      i++;
      continue;
    }
    if (a !== "-f" && a !== "--follow") continue;
    const next = args[i + 1] as string;
    if (/\.ya?ml$/i.test(next) || isFile(next)) return next;
  }
  return undefined;
}
