import { TmuxError } from "../errors.js";
import { captureLine, endLine, isPaneId, newNonce, parseFrames } from "./capture.js";
import { isNoServer } from "./client.js";
import { hasInvalidKey, KEY_COMMANDS, parseKey } from "./key.js";
import { labelNumber } from "./labels.js";
import { groupLine } from "./quote.js";
import { localTmux, type TmuxRunner, tmuxScriptOn } from "./runner.js";
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
    const recorded = labelNumber(labels.exit);
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
export async function listSessions(runner: TmuxRunner = localTmux): Promise<ObservedSession[]> {
  const r = await runner.raw(["list-panes", "-a", "-F", PANE_FORMAT]);
  if (r.code !== 0) {
    if (isNoServer(r)) return [];
    throw new TmuxError(`tmux list-panes: ${r.stderr.trim()}`);
  }
  return parsePanes(r.stdout);
}

/** Names in `show-environment -g` output (`NAME=value`, `-NAME` when marked for removal). Pure. */
export function parseEnvironmentNames(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^-?([A-Za-z_][A-Za-z0-9_]*)(=|$)/.exec(line);
    if (m) names.add(m[1] as string);
  }
  return [...names];
}

/**
/**
 * A pane's capture (captureLine, same framing) only when it may have printed since `capturedAt`
 * (ms): tmux decides, from the pane's activity at the moment it runs the line, so a pane that
 * printed since the last tick is read in this tick's round trip, not the next one. tmux keeps
 * activity in whole seconds: a pane active in the second of its last capture is read again.
 */
export function captureIfActiveLine(paneId: string, capturedAt: number, nonce: string): string {
  const since = Math.floor(capturedAt / 1000);
  // A tick writes one per pane: a pane id, a hex nonce and a whole number need no escaping, so
  // the line is written at once, exactly as groupLine writes it (a test holds them equal).
  if (isPaneId(paneId) && /^[0-9a-f]+$/.test(nonce) && Number.isSafeInteger(since) && since >= 0)
    return `if-shell -F -t ${paneId} "#{e|>=:#{window_activity},${since}}" "display-message -p -t ${paneId} \\"${nonce} #{pane_id} #{pane_height} #{cursor_y}\\" ; capture-pane -p -t ${paneId}"`;
  return groupLine([["if-shell", "-F", "-t", paneId, `#{e|>=:#{window_activity},${since}}`, captureLine(paneId, nonce)]]);
}

/**
 * The conditional captures (captureIfActiveLine) behind one guard: tmux reads them only when some
 * window printed since the earliest of their times, so a tick of quiet panes costs tmux one format
 * loop instead of a command per pane. Each capture still checks its own pane; none of them can
 * fail (a pane gone has no activity, so its capture is not run), so running them as one nested
 * list skips none.
 */
export function guardedCaptures(paneIds: readonly string[], capturedAt: ReadonlyMap<string, number> | undefined, nonce: string): string[] {
  const timed = paneIds.flatMap((id) => {
    const at = capturedAt?.get(id);
    return at === undefined ? [] : [{ id, at }];
  });
  if (!timed.length) return [];
  const since = Math.floor(Math.min(...timed.map((t) => t.at)) / 1000);
  const lines = timed.map((t) => captureIfActiveLine(t.id, t.at, nonce));
  return [groupLine([["if-shell", "-F", `#{S:#{W:#{?#{e|>=:#{window_activity},${since}},1,}}}`, lines.join("\n")]])];
}

/**
 * Splits what follows the frames into the sections printed after `<nonce> <name>` end lines,
 * in order. Pure.
 */
function sections(rest: string, nonce: string, names: string[]): Map<string, string> | undefined {
  const out = new Map<string, string>();
  const lines = rest.split("\n");
  let at = 0;
  for (let n = 0; n < names.length; n++) {
    const next = names[n + 1];
    const end = next === undefined ? lines.length : lines.indexOf(`${nonce} ${next}`, at);
    if (end < 0) return undefined;
    out.set(names[n] as string, lines.slice(at, end).join("\n"));
    at = end + 1;
  }
  return out;
}

