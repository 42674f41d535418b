import type { EXIT } from "../errors.js";

/**
 * Printing for the CLI, in one place: results on stdout (out), tables and colours; and the
 * outcome type commands return, which main.ts alone maps to an exit code.
 */

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

/** Colour only on a terminal, never with NO_COLOR or under CI-style dumb terminals. */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "") return false;
  if (process.env.FORCE_COLOR) return true;
  return !!stream.isTTY && process.env.TERM !== "dumb";
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Color = keyof typeof CODES;

export function paint(color: Color, text: string, on = useColor()): string {
  return on ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;
}

export const STATUS_COLOR: Record<string, Color> = {
  running: "green",
  idle: "blue",
  waiting: "yellow",
  stuck: "magenta",
  exited: "red",
  failed: "red",
  stopped: "gray",
  unreachable: "magenta",
};

/** Left-aligned columns; the last column is not padded. */
export function table(rows: string[][], colorize?: (r: number, c: number, cell: string) => string): string {
  const visible = (s: string) => s.length;
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, visible(c));
    });
  }
  return rows
    .map((r, ri) =>
      r
        .map((c, ci) => {
          const padded = ci === r.length - 1 ? c : c.padEnd(widths[ci] ?? 0);
          return colorize ? colorize(ri, ci, padded) : padded;
        })
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}
