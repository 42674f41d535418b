export const KEY_MARK = "@@amux-key";

/** The commands that print the server's digest key (`@amux-key`) after a marker. */
export const KEY_COMMANDS: string[][] = [
  ["display-message", "-p", KEY_MARK],
  ["show-options", "-gqv", "@amux-key"],
];

/** The key printed by KEY_COMMANDS, or null when the server has none. Pure. */
export function parseKey(stdout: string): string | null {
  const lines = stdout.split("\n");
  const i = lines.indexOf(KEY_MARK);
  const v = i < 0 ? undefined : lines[i + 1];
  return v !== undefined && /^[0-9a-f]{64}$/.test(v) ? v : null;
}
