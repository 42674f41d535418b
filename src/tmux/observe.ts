import { TmuxError } from "../errors.js";
import { isNoServer, tmuxRaw, tmuxScript } from "./client.js";
import { hasInvalidKey, KEY_COMMANDS, KEY_MARK, parseKey } from "./key.js";
import { captureLine, parseCaptures } from "./ops.js";
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

const LIST_MARK = "@@amux-list";
const ENV_MARK = "@@amux-env";

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
 * One tmux round trip for a status tick: the screens of the given panes, the server's digest
 * key, then the list of all panes. Captures of panes that have gone are simply missing.
 */
export async function observeWithScreens(paneIds: string[]): Promise<{ sessions: ObservedSession[]; screens: Map<string, string[]>; key: string | null }> {
  const lines = [
    ...paneIds.map((id) => captureLine(id)),
    groupLine([...KEY_COMMANDS, ["display-message", "-p", LIST_MARK], ["list-panes", "-a", "-F", PANE_FORMAT]]),
  ];
  const r = await tmuxScript(lines, false);
  if (r.code !== 0 && isNoServer(r)) return { sessions: [], screens: new Map(), key: null };
  const cut = r.stdout.indexOf(`${LIST_MARK}\n`);
  if (cut < 0) {
    if (/no server running|error connecting/i.test(r.stderr) || r.stdout === "") return { sessions: [], screens: new Map(), key: null };
    throw new TmuxError(`tmux list-panes: ${r.stderr.trim()}`);
  }
  const keyAt = r.stdout.lastIndexOf(`${KEY_MARK}\n`, cut);
  return {
    screens: parseCaptures(r.stdout.slice(0, keyAt < 0 ? cut : keyAt)),
    key: keyAt < 0 ? null : parseKey(r.stdout.slice(keyAt, cut)),
    sessions: parsePanes(r.stdout.slice(cut + LIST_MARK.length + 1)),
  };
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
export async function observeServer(): Promise<ServerState> {
  const r = await tmuxScript(
    [
      groupLine([
        ...KEY_COMMANDS,
        ["display-message", "-p", ENV_MARK],
        ["show-environment", "-g"],
        ["display-message", "-p", LIST_MARK],
        ["list-panes", "-a", "-F", PANE_FORMAT],
      ]),
    ],
    false,
  );
  const cut = r.stdout.indexOf(`${LIST_MARK}\n`);
  if (cut < 0) {
    if (isNoServer(r) || /no server running|error connecting/i.test(r.stderr) || r.stdout === "")
      return { sessions: [], key: null, globalEnvironment: [], keyInvalid: false };
    throw new TmuxError(`tmux list-panes: ${r.stderr.trim()}`);
  }
  const envAt = r.stdout.indexOf(`${ENV_MARK}\n`);
  return {
    key: parseKey(r.stdout.slice(0, envAt < 0 ? cut : envAt)),
    keyInvalid: hasInvalidKey(r.stdout.slice(0, envAt < 0 ? cut : envAt)),
    globalEnvironment: envAt < 0 ? [] : parseEnvironmentNames(r.stdout.slice(envAt + ENV_MARK.length + 1, cut)),
    sessions: parsePanes(r.stdout.slice(cut + LIST_MARK.length + 1)),
  };
}
