import { renameSync } from "node:fs";
import { locateProject, type ProjectOptions } from "../config/locate.js";
import type { Project } from "../config/project.js";
import { NotFoundError, TmuxError, UsageError } from "../errors.js";
import { assertName, NAME_PATTERNS } from "../names.js";
import { cameFromEnvironment, secretKeysOf } from "../secrets.js";
import { createPrivateFile, ensureRuntimeDirs, logFile } from "../state/paths.js";
import { readRecords, writeRecords } from "../state/records.js";
import { isReadyForInput } from "../status/classify.js";
import { sampleOf } from "../status/sample.js";
import { listSessions, observeServer } from "../tmux/observe.js";
import { capturePanes, createSessions, cursorAndScreen, killSessions, pressEnter, typeText } from "../tmux/ops.js";
import type { ObservedSession } from "../tmux/types.js";
import { ensureWorkspace } from "../workspace/ensure.js";
import { type Reporter, sleep } from "./io.js";
import { readLog } from "./logs.js";
import { type ProjectView, profileFor, projectSessions } from "./project-view.js";
import { digestKeyFor, serverSetup } from "./server-key.js";
import { buildSpawn } from "./spawn.js";
import { recordOf } from "./status-view.js";

/** Finds one of this project's sessions by name, or explains what exists. */
export async function findSession(project: { root: string }, name: string): Promise<ObservedSession> {
  const all = await listSessions();
  const mine = projectSessions(project, all);
  const s = mine.find((x) => x.name === name);
  if (s) return s;
  const other = all.find((x) => x.name === name);
  if (other)
    throw new NotFoundError(
      `session ${name} is not one of this project's sessions (${other.labels.root ? `it belongs to ${other.labels.root}` : "amux did not start it"})`,
    );
  throw new NotFoundError(
    `no session ${name}`,
    mine.length ? [`sessions: ${mine.map((x) => x.name).join(", ")}`] : ["this project has no sessions (amux ps --all shows stopped ones)"],
  );
}

export interface RunOptions extends ProjectOptions {
  agent: string;
  workspace?: string | undefined;
  name?: string | undefined;
  /** `-e K=V` flags; `-e K` passes K through from the invoking environment. */
  env?: string[] | undefined;
  /** Variables given as a map (MCP `environment`), applied after `env`. */
  environment?: Record<string, string> | undefined;
  prompt?: string | undefined;
}

/** Variables given at runtime, and which of them are secret by the one rule. */
export interface RuntimeEnv {
  values: Record<string, string>;
  secretKeys: string[];
}

/**
 * Parses `-e K=V` flags and an environment map. A value is secret by the rule: a credential-like
 * key, or a value from the invoking environment (`-e K`, or `-e K=$VAR` which reaches amux expanded).
 */
export function parseEnvFlags(flags: string[] = [], map: Record<string, string> = {}, env: NodeJS.ProcessEnv = process.env): RuntimeEnv {
  const values: Record<string, string> = {};
  const fromEnv = new Set<string>();
  const put = (k: string, v: string, passed: boolean) => {
    values[k] = v;
    if (passed || cameFromEnvironment(v, env)) fromEnv.add(k);
    else fromEnv.delete(k);
  };
  for (const f of flags) {
    const i = f.indexOf("=");
    const k = i > 0 ? f.slice(0, i) : f;
    if (!NAME_PATTERNS.envKey.test(k)) throw new UsageError(`-e ${f}: expected KEY=VALUE with KEY matching ${NAME_PATTERNS.envKey.source}`);
    if (i < 0) {
      const v = env[k];
      if (v === undefined) throw new UsageError(`-e ${k}: variable ${k} is not set`);
      put(k, v, true);
    } else put(k, f.slice(i + 1), false);
  }
  for (const [k, v] of Object.entries(map)) {
    if (!NAME_PATTERNS.envKey.test(k)) throw new UsageError(`environment ${JSON.stringify(k)}: variable names must match ${NAME_PATTERNS.envKey.source}`);
    put(k, v, false);
  }
  return { values, secretKeys: secretKeysOf(values, fromEnv) };
}

