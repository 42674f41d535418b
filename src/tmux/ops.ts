import { TmuxError } from "../errors.js";
import { tmuxRaw, tmuxScript } from "./client.js";
import { KEY_COMMANDS, parseKey } from "./key.js";
import { escapeFormat, groupLine, sessionTarget, shQuote } from "./quote.js";
import type { Labels, SessionCreate } from "./types.js";

/** History kept by tmux per pane; the log file keeps everything anyway. */
export const HISTORY_LIMIT = 5000;
const OK = "@@amux-ok ";
const CAP = "@@amux-cap ";

/**
 * Options amux depends on, set on every batch whatever ~/.tmux.conf says. The server still
 * reads the user's file when it starts, so a person who attaches keeps their bindings and look.
 */
export const SERVER_OPTIONS: string[][] = [
  ["set-option", "-g", "history-limit", String(HISTORY_LIMIT)],
  ["set-option", "-g", "remain-on-exit", "on"],
];

function labelCommands(name: string, labels: Labels): string[][] {
  return Object.entries(labels)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ["set-option", "-t", sessionTarget(name), `@amux-${k}`, v as string]);
}

function pipeCommand(name: string, logFile: string): string[] {
  return ["pipe-pane", "-o", "-t", sessionTarget(name), escapeFormat(`exec cat >> ${shQuote(logFile)}`)];
}

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
}

/**
 * One line creates one session with its labels, remain-on-exit and output capture: tmux runs
 * the line as one group, so no session exists unlabelled or misses its first output, and a
 * failure (a duplicate name) skips only that line. The marker at the end says it all held.
 */
export function createLine(c: SessionCreate): string {
  const t = sessionTarget(c.name);
  const create = ["new-session", "-d", "-s", c.name, "-x", String(c.width ?? 200), "-y", String(c.height ?? 50), "-c", c.cwd];
  if (c.windowName) create.push("-n", c.windowName);
  create.push(...envArgs(c.env), "--", ...c.argv);
  return groupLine([
    create,
    ["set-option", "-w", "-t", t, "remain-on-exit", "on"],
    ...labelCommands(c.name, c.labels),
    pipeCommand(c.name, c.logFile),
    ["display-message", "-p", `${OK}${c.name}`],
  ]);
}

/** Restarts a session's dead (or live, with kill) pane in place: same session, labels and log. */
export function respawnLine(c: SessionCreate, labels: Labels): string {
  const t = sessionTarget(c.name);
  return groupLine([
    ["set-option", "-p", "-u", "-t", t, "@amux-exit"],
    ["respawn-pane", "-k", "-t", t, "-c", c.cwd, ...envArgs(c.env), "--", ...c.argv],
    ...labelCommands(c.name, labels),
    // tmux 3.3a keeps a dead pane's old pipe half-working across a respawn: close it, then
    // open a fresh one, so the restarted agent's output lands in the same log.
    ["pipe-pane", "-t", t],
    pipeCommand(c.name, c.logFile),
    ["display-message", "-p", `${OK}${c.name}`],
  ]);
}

export function killLine(name: string): string {
  return groupLine([
    ["kill-session", "-t", `=${name}`],
    ["display-message", "-p", `${OK}${name}`],
  ]);
}

export function labelLine(name: string, labels: Labels): string {
  return groupLine([...labelCommands(name, labels), ["display-message", "-p", `${OK}${name}`]]);
}

/** Which names a script confirmed (their line's marker printed). Pure. */
export function parseOk(stdout: string): Set<string> {
  const ok = new Set<string>();
  for (const line of stdout.split("\n")) if (line.startsWith(OK)) ok.add(line.slice(OK.length));
  return ok;
}

export interface BatchResult {
  ok: string[];
  failed: { name: string; error: string }[];
}

/**
 * What a batch that creates sessions also does to the server, first: amux's options, its digest
 * key set only if unset (so that two amux at once agree on one), and variables dropped from the
 * global environment, which every new pane would otherwise inherit.
 */
export interface ServerSetup {
  /** The key to set when the server has none (`set-option -o`: the first one set wins). */
  key: string;
  /** Global environment variables to remove. */
  unsetEnvironment: string[];
  /** The server's key is not one amux made: set this one over it. */
  replaceKey?: boolean | undefined;
}