/**
 * One tmux round trip for a status tick: lines owed from the last look that print nothing (pane
 * marks to write), the screens of the given panes (each only if it printed since `capturedAt`,
 * when known), the server's digest key, then the list of all panes. Captures of panes that have
 * gone are simply missing. The screens are framed by a nonce (see capture.ts), and so are the
 * key and the list: no screen content can pass for either.
 */
export async function observeWithScreens(
  paneIds: string[],
  before: readonly string[] = [],
  capturedAt?: ReadonlyMap<string, number>,
  runner: TmuxRunner = localTmux,
): Promise<{ sessions: ObservedSession[]; screens: Map<string, string[]>; key: string | null }> {
  const nonce = newNonce();
  const ids = paneIds.filter(isPaneId);
  const lines = [
    // A failure of one of these skips only its own line.
    ...before,
    ...ids.filter((id) => capturedAt?.get(id) === undefined).map((id) => captureLine(id, nonce)),
    ...guardedCaptures(ids, capturedAt, nonce),
    `${endLine(nonce, "key")} ; ${groupLine([KEY_COMMANDS[1] as string[]])} ; ${endLine(nonce, "list")} ; ${groupLine([["list-panes", "-a", "-F", PANE_FORMAT]])}`,
  ];
  const r = await tmuxScriptOn(runner, lines, false);
  if (r.code !== 0 && isNoServer(r)) return { sessions: [], screens: new Map(), key: null };
  const { frames, rest } = parseFrames(r.stdout, nonce, "key");
  const parts = rest === undefined ? undefined : sections(rest, nonce, ["key", "list"]);
  if (parts === undefined) {
    if (/no server running|error connecting/i.test(r.stderr) || r.stdout === "") return { sessions: [], screens: new Map(), key: null };
    throw new TmuxError(`tmux list-panes: ${r.stderr.trim()}`);
  }
  const screens = new Map<string, string[]>();
  for (const [id, f] of frames) screens.set(id, f.rows);
  const key = (parts.get("key") ?? "").trim();
  return { screens, key: /^[0-9a-f]{64}$/.test(key) ? key : null, sessions: parsePanes(parts.get("list") ?? "") };
}

/** The live server as a use case that may create sessions needs it, in one tmux call. */
export interface ServerState {
  sessions: ObservedSession[];
  /** The server's digest key (`@amux-key`), null when no server runs or it has none yet. */
  key: string | null;
  /** Names in the server's global environment. */
  globalEnvironment: string[];
  /** `@amux-key` holds something amux did not make: the next batch replaces it. */
  keyInvalid: boolean;
}

/** Sessions, digest key and global environment names in one tmux call; empty when no server runs. */
export async function observeServer(runner: TmuxRunner = localTmux): Promise<ServerState> {
  const nonce = newNonce();
  const r = await tmuxScriptOn(
    runner,
    [
      `${groupLine(KEY_COMMANDS)} ; ${endLine(nonce, "env")} ; ${groupLine([["show-environment", "-g"]])} ; ${endLine(nonce, "list")} ; ${groupLine([
        ["list-panes", "-a", "-F", PANE_FORMAT],
      ])}`,
    ],
    false,
  );
  const { rest } = parseFrames(r.stdout, nonce, "env");
  const parts = rest === undefined ? undefined : sections(rest, nonce, ["env", "list"]);
  if (rest === undefined || parts === undefined) {
    if (isNoServer(r) || /no server running|error connecting/i.test(r.stderr) || r.stdout === "")
      return { sessions: [], key: null, globalEnvironment: [], keyInvalid: false };
    throw new TmuxError(`tmux list-panes: ${r.stderr.trim()}`);
  }
  const keyPart = r.stdout.slice(0, r.stdout.indexOf(`${nonce} env\n`));
  return {
    key: parseKey(keyPart),
    keyInvalid: hasInvalidKey(keyPart),
    globalEnvironment: parseEnvironmentNames(parts.get("env") ?? ""),
    sessions: parsePanes(parts.get("list") ?? ""),
  };
}
