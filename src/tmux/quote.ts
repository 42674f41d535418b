import { literalArgs } from "./args.js";

export { escapeFormat, escapeTimeFormat } from "./args.js";

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

/**
 * A word tmux's parser reads back unchanged without quotes. Not one starting with `%` (`%if`,
 * `%hidden`… are directives; a pane id `%12` is fine), nor one ending in `;` (a separator).
 */
function isBareWord(a: string): boolean {
  return /^[A-Za-z0-9@%=:_./+,-]+$/.test(a) && !a.endsWith(";") && !/^%(?!\d+$)/.test(a);
}

/**
 * One tmux command as argv, every value meant literally → one command in tmux's language: the
 * arguments tmux would expand as formats are escaped (literalArgs), then each word is quoted.
 */
export function commandLine(argv: readonly string[]): string {
  return literalArgs(argv)
    .map((a) => (isBareWord(a) ? a : quoteArg(a)))
    .join(" ");
}

/** Several commands on one line: tmux runs them as one group, stopping at the first failure. */
export function groupLine(commands: readonly (readonly string[])[]): string {
  return commands.map(commandLine).join(" ; ");
}

/** Single-quotes a word for /bin/sh (one function for every shell amux writes to: src/ssh/quote.ts). */
export { shQuote } from "../ssh/quote.js";

/** The exact-match target for a session (no prefix matching): `=name:`. */
export function sessionTarget(name: string): string {
  return `=${name}:`;
}
