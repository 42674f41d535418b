import { TmuxError } from "../errors.js";
import { newNonce } from "./capture.js";
import { KEY_COMMANDS, parseKey } from "./key.js";
import { type LogCap, logWriterCommand } from "./log-writer.js";
import { commandLine, groupLine, sessionTarget } from "./quote.js";
import { localTmux, type TmuxRunner, tmuxScriptOn } from "./runner.js";
import { ensureScripts, paneArgv, type Scripts } from "./scripts.js";
import type { Labels, SessionCreate } from "./types.js";

/** History kept by tmux per pane; the log file keeps everything anyway. */
export const HISTORY_LIMIT = 5000;
const OK = "@@amux-ok ";

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

/** Output capture into the session's log, through the capped rotating writer. */
function pipeCommand(name: string, logFile: string, cap?: LogCap, scripts?: Scripts): string[] {
  return ["pipe-pane", "-o", "-t", sessionTarget(name), logWriterCommand(logFile, cap, scripts?.log)];
}

/** The request with the shared script files it can name (written once beside the logs). */
export function withScripts(c: SessionCreate): SessionCreate {
  return { ...c, scripts: ensureScripts(c.logFile) };
}

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
}

/**
 * One line creates one session with its labels, remain-on-exit and output capture: tmux runs
 * the line as one group, so no session exists unlabelled or misses its first output, and a
 * failure (a duplicate name) skips only that line. `runBatch` adds the marker that says it all held.
 * Every value (name, directory, window name, environment, argv, log path) is written as it is:
 * commandLine escapes the arguments tmux would expand (src/tmux/args.ts), so each arrives literally.
 */
export function createLine(c: SessionCreate): string {
  return groupLine(createCommands(c));
}

/** Replaces a session: kills the old one and makes the new one in ONE group, so a failed kill makes nothing. */
export function recreateLine(c: SessionCreate): string {
  return groupLine([...killCommands(c.name), ...createCommands(c)]);
}

function createCommands(c: SessionCreate): string[][] {
  const t = sessionTarget(c.name);
  const create = ["new-session", "-d", "-s", c.name, "-x", String(c.width ?? 200), "-y", String(c.height ?? 50), "-c", c.cwd];
  if (c.windowName) create.push("-n", c.windowName);
  create.push(...envArgs(c.env), "--", ...paneArgv(c.argv, c.scripts));
  return [
    create,
    ["set-option", "-w", "-t", t, "remain-on-exit", "on"],
    ...labelCommands(c.name, c.labels),
    pipeCommand(c.name, c.logFile, c.logCap, c.scripts),
  ];
}

/** Restarts a session's dead (or live, with kill) pane in place: same session, labels and log. */
export function respawnLine(c: SessionCreate, labels: Labels): string {
  const t = sessionTarget(c.name);
  return groupLine([
    ["set-option", "-p", "-u", "-t", t, "@amux-exit"],
    // What the last run reported or how it progressed says nothing about the next one.
    ["set-option", "-p", "-u", "-t", t, "@amux-reported"],
    ["set-option", "-p", "-u", "-t", t, "@amux-progress"],
    ["respawn-pane", "-k", "-t", t, "-c", c.cwd, ...envArgs(c.env), "--", ...paneArgv(c.argv, c.scripts)],
    ...labelCommands(c.name, labels),
    // tmux 3.3a keeps a dead pane's old pipe half-working across a respawn: close it, then
    // open a fresh one, so the restarted agent's output lands in the same log.
    ["pipe-pane", "-t", t],
    pipeCommand(c.name, c.logFile, c.logCap, c.scripts),
  ]);
}

/**
 * Restarts a session's pane with the command, directory and environment it was started with
 * (tmux keeps them): for `amux run` sessions, whose spawn spec amux does not store.
 */
export function respawnAsStartedLine(name: string, logFile: string, labels: Labels, cap?: LogCap, scripts?: Scripts): string {
  const t = sessionTarget(name);
  return groupLine([
    ["set-option", "-p", "-u", "-t", t, "@amux-exit"],
    ["set-option", "-p", "-u", "-t", t, "@amux-reported"],
    ["set-option", "-p", "-u", "-t", t, "@amux-progress"],
    ["respawn-pane", "-k", "-t", t],
    ...labelCommands(name, labels),
    ["pipe-pane", "-t", t],
    pipeCommand(name, logFile, cap, scripts),
  ]);
}

export function killLine(name: string): string {
  return groupLine(killCommands(name));
}

function killCommands(name: string): string[][] {
  return [["kill-session", "-t", `=${name}`]];
}

export function labelLine(name: string, labels: Labels): string {
  return groupLine(labelCommands(name, labels));
}

/**
 * A line with its confirmation: the marker prints only when every command before it held. The
 * marker carries the line's number, not its name: display-message expands formats and strftime
 * `%` sequences, so no name or id goes through it.
 */