function setupLines(setup: ServerSetup): string[] {
  return [
    ...SERVER_OPTIONS.map((c) => groupLine([c])),
    // Its own line: -o fails when a key is set already, and only that command should.
    groupLine([["set-option", "-g", ...(setup.replaceKey ? [] : ["-o"]), "@amux-key", setup.key]]),
    ...(setup.unsetEnvironment.length ? [groupLine(setup.unsetEnvironment.map((k) => ["set-environment", "-g", "-u", k]))] : []),
    groupLine(KEY_COMMANDS),
  ];
}

/** Runs one line per name in ONE tmux process; reports per name, and the key the server holds after a setup. */
export async function runBatch(entries: { name: string; line: string }[], setup?: ServerSetup): Promise<BatchResult & { key: string | null }> {
  if (!entries.length) return { ok: [], failed: [], key: null };
  const lines = [...(setup ? setupLines(setup) : []), ...entries.map((e) => e.line)];
  const r = await tmuxScript(lines, !!setup);
  const ok = parseOk(r.stdout);
  const errs = r.stderr.split("\n").filter((l) => l && !l.startsWith("already set: @amux-key"));
  const failed = entries
    .filter((e) => !ok.has(e.name))
    .map((e) => ({ name: e.name, error: errs.find((l) => l.includes(e.name)) ?? errs[0] ?? "tmux did not confirm" }));
  return { ok: entries.filter((e) => ok.has(e.name)).map((e) => e.name), failed, key: setup ? parseKey(r.stdout) : null };
}

export function createSessions(creates: SessionCreate[], setup: ServerSetup): Promise<BatchResult & { key: string | null }> {
  return runBatch(
    creates.map((c) => ({ name: c.name, line: createLine(c) })),
    setup,
  );
}

export function killSessions(names: string[]): Promise<BatchResult> {
  return runBatch(names.map((name) => ({ name, line: killLine(name) })));
}

/** Captures the visible screens of many panes in one tmux process. */
export async function capturePanes(paneIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!paneIds.length) return out;
  const lines = paneIds.map((id) =>
    groupLine([
      ["display-message", "-p", `${CAP}${id}`],
      ["capture-pane", "-p", "-t", id],
    ]),
  );
  const r = await tmuxScript(lines, false);
  return parseCaptures(r.stdout, out);
}

/** One pane's screen, preceded by a marker naming the pane. */
export function captureLine(paneId: string): string {
  return groupLine([
    ["display-message", "-p", `${CAP}${paneId}`],
    ["capture-pane", "-p", "-t", paneId],
  ]);
}

/** Splits concatenated captures at their markers. Pure. */
export function parseCaptures(stdout: string, out = new Map<string, string[]>()): Map<string, string[]> {
  let cur: string[] | undefined;
  for (const line of stdout.split("\n")) {
    if (line.startsWith(CAP)) {
      cur = [];
      out.set(line.slice(CAP.length), cur);
    } else cur?.push(line);
  }
  for (const rows of out.values()) while (rows.length && rows[rows.length - 1] === "") rows.pop();
  return out;
}

/** Types text into a pane literally (no key names); multi-line text goes as a bracketed paste. */
export async function typeText(name: string, text: string): Promise<void> {
  const t = sessionTarget(name);
  const cmds: string[][] = text.includes("\n")
    ? [
        ["set-buffer", "-b", "amux-send", "--", text],
        ["paste-buffer", "-p", "-d", "-b", "amux-send", "-t", t],
      ]
    : [["send-keys", "-t", t, "-l", "--", text]];
  const r = await tmuxScript([groupLine([...cmds, ["display-message", "-p", `${OK}${name}`]])], false);
  if (!parseOk(r.stdout).has(name)) throw new TmuxError(`cannot type into ${name}: ${r.stderr.trim() || "tmux did not confirm"}`);
}

export async function pressEnter(name: string): Promise<void> {
  const r = await tmuxRaw(["send-keys", "-t", sessionTarget(name), "Enter"]);
  if (r.code !== 0) throw new TmuxError(`cannot press Enter in ${name}: ${r.stderr.trim()}`);
}

/** The cursor's row and the visible screen of one pane, in one call. */
export async function cursorAndScreen(name: string): Promise<{ cursorY: number; screen: string[] } | undefined> {
  const t = sessionTarget(name);
  const r = await tmuxScript(
    [
      groupLine([
        ["display-message", "-p", "-t", t, `${CAP}#{cursor_y}`],
        ["capture-pane", "-p", "-t", t],
      ]),
    ],
    false,
  );
  const m = parseCaptures(r.stdout);
  const [key, screen] = [...m.entries()][0] ?? [];
  if (key === undefined || screen === undefined) return undefined;
  return { cursorY: Number(key), screen };
}
