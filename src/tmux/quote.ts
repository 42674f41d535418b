/**
 * Quotes one argument for tmux's command language (a `source-file` line): double quotes, with
 * `\`, `"`, `$`, a leading `~` and control characters escaped, so nothing is expanded or split.
 */
export function quoteArg(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === "\\" || ch === '"' || ch === "$" || (ch === "~" && out === '"')) out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\${c.toString(8).padStart(3, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** One tmux command as argv → one command in tmux's language. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9@%=:_./+,-]+$/.test(a) && !a.endsWith(";") ? a : quoteArg(a))).join(" ");
}

/** Several commands on one line: tmux runs them as one group, stopping at the first failure. */
export function groupLine(commands: readonly (readonly string[])[]): string {
  return commands.map(commandLine).join(" ; ");
}

/** Single-quotes a word for /bin/sh. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** tmux expands #{…} formats in some arguments (-c, -n, a new session's name): keep `#` literal. */
export function escapeFormat(s: string): string {
  return s.replace(/#/g, "##");
}

/**
 * pipe-pane's command (like display-message's text) also goes through strftime before the format
 * expansion (tmux 3.3a cmd-pipe-pane.c: format_expand_time): keep `%` literal too.
 */
export function escapeTimeFormat(s: string): string {
  return escapeFormat(s).replace(/%/g, "%%");
}

/** The exact-match target for a session (no prefix matching): `=name:`. */
export function sessionTarget(name: string): string {
  return `=${name}:`;
}