export function confirmedLine(line: string, index: number): string {
  return `${line} ; ${commandLine(["display-message", "-p", `${OK}${index}`])}`;
}

/** Which line numbers a script confirmed (their marker printed). Pure. */
export function parseOk(stdout: string): Set<number> {
  const ok = new Set<number>();
  for (const line of stdout.split("\n")) if (line.startsWith(OK) && /^\d+$/.test(line.slice(OK.length))) ok.add(Number(line.slice(OK.length)));
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

/**
 * Runs one line per name in ONE tmux process (on `runner`: this machine's tmux by default, or a
 * host's through ssh); reports per name, and the key the server holds after a setup.
 */
export async function runBatch(
  entries: { name: string; line: string }[],
  setup?: ServerSetup,
  runner: TmuxRunner = localTmux,
): Promise<BatchResult & { key: string | null }> {
  if (!entries.length) return { ok: [], failed: [], key: null };
  const lines = [...(setup ? setupLines(setup) : []), ...entries.map((e, i) => confirmedLine(e.line, i))];
  const r = await tmuxScriptOn(runner, lines, !!setup);
  const ok = parseOk(r.stdout);
  const errs = r.stderr.split("\n").filter((l) => l && !l.startsWith("already set: @amux-key"));
  const failed = entries
    .filter((_, i) => !ok.has(i))
    .map((e) => ({ name: e.name, error: errs.find((l) => l.includes(e.name)) ?? errs[0] ?? "tmux did not confirm" }));
  return { ok: entries.filter((_, i) => ok.has(i)).map((e) => e.name), failed, key: setup ? parseKey(r.stdout) : null };
}

/**
 * Creates sessions in one batch. The shared script files live beside the logs on this machine;
 * a remote host's lines carry them inline instead.
 */
export function createSessions(creates: SessionCreate[], setup: ServerSetup, runner: TmuxRunner = localTmux): Promise<BatchResult & { key: string | null }> {
  return runBatch(
    creates.map((c) => ({ name: c.name, line: createLine(runner.host === null ? withScripts(c) : { ...c, scripts: undefined }) })),
    setup,
    runner,
  );
}

export function killSessions(names: string[], runner: TmuxRunner = localTmux): Promise<BatchResult> {
  return runBatch(
    names.map((name) => ({ name, line: killLine(name) })),
    undefined,
    runner,
  );
}

/**
 * Kills sessions as killSessions does and, in the same tmux process, lists the sessions left after
 * them: the server as the kills left it, without another round trip. `live` is undefined when
 * the list could not be read (then the caller looks again).
 */
export async function killSessionsListing(names: string[], runner: TmuxRunner = localTmux): Promise<BatchResult & { live: Set<string> | undefined }> {
  if (!names.length) return { ok: [], failed: [], live: undefined };
  const nonce = newNonce();
  const mark = `${nonce} live`;
  const lines = [
    ...names.map((name, i) => confirmedLine(killLine(name), i)),
    groupLine([
      ["display-message", "-p", mark],
      ["list-sessions", "-F", "#{session_name}"],
    ]),
  ];
  const r = await tmuxScriptOn(runner, lines, false);
  // Only what precedes the mark holds confirmations: a session's name cannot pass for one.
  const out = r.stdout.split("\n");
  const at = out.indexOf(mark);
  const ok = parseOk((at < 0 ? out : out.slice(0, at)).join("\n"));
  const errs = r.stderr.split("\n").filter((l) => l);
  const failed = names.filter((_, i) => !ok.has(i)).map((name) => ({ name, error: errs.find((l) => l.includes(name)) ?? errs[0] ?? "tmux did not confirm" }));
  const live = at < 0 ? undefined : new Set(out.slice(at + 1).filter((l) => l !== ""));
  return { ok: names.filter((_, i) => ok.has(i)), failed, live };
}

/** Types text into a pane literally (no key names); multi-line text goes as a bracketed paste. */
export async function typeText(name: string, text: string, runner: TmuxRunner = localTmux): Promise<void> {
  const t = sessionTarget(name);
  const cmds: string[][] = text.includes("\n")
    ? [
        ["set-buffer", "-b", "amux-send", "--", text],
        ["paste-buffer", "-p", "-d", "-b", "amux-send", "-t", t],
      ]
    : [["send-keys", "-t", t, "-l", "--", text]];
  const r = await tmuxScriptOn(runner, [confirmedLine(groupLine(cmds), 0)], false);
  if (!parseOk(r.stdout).has(0)) throw new TmuxError(`cannot type into ${name}: ${r.stderr.trim() || "tmux did not confirm"}`);
}

export async function pressEnter(name: string, runner: TmuxRunner = localTmux): Promise<void> {
  const r = await runner.raw(["send-keys", "-t", sessionTarget(name), "Enter"]);
  if (r.code !== 0) throw new TmuxError(`cannot press Enter in ${name}: ${r.stderr.trim()}`);
}