/** `amux run`: starts one agent session now and returns its name. */
export async function runAgent(
  o: RunOptions,
  reporter: Reporter,
): Promise<{ session: string; project: Project; exited?: { code: number | null; lastLines: string[] } }> {
  const { loadProject, assertVarsSet } = await import("../config/project.js");
  const project = loadProject(o);
  const agent = project.agents[o.agent];
  if (!agent) {
    const known = Object.keys(project.agents).sort();
    throw new NotFoundError(`unknown agent ${JSON.stringify(o.agent)}`, [
      known.length ? `known agents: ${known.join(", ")}` : `no agents defined: add them to ${project.configFile ?? ".amux/config.yaml"}`,
    ]);
  }
  if (o.name !== undefined) assertName("session", o.name);
  if (o.workspace !== undefined) assertName("workspace", o.workspace);
  const extra = parseEnvFlags(o.env, o.environment);
  assertVarsSet(project, [agent.id], []);
  const cwd = o.workspace ? await ensureWorkspace(project, o.workspace, reporter) : project.root;
  ensureRuntimeDirs(project.root);
  const pending: { secret?: string } = {};
  for (let attempt = 0; attempt < 5; attempt++) {
    const server = await observeServer();
    const taken = new Set(server.sessions.map((s) => s.name));
    let session = o.name;
    if (session !== undefined) {
      if (taken.has(session)) throw new UsageError(`session name ${session} is in use`, ["pick another --name, or `amux stop` it first"]);
    } else {
      let n = 1;
      while (taken.has(`${agent.id}-${n}`)) n++;
      session = `${agent.id}-${n}`;
    }
    const key = digestKeyFor(server.key, pending);
    const b = buildSpawn({
      project,
      agent,
      session,
      workspace: o.workspace ?? null,
      cwd,
      extraEnv: extra.values,
      extraSecretKeys: extra.secretKeys,
      prompt: o.prompt ?? null,
      key,
    });
    rotateLog(project.root, session);
    const r = await createSessions([b.create], serverSetup(key, server));
    if (r.failed.length) {
      if (/duplicate session/.test(r.failed[0]?.error ?? "") && o.name === undefined) continue;
      throw new TmuxError(`cannot start ${session}: ${r.failed[0]?.error}`);
    }
    const created = (await listSessions()).find((s) => s.name === session);
    if (created) writeRecords(project.root, [recordOf(created, null)]);
    // An agent that dies at once is worth saying so now, with its own last words from the log.
    await sleep(150);
    let after = (await listSessions()).find((s) => s.name === session);
    for (let i = 0; after?.dead && after.exitCode === null && i < 10; i++) {
      await sleep(100);
      after = (await listSessions()).find((s) => s.name === session);
    }
    if (after?.dead) {
      const lastLines = readLog(project.root, session)
        .filter((l) => l.trim())
        .slice(-5);
      return { session, project, exited: { code: after.exitCode, lastLines } };
    }
    if (b.prompt) await sendWhenReady(project, [{ session, text: b.prompt }], 60_000, reporter);
    return { session, project };
  }
  throw new TmuxError("could not find a free session name");
}

/** Moves the previous log of a name aside, so a new session's log starts with its own first byte. */
export function rotateLog(root: string, session: string): void {
  const f = logFile(root, session);
  try {
    renameSync(f, `${f}.1`);
  } catch {}
  // tmux's pipe appends to it with the server's umask: it must exist, private, first.
  createPrivateFile(f);
}

/** `amux stop`: kills one session; it stays in `ps --all` as stopped. */
export async function stopSession(opts: ProjectOptions, name: string): Promise<void> {
  const loc = locateProject(opts);
  const s = await findSession(loc, name);
  ensureRuntimeDirs(loc.root);
  writeRecords(loc.root, [recordOf(s, new Date().toISOString())]);
  const r = await killSessions([name]);
  if (r.failed.length) throw new TmuxError(`cannot stop ${name}: ${r.failed[0]?.error}`);
}

/** The text's last visible piece, to see whether it is still on the input line. */
function tailOf(text: string): string {
  const last =
    text
      .split("\n")
      .filter((l) => l.trim())
      .pop() ?? text;
  return last.trim().slice(-24);
}

