import { AmuxError } from "../errors.js";

/**
 * Quoting for the remote shell. ssh joins its command words with spaces and hands the result to
 * the remote user's login shell as ONE command line (`$SHELL -c "<line>"`), so an argv reaches
 * the remote program intact only when every word is quoted for that shell. amux assumes a POSIX
 * login shell there (sh, dash, bash, zsh, ksh: SPEC "Hosts").
 */

/**
 * Single-quotes one word for a POSIX shell: inside '…' nothing is special, and a `'` is written
 * as `'\''` (close, escaped quote, reopen). Always quoted, so an empty string stays a word and
 * nothing is ever globbed, split or expanded. A NUL cannot be carried by any argv: refused.
 */
export function shQuote(s: string): string {
  if (s.includes("\0")) throw new AmuxError("a value holds a NUL byte, which no command line can carry");
  return `'${s.replace(/'/g, "'\\''")}'`;
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * One remote command line from an argv, every word quoted. With `keepEnv`, the program runs in
 * a clean environment holding only those variables of the remote session (each passed through
 * when set there): `env -i ${PATH+"PATH=$PATH"} … 'tmux' …`. The variable names are amux's own
 * constants, never a user's value, and are checked.
 */
export function remoteCommandLine(argv: readonly string[], keepEnv?: readonly string[]): string {
  if (argv.length === 0) throw new AmuxError("no remote command to run");
  const words = argv.map(shQuote);
  if (!keepEnv) return words.join(" ");
  const kept = keepEnv.map((k) => {
    if (!VAR_NAME.test(k)) throw new AmuxError(`not a variable name: ${JSON.stringify(k)}`);
    return `\${${k}+"${k}=$${k}"}`;
  });
  return ["exec", "env", "-i", ...kept, ...words].join(" ");
}
