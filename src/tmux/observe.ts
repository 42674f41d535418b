import { TmuxError } from "../errors.js";
import { captureLine, endLine, isPaneId, newNonce, parseFrames } from "./capture.js";
import { isNoServer, tmuxRaw, tmuxScript } from "./client.js";
import { groupLine } from "./quote.js";
import { LABEL_KEYS, type Labels, type ObservedSession } from "./types.js";

const FIELDS = [
  "session_name",
  "session_created",
  "pane_id",
  "pane_pid",
  "pane_dead",
  "pane_dead_status",
  "pane_dead_time",
  "pane_dead_signal",
  "window_activity",
  "pane_current_path",
  ...LABEL_KEYS.map((k) => `@amux-${k}`),
  // Last: a program sets its own title, and it may contain anything, tabs included.
  "pane_title",
] as const;

/** The list-panes format: one tab-separated line per pane. */
export const PANE_FORMAT = FIELDS.map((f) => `#{${f}}`).join("\t");

/** Parses list-panes output (PANE_FORMAT) into sessions, first pane of each session. Pure. */
export function parsePanes(stdout: string): ObservedSession[] {
  const seen = new Map<string, ObservedSession>();
  for (const line of stdout.split("\n")) {
    if (!line) continue;
    const f = line.split("\t");
    if (f.length < FIELDS.length) continue;
    const name = f[0] as string;
    if (seen.has(name)) continue;
    const num = (s: string | undefined) => (s === undefined || s === "" || Number.isNaN(Number(s)) ? null : Number(s));
    const labels: Labels = {};
    LABEL_KEYS.forEach((k, i) => {
      const v = f[10 + i];
      if (v !== undefined && v !== "") labels[k] = v;
    });
    const dead = f[4] === "1";
    // tmux keeps these times in whole seconds, rounded down: take the end of that second, so a
    // quiet time or a backoff is never overstated (a printing agent is not called idle).
    const endOfSecond = (v: string | undefined) => {
      const n = num(v);
      return n === null ? null : (n + 1) * 1000;
    };
    // tmux may report a pane dead before it has collected the exit status; a signal counts as 128+n.
    const signal = num(f[7]);
    const recorded = num(labels.exit);
    const exitCode = num(f[5]) ?? recorded ?? (signal !== null ? 128 + signal : null);
    seen.set(name, {
      name,
      createdAt: (num(f[1]) ?? 0) * 1000,
      paneId: f[2] as string,
      pid: dead ? null : num(f[3]),
      dead,
      exitCode: dead ? exitCode : null,
      // Without tmux's death time, the last output is the best (and a conservative) stand-in.
      deadAt: dead ? (endOfSecond(f[6]) ?? (exitCode !== null ? endOfSecond(f[8]) : null)) : null,
      activityAt: endOfSecond(f[8]) ?? 0,
      cwd: f[9] ?? "",
      title: f.slice(10 + LABEL_KEYS.length).join("\t"),
      labels,
    });
  }
  return [...seen.values()];
}

/** Every session on amux's tmux server, in one tmux call; empty when no server runs. */
export async function listSessions(): Promise<ObservedSession[]> {
  const r = await tmuxRaw(["list-panes", "-a", "-F", PANE_FORMAT]);
  if (r.code !== 0) {
    if (isNoServer(r)) return [];
    throw new TmuxError(`tmux list-panes: ${r.stderr.trim()}`);
  }
  return parsePanes(r.stdout);
}

/**
 * A pane's capture (captureLine, same framing) only when it may have printed since `capturedAt`
 * (ms): tmux decides, from the pane's activity at the moment it runs the line, so a pane that
 * printed since the last tick is read in this tick's round trip, not the next one. tmux keeps
 * activity in whole seconds: a pane active in the second of its last capture is read again.
 */
export function captureIfActiveLine(paneId: string, capturedAt: number, nonce: string): string {
  const since = Math.floor(capturedAt / 1000);
  return groupLine([["if-shell", "-F", "-t", paneId, `#{e|>=:#{window_activity},${since}}`, captureLine(paneId, nonce)]]);
}

/**
 * One tmux round trip for a status tick: the screens of the given panes, then the list of all
 * panes (optionally after some lines that print nothing, such as pane marks to write). Captures of panes that have gone are simply missing. The screens are framed by a nonce
 * (see capture.ts), and so is the start of the list: no screen content can pass for either.
 */
export async function observeWithScreens(
  paneIds: string[],
  before: readonly string[] = [],
  capturedAt?: ReadonlyMap<string, number>,
): Promise<{ sessions: ObservedSession[]; screens: Map<string, string[]> }> {
  const nonce = newNonce();
  const lines = [
    // Writes owed from the last look (pane marks): they print nothing, and a failure skips only its line.
    ...before,
    ...paneIds.filter(isPaneId).map((id) => {
      const at = capturedAt?.get(id);
      return at === undefined ? captureLine(id, nonce) : captureIfActiveLine(id, at, nonce);
    }),
    `${endLine(nonce, "list")} ; ${groupLine([["list-panes", "-a", "-F", PANE_FORMAT]])}`,
  ];
  const r = await tmuxScript(lines, false);
  if (r.code !== 0 && isNoServer(r)) return { sessions: [], screens: new Map() };
  const { frames, rest } = parseFrames(r.stdout, nonce, "list");
  if (rest === undefined) {
    if (/no server running|error connecting/i.test(r.stderr) || r.stdout === "") return { sessions: [], screens: new Map() };
    throw new TmuxError(`tmux list-panes: ${r.stderr.trim()}`);
  }
  const screens = new Map<string, string[]>();
  for (const [id, f] of frames) screens.set(id, f.rows);
  return { screens, sessions: parsePanes(rest) };
}
