import { randomBytes } from "node:crypto";
import { groupLine, sessionTarget } from "./quote.js";
import { localTmux, type TmuxRunner, tmuxScriptOn } from "./runner.js";

/**
 * Screens read from tmux, framed so that nothing a program prints can be taken for a frame
 * boundary. Each tmux invocation gets a fresh random nonce (hex: nothing tmux's format or
 * strftime expansion touches). Before each capture, tmux itself prints a header
 * `<nonce> <pane_id> <pane_height> <cursor_y>` (values tmux substitutes are not expanded
 * again), and `capture-pane -p` then prints exactly pane_height rows; the parser counts them
 * off, so even a row that copies a header is only a row. No id or user text passes through a
 * format: the header's only variable part is the nonce.
 */

/** One pane's visible screen as tmux printed it. */
export interface Frame {
  paneId: string;
  /** Rows of the screen, trailing blank rows dropped. */
  rows: string[];
  height: number;
  cursorY: number;
}

/** A fresh nonce for one tmux invocation: 32 hex digits nobody can guess in advance. */
export function newNonce(): string {
  return randomBytes(16).toString("hex");
}

const PANE_ID = /^%\d+$/;

/** Whether a string is a tmux pane id (`%N`), the only pane target the capture accepts. */
export function isPaneId(s: string): boolean {
  return PANE_ID.test(s);
}

/**
 * One pane's header and screen as one tmux group. A target that has gone still prints its
 * header (display-message cannot fail on a target), with empty values, and no rows.
 */
export function captureLine(target: string, nonce: string): string {
  return groupLine([
    ["display-message", "-p", "-t", target, `${nonce} #{pane_id} #{pane_height} #{cursor_y}`],
    ["capture-pane", "-p", "-t", target],
  ]);
}

/** A line printed by tmux after the frames; what follows it is another command's output. */
export function endLine(nonce: string, what: string): string {
  return groupLine([["display-message", "-p", `${nonce} ${what}`]]);
}

/**
 * Splits tmux's output into frames. Only a line starting with the nonce, in the place where a
 * header is due, is a header; a complete header is followed by exactly its height of rows. A
 * header with empty values (the pane had gone) or a frame cut short is left out, so it cannot
 * shift another pane's rows. Stops at `<nonce> <end>` and returns what follows it. Pure.
 */
export function parseFrames(stdout: string, nonce: string, end?: string): { frames: Map<string, Frame>; rest: string | undefined } {
  const frames = new Map<string, Frame>();
  const lines = stdout.split("\n");
  const prefix = `${nonce} `;
  const header = /^(%\d+) (\d+) (\d+)$/;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    i++;
    if (!line.startsWith(prefix)) continue;
    const body = line.slice(prefix.length);
    if (end !== undefined && body === end) return { frames, rest: lines.slice(i).join("\n") };
    const m = header.exec(body);
    if (!m) continue;
    const height = Number(m[2]);
    const rows = lines.slice(i, i + height);
    // tmux prints every row, blank ones included, and the next thing is a header, the end line
    // or the end of the output: anything else means this frame was cut off.
    const next = lines[i + height];
    const complete = rows.length === height && (next === undefined || next.startsWith(prefix) || (next === "" && i + height === lines.length - 1));
    if (!complete) continue;
    i += height;
    while (rows.length && (rows[rows.length - 1] as string) === "") rows.pop();
    frames.set(m[1] as string, { paneId: m[1] as string, rows, height, cursorY: Number(m[3]) });
  }
  return { frames, rest: undefined };
}

/** Captures the visible screens of many panes in one tmux process; panes that have gone are absent. */
export async function capturePanes(paneIds: string[], runner: TmuxRunner = localTmux): Promise<Map<string, string[]>> {
  const ids = paneIds.filter(isPaneId);
  const out = new Map<string, string[]>();
  if (!ids.length) return out;
  const nonce = newNonce();
  const r = await tmuxScriptOn(
    runner,
    ids.map((id) => captureLine(id, nonce)),
    false,
  );
  for (const [id, f] of parseFrames(r.stdout, nonce).frames) out.set(id, f.rows);
  return out;
}

/** The cursor's row and the visible screen of one session's pane, in one call; undefined when it is gone. */
export async function cursorAndScreen(name: string, runner: TmuxRunner = localTmux): Promise<{ cursorY: number; screen: string[] } | undefined> {
  const nonce = newNonce();
  const r = await tmuxScriptOn(runner, [captureLine(sessionTarget(name), nonce)], false);
  const [f] = parseFrames(r.stdout, nonce).frames.values();
  return f ? { cursorY: f.cursorY, screen: f.rows } : undefined;
}