async function cursorLine(name: string): Promise<string | undefined> {
  const c = await cursorAndScreen(name);
  return c ? (c.screen[c.cursorY] ?? "") : undefined;
}

/**
 * `amux send`: types text literally, then presses Enter separately, then checks the text left
 * the input line (pressing Enter once more if it did not: the pitfall of pastes whose Enter
 * never lands).
 */
export async function sendText(opts: ProjectOptions, name: string, text: string): Promise<void> {
  const loc = locateProject(opts);
  const s = await findSession(loc, name);
  if (s.dead) throw new UsageError(`session ${name} has exited (code ${s.exitCode}); nothing reads its input`);
  await deliver(name, text);
}

async function deliver(name: string, text: string): Promise<void> {
  const tail = tailOf(text);
  await typeText(name, text);
  let echoed = false;
  for (const deadline = Date.now() + 1000; Date.now() < deadline; await sleep(30)) {
    if ((await cursorLine(name))?.includes(tail)) {
      echoed = true;
      break;
    }
  }
  await sleep(40);
  await pressEnter(name);
  if (!echoed || !tail) return;
  for (let tries = 0; tries < 2; tries++) {
    for (const deadline = Date.now() + 1500; Date.now() < deadline; await sleep(50)) {
      if (!(await cursorLine(name))?.includes(tail)) return;
    }
    if (tries === 0) await pressEnter(name);
  }
  throw new TmuxError(`typed into ${name}, but Enter did not land: the text is still on its input line`);
}

/** Sends each text once its session is ready for input (by its status), within a deadline. */
export async function sendWhenReady(
  project: Pick<ProjectView, "agents" | "services">,
  items: { session: string; text: string }[],
  timeoutMs: number,
  reporter: Reporter,
): Promise<string[]> {
  const pending = new Map(items.map((i) => [i.session, i.text]));
  const failed: string[] = [];
  const deadline = Date.now() + timeoutMs;
  while (pending.size && Date.now() < deadline) {
    const live = (await listSessions()).filter((s) => pending.has(s.name));
    const screens = await capturePanes(live.filter((s) => !s.dead).map((s) => s.paneId));
    const now = Date.now();
    for (const s of live) {
      if (s.dead) {
        reporter.warn(`${s.name}: exited with ${s.exitCode} before its prompt could be sent`);
        pending.delete(s.name);
        failed.push(s.name);
        continue;
      }
      if (isReadyForInput(sampleOf(s, screens.get(s.paneId), now), profileFor(project, s))) {
        const text = pending.get(s.name) as string;
        pending.delete(s.name);
        try {
          await deliver(s.name, text);
          reporter.info(`${s.name}: prompt sent`);
        } catch (e) {
          reporter.warn(`${s.name}: ${(e as Error).message}`);
          failed.push(s.name);
        }
      }
    }
    for (const n of [...pending.keys()]) if (!live.some((s) => s.name === n)) pending.delete(n);
    if (pending.size) await sleep(250);
  }
  for (const n of pending.keys()) {
    reporter.warn(`${n}: not ready for input after ${Math.round(timeoutMs / 1000)}s; prompt not sent`);
    failed.push(n);
  }
  return failed;
}

/** Resolves a logs target: a session (live or recorded) or a service (all its replicas). */
export async function logTargets(opts: ProjectOptions, target: string): Promise<{ root: string; sessions: string[]; service: string | null }> {
  const loc = locateProject(opts);
  const mine = projectSessions(loc, await listSessions());
  const records = readRecords(loc.root);
  if (mine.some((s) => s.name === target) || records.some((r) => r.name === target)) return { root: loc.root, sessions: [target], service: null };
  const replicas = mine.filter((s) => s.labels.service === target).map((s) => s.name);
  const past = records.filter((r) => r.service === target).map((r) => r.name);
  if (replicas.length || past.length) return { root: loc.root, sessions: [...new Set([...replicas, ...past])].sort(), service: target };
  const names = [...new Set([...mine.map((s) => s.name), ...records.map((r) => r.name)])].sort();
  throw new NotFoundError(`no session or service ${target}`, names.length ? [`sessions: ${names.join(", ")}`] : ["this project has no sessions"]);
}
