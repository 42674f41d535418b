/**
 * Which arguments tmux runs through format expansion, and the one function that makes every
 * value reach tmux literally. tmux 3.3a expands `#{…}` and runs `#(…)` as a shell command in
 * some arguments (new-session's -s, -n and -c, respawn-pane's -c, pipe-pane's command, where `%`
 * also goes through strftime, …) and not in others (-e values, a pane's argv, option values,
 * buffers, send-keys text, targets). Each entry was measured on tmux 3.3a; test/unit/tmux/args.test.ts
 * holds the table, test/e2e/tmux-quoting.test.ts checks it against the installed tmux.
 */

/** How tmux expands an argument: as a format (`#`), or first through strftime (`%`) and then as a format. */
type Expansion = "format" | "strftime+format";

interface CommandArgs {
  /** tmux's getopt template for the command: a letter followed by `:` takes a value. */
  flags: string;
  /** Flags whose values tmux expands as formats (not strftime): amux escapes them. */
  expanded?: string;
  /** Positional arguments tmux expands (always, or only with the given flag): amux escapes them. */
  positional?: Expansion | { withFlag: string };
}

/**
 * Every tmux command amux runs, with its arguments as tmux 3.3a reads them (measured). Not in
 * the list on purpose: `-F`/`-f` values and display-message's message are formats amux itself
 * writes and wants expanded; no value goes into one except through `escapeTimeFormat`. Targets
 * (`-t`) are read literally (and amux's names cannot hold `#` anyway).
 */
export const TMUX_COMMANDS: Readonly<Record<string, CommandArgs>> = {
  "new-session": { flags: "Ac:dDe:EF:f:n:Ps:t:x:Xy:", expanded: "snc" },
  "new-window": { flags: "abc:de:F:kn:PSt:", expanded: "nc" },
  "split-window": { flags: "bc:de:fF:hIl:p:Pt:vZ", expanded: "c" },
  "respawn-pane": { flags: "c:e:kt:", expanded: "c" },
  "respawn-window": { flags: "c:e:kt:", expanded: "c" },
  "rename-session": { flags: "t:", positional: "format" },
  "rename-window": { flags: "t:", positional: "format" },
  "pipe-pane": { flags: "IOot:", positional: "strftime+format" },
  "set-option": { flags: "aFgopqst:uUw", positional: { withFlag: "F" } },
  "set-environment": { flags: "Fhgrt:u", positional: { withFlag: "F" } },
  "show-options": { flags: "AgHpqst:vw" },
  "show-environment": { flags: "hgst:" },
  "display-message": { flags: "aCc:d:INpt:F:v" },
  "list-panes": { flags: "asF:f:t:" },
  "list-sessions": { flags: "F:f:" },
  "list-windows": { flags: "aF:f:t:" },
  "has-session": { flags: "t:" },
  "kill-session": { flags: "aCt:" },
  "kill-server": { flags: "" },
  "start-server": { flags: "" },
  "source-file": { flags: "Fnqv" },
  "set-buffer": { flags: "ab:t:n:w" },
  "show-buffer": { flags: "b:" },
  "delete-buffer": { flags: "b:" },
  "paste-buffer": { flags: "db:prs:t:" },
  "send-keys": { flags: "FHlMN:Rt:X" },
  "capture-pane": { flags: "ab:CeE:JNpPqS:Tt:" },
  // Its condition (with -F) is a format amux writes itself, holding only numbers and a lease
  // owner id of safe characters (lease.ts); the commands after it are parsed as tmux commands
  // when they run, not expanded.
  "if-shell": { flags: "bFt:" },
  "switch-client": { flags: "c:EFlnprt:T:Z" },
  // amux passes no -c here.
  "attach-session": { flags: "c:dEf:rt:x" },
};

/** Doubles `#`: tmux reads `##` as one literal `#`, so nothing in the value is expanded. */
export function escapeFormat(s: string): string {
  return s.replace(/#/g, "##");
}

/**
 * For an argument tmux runs through strftime and then expands as a format (pipe-pane's command,
 * display-message's message): `%` and `#` doubled, so the text is read literally.
 */
export function escapeTimeFormat(s: string): string {
  return escapeFormat(s.replace(/%/g, "%%"));
}

function takesValue(flags: string, letter: string): boolean {
  const i = flags.indexOf(letter);
  return i >= 0 && flags[i + 1] === ":";
}

/**
 * One tmux command as amux means it (every value literal) → the argv tmux must get: each value in
 * an argument tmux expands is escaped. Flags are read the way tmux's getopt reads them (clusters,
 * attached values, `--`), so an option value can never be taken for a flag or the other way round.
 * An unknown command throws: a new one must say which of its arguments tmux expands.
 */
export function literalArgs(argv: readonly string[]): string[] {
  const [name, ...rest] = argv;
  const cmd = name === undefined ? undefined : TMUX_COMMANDS[name];
  if (name === undefined || !cmd) throw new Error(`tmux command ${JSON.stringify(name)} is not in TMUX_COMMANDS (say which of its arguments tmux expands)`);
  const out: string[] = [name];
  const given = new Set<string>();
  let i = 0;
  while (i < rest.length) {
    const a = rest[i] as string;
    if (a === "--") {
      out.push(a);
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break;
    i++;
    let j = 1;
    for (; j < a.length; j++) {
      const letter = a[j] as string;
      given.add(letter);
      if (!takesValue(cmd.flags, letter)) continue;
      const attached = a.slice(j + 1);
      const raw = attached !== "" ? attached : rest[i++];
      if (raw === undefined) throw new Error(`tmux ${name}: -${letter} needs a value`);
      const value = cmd.expanded?.includes(letter) ? escapeFormat(raw) : raw;
      if (attached !== "") out.push(`${a.slice(0, j + 1)}${value}`);
      else out.push(a, value);
      break;
    }
    if (j === a.length) out.push(a);
  }
  const p = cmd.positional;
  const expansion = typeof p === "object" ? (given.has(p.withFlag) ? "format" : undefined) : p;
  const literal = expansion === "strftime+format" ? escapeTimeFormat : expansion === "format" ? escapeFormat : (s: string) => s;
  for (; i < rest.length; i++) out.push(literal(rest[i] as string));
  return out;
}

/**
 * A tmux command line given as process arguments (commands separated by lone `;` elements) →
 * the argv tmux must get: each command through literalArgs, and a value ending in `;` kept whole
 * (tmux reads a trailing `;` as a separator, a trailing `\;` as a literal `;`).
 */
export function literalArgv(args: readonly string[]): string[] {
  const out: string[] = [];
  let cmd: string[] = [];
  const flush = () => {
    if (cmd.length) out.push(...literalArgs(cmd).map((a) => (a.endsWith(";") ? `${a.slice(0, -1)}\\;` : a)));
    cmd = [];
  };
  for (const a of args) {
    if (a === ";") {
      flush();
      out.push(a);
    } else cmd.push(a);
  }
  flush();
  return out;
}
