/** The tmux server's digest key, `@amux-key`: read in the same round trip as the observe. */
export const KEY_MARK = "@@amux-key";

/** The commands that print the server's digest key (`@amux-key`) after a marker. */
export const KEY_COMMANDS: string[][] = [
  ["display-message", "-p", KEY_MARK],
  ["show-options", "-gqv", "@amux-key"],
];

/** The key printed by KEY_COMMANDS, or null when the server has none. Pure. */
export function parseKey(stdout: string): string | null {
  const v = rawKey(stdout);
  return v !== undefined && /^[0-9a-f]{64}$/.test(v) ? v : null;
}

/** Whether the server holds an `@amux-key` that is not one amux made (set by hand): it is replaced. Pure. */
export function hasInvalidKey(stdout: string): boolean {
  const v = rawKey(stdout);
  return v !== undefined && v !== "" && parseKey(stdout) === null;
}

function rawKey(stdout: string): string | undefined {
  const lines = stdout.split("\n");
  const i = lines.indexOf(KEY_MARK);
  return i < 0 ? undefined : lines[i + 1];
}
