import { withHostLease } from "../apply/remote.js";
import { locateProject, type ProjectOptions } from "../config/locate.js";
import type { Project } from "../config/project.js";
import { digestKeyFor, serverSetup } from "../desired/server-key.js";
import { declaredHosts } from "../desired/snapshot.js";
import { buildSpawn } from "../desired/spawn.js";
import { type HostView, type ProjectView, profileFor } from "../desired/view.js";
import { formatDuration } from "../duration.js";
import { type AmuxError, HostUnreachableError, NotFoundError, TmuxError, UsageError } from "../errors.js";
import { DEFAULT_HISTORY } from "../history.js";
import { type Reporter, sleep } from "../io.js";
import { assertName, NAME_PATTERNS, own, reservedNameProblem } from "../names.js";
import { failedStarts } from "../observe/first-second.js";
import { hostRunner, observeFleetSessions, runnerOf, serverOf } from "../observe/hosts.js";
import { cursorLine, localServer, observeServer, observeSessions, type TmuxServer } from "../observe/server.js";
import { runtimeSecretKeys } from "../secrets.js";
import { rotateLog as rotateLogFile } from "../state/logs.js";
import { ensureRuntimeDirs, logFile } from "../state/paths.js";
import { readRecords, writeRecords } from "../state/records.js";
import { classifyPane, isReadyForInput } from "../status/classify.js";
import { sampleOf } from "../status/observed.js";
import { LeaseHeldError } from "../tmux/lease.js";
import { type BatchResult, createSessions, killSessions, pressEnter, typeText } from "../tmux/ops.js";
import type { TmuxRunner } from "../tmux/runner.js";
import type { ObservedSession } from "../tmux/types.js";
import { ensureWorkspace } from "../workspace/ensure.js";
import { prunePassively } from "./prune.js";
import { recordOf } from "./status.js";
import { resolveTarget, type Target, whatExists } from "./targets.js";

/**
 * Finds the one live session a name means: a session's own name, or a service with exactly
 * one live replica (`via` then names the service); otherwise explains what exists.
 */
export async function findSession(
  opts: ProjectOptions,
  name: string,
): Promise<ObservedSession & { via: string | null; server: TmuxServer; hostDecl: HostView | null }> {
  const t = await findTarget(opts, name, "one");
  const s = t.sessions[0];
  if (!s) {
    if (t.service) throw new NotFoundError(`service ${name} has no live session`, t.hints);
    throw new NotFoundError(`session ${name} is not running (amux ps --all shows it)`, t.hints);
  }
  const hostDecl = s.host && Object.hasOwn(t.hosts, s.host) ? (t.hosts[s.host] ?? null) : null;
  return { ...s, via: t.service, server: serverOf(s, t.hosts), hostDecl };
}

/**
 * Resolves a session or service name (see resolveTarget) against the live server, this
 * project's declared services and its records; a session of another project is explained.
 */
export async function findTarget(
  opts: ProjectOptions,
  name: string,
  want: "one" | "all",
): Promise<Target & { root: string; hints: string[]; hosts: Record<string, HostView> }> {
  const loc = locateProject(opts);
  const { root } = loc;
  const hosts = await declaredHosts(opts, loc);
  const fleet = Object.keys(hosts).length ? await observeFleetSessions(hosts, { root }) : undefined;
  const {
    sessions: all,
    project: { mine },
  } = fleet ?? (await observeSessions({ scope: { root } }));
  const { loadView } = await import("../desired/snapshot.js");
  const services = Object.keys((await loadView(opts, () => {})).services);
  const records = readRecords(root);
  const recorded = records.map((r) => r.name);
  // A session on a host that cannot be reached now: say so, rather than that it is not running.
  if (fleet?.unreachable.length && !mine.some((s) => s.name === name)) {
    const r = records.find((x) => x.name === name && x.stoppedAt === null && x.host);
    const u = r ? fleet.unreachable.find((x) => x.host === r.host) : undefined;
    if (u) throw new HostUnreachableError(u.host, u.destination, `${u.gist} (session ${name} runs there)`);
  }
  const hints = whatExists(
    mine.map((s) => s.name),
    services,
  );
  if (!mine.some((s) => s.name === name)) {
    const other = all.find((x) => x.name === name);
    if (other)
      throw new NotFoundError(
        `session ${name} is not one of this project's sessions (${other.labels.root ? `it belongs to ${other.labels.root}` : "amux did not start it"})`,
        hints,
      );
  }
  return { ...resolveTarget(name, mine, { services, recorded }, want), root, hints, hosts };
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
  /** How long to wait for the agent to be ready for its prompt (default 60 s). */
  promptTimeoutMs?: number | undefined;
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
  /** Keys whose value was taken from the environment by name (`-e K`); a later value replaces it. */
  const passed = new Set<string>();
  const put = (k: string, v: string, byName: boolean) => {
    values[k] = v;
    if (byName) passed.add(k);
    else passed.delete(k);
  };
  for (const f of flags) {
    const i = f.indexOf("=");
    const k = i > 0 ? f.slice(0, i) : f;
    if (!NAME_PATTERNS.envKey.test(k)) throw new UsageError(`-e ${f}: expected KEY=VALUE with KEY matching ${NAME_PATTERNS.envKey.source}`);
    const reserved = reservedNameProblem(k);
    if (reserved) throw new UsageError(`-e ${f}: ${reserved}`);
    if (i < 0) {
      const v = env[k];
      if (v === undefined) throw new UsageError(`-e ${k}: variable ${k} is not set`);
      put(k, v, true);
    } else put(k, f.slice(i + 1), false);
  }
  for (const [k, v] of Object.entries(map)) {
    if (!NAME_PATTERNS.envKey.test(k)) throw new UsageError(`environment ${JSON.stringify(k)}: variable names must match ${NAME_PATTERNS.envKey.source}`);
    const reserved = reservedNameProblem(k);
    if (reserved) throw new UsageError(`environment.${k}: ${reserved}`);
    put(k, v, false);
  }
  return { values, secretKeys: runtimeSecretKeys(values, passed, env) };
}

/** `amux run`: starts one agent session now and returns its name. */
export async function runAgent(
  o: RunOptions,
  reporter: Reporter,
): Promise<{ session: string; project: Project; exited?: { code: number | null; lastLines: string[] }; promptNotSent?: boolean }> {
  const { loadProject, assertVarsSet } = await import("../config/project.js");
  const project = loadProject(o);
  const agent = own(project.agents, o.agent);
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
    const state = await observeServer();
    const taken = new Set(state.sessions.map((s) => s.name));
    let session = o.name;
    if (session !== undefined) {
      if (taken.has(session)) throw new UsageError(`session name ${session} is in use`, ["pick another --name, or `amux stop` it first"]);
    } else {
      let n = 1;
      while (taken.has(`${agent.id}-${n}`)) n++;
      session = `${agent.id}-${n}`;
    }
    const key = digestKeyFor(state.key, pending);
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
    rotateLog(project.root, session, project.history.logKeep);
    const startedAt = Date.now();
    const r = await createSessions([b.create], serverSetup(key, state.server));
    if (r.failed.length) {
      if (/duplicate session/.test(r.failed[0]?.error ?? "") && o.name === undefined) continue;
      throw new TmuxError(`cannot start ${session}: ${r.failed[0]?.error}`);
    }
    const created = (await observeSessions()).sessions.find((s) => s.name === session);
    if (created) writeRecords(project.root, [recordOf(created, null)]);
    // An agent that dies at once is worth saying so now, with its own last words from the log.
    const [failed] = await failedStarts(project.root, [session], startedAt);
    if (failed) return { session, project, exited: { code: failed.exitCode, lastLines: failed.lastLines } };
    if (b.prompt) {
      const failed = await sendWhenReady(project, [{ session, text: b.prompt }], o.promptTimeoutMs ?? 60_000, reporter);
      if (failed.length) return { session, project, promptNotSent: true };
    }
    return { session, project };
  }
  throw new TmuxError("could not find a free session name");
}

/** Moves the previous log of a name aside (state/logs.ts rotateLog), so a new session's log starts with its own first byte. */
export function rotateLog(root: string, session: string, keep = DEFAULT_HISTORY.logKeep): void {
  rotateLogFile(logFile(root, session), keep);
}

/**
 * `amux stop`: kills a session, or every live replica of a service; they stay in `ps --all` as
 * stopped. Returns what it stopped and the service the name meant, if it was one.
 */
export async function stopTarget(opts: ProjectOptions, name: string): Promise<{ stopped: string[]; service: string | null }> {
  const t = await findTarget(opts, name, "all");
  if (!t.sessions.length && !t.service) throw new NotFoundError(`session ${name} is not running (amux ps --all lists it)`, t.hints);
  // A declared service with no live session: nothing to stop.
  if (!t.sessions.length) return { stopped: [], service: t.service };
  ensureRuntimeDirs(t.root);
  const stamp = new Date().toISOString();
  writeRecords(
    t.root,
    t.sessions.map((s) => recordOf(s, stamp, "stop", t.hosts)),
  );
  const r = await killAcrossHosts(t.sessions, t.hosts);
  // What could not be stopped (a host's lease held by another controller…) still runs: its record says so.
  const kept = new Set(r.failed.map((f) => f.name));
  if (kept.size)
    writeRecords(
      t.root,
      t.sessions.filter((s) => kept.has(s.name)).map((s) => recordOf(s, null, null, t.hosts)),
    );
  // Another controller's lease on a host: its typed error (who holds it), the rest being done.
  if (r.refused[0]) throw r.refused[0];
  if (r.failed.length) throw new TmuxError(`cannot stop ${r.failed.map((f) => `${f.name}: ${f.error}`).join("; ")}`);
  const { loadView } = await import("../desired/snapshot.js");
  const view = await loadView(opts, () => {}).catch(() => undefined);
  await prunePassively(t.root, new Set(Object.keys(view?.hashes ?? {})), view?.history);
  return { stopped: r.ok, service: t.service };
}

/**
 * Kills sessions on the servers they live on (one batch per server, all at once). On a host, the
 * kill is done under the lease on its tmux server (withHostLease): a host whose lease another
 * live controller holds keeps its sessions (failed, with that error; `refused` has the typed
 * errors) while the other servers' are killed.
 */
export async function killAcrossHosts(sessions: ObservedSession[], hosts: Readonly<Record<string, HostView>>): Promise<BatchResult & { refused: AmuxError[] }> {
  const groups = new Map<string, { runner: TmuxRunner | undefined; names: string[] }>();
  for (const s of sessions) {
    const k = s.host ?? "";
    const g = groups.get(k) ?? { runner: runnerOf(s, hosts), names: [] };
    g.names.push(s.name);
    groups.set(k, g);
  }
  const out: BatchResult & { refused: AmuxError[] } = { ok: [], failed: [], refused: [] };
  const list = [...groups.values()];
  const settled = await Promise.allSettled(
    list.map((g) => (g.runner && g.runner.host !== null ? withHostLease(g.runner, () => killSessions(g.names, g.runner)) : killSessions(g.names, g.runner))),
  );
  settled.forEach((r, i) => {
    const g = list[i] as { names: string[] };
    if (r.status === "fulfilled") {
      out.ok.push(...r.value.ok);
      out.failed.push(...r.value.failed);
    } else {
      out.failed.push(...g.names.map((name) => ({ name, error: (r.reason as Error).message })));
      if (r.reason instanceof LeaseHeldError) out.refused.push(r.reason);
    }
  });
  return out;
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

/**
 * `amux send`: types text literally, then presses Enter separately, then checks the text left
 * the input line (pressing Enter once more if it did not: the pitfall of pastes whose Enter
 * never lands).
 */
export async function sendText(opts: ProjectOptions, name: string, text: string): Promise<{ session: string; via: string | null }> {
  const s = await findSession(opts, name);
  if (s.dead) throw new UsageError(`session ${s.name} has exited (code ${s.exitCode}); nothing reads its input`);
  await deliver(s.name, text, s.server, s.hostDecl ? hostRunner(s.hostDecl) : undefined);
  return { session: s.name, via: s.via };
}

async function deliver(name: string, text: string, server: TmuxServer = localServer, runner?: TmuxRunner): Promise<void> {
  const tail = tailOf(text);
  await typeText(name, text, runner);
  let echoed = false;
  for (const deadline = Date.now() + 1000; Date.now() < deadline; await sleep(30)) {
    if ((await cursorLine(name, server))?.includes(tail)) {
      echoed = true;
      break;
    }
  }
  await sleep(40);
  await pressEnter(name, runner);
  if (!echoed || !tail) return;
  for (let tries = 0; tries < 2; tries++) {
    for (const deadline = Date.now() + 1500; Date.now() < deadline; await sleep(50)) {
      if (!(await cursorLine(name, server))?.includes(tail)) return;
    }
    if (tries === 0) await pressEnter(name, runner);
  }
  throw new TmuxError(`typed into ${name}, but Enter did not land: the text is still on its input line`);
}

/** Sends each text once its session is ready for input (by its status), within a deadline; a session on a host is reached there. */
export async function sendWhenReady(
  project: Pick<ProjectView, "agents" | "services"> & { hosts?: Readonly<Record<string, HostView>> | undefined },
  items: { session: string; text: string; host?: string | null | undefined }[],
  timeoutMs: number,
  reporter: Reporter,
): Promise<string[]> {
  const pending = new Map(items.map((i) => [i.session, i.text]));
  const hostOfItem = new Map(items.map((i) => [i.session, i.host ?? null]));
  const hosts = project.hosts ?? {};
  const failed: string[] = [];
  const deadline = Date.now() + timeoutMs;
  // What each session was last said to be waiting on: said again only when its status changes.
  const shown = new Map<string, string>();
  while (pending.size && Date.now() < deadline) {
    // Each server with a pending prompt, looked at in parallel (this machine's alone without hosts).
    const where = [...new Set([...pending.keys()].map((n) => hostOfItem.get(n) ?? null))];
    // A host that cannot be reached for a moment is looked at again on the next turn (its
    // sessions are not taken for gone meanwhile).
    const unseen = new Set<string | null>();
    const looks = await Promise.all(
      where.map(async (host) => {
        const server = serverOf({ host }, hosts);
        try {
          const list = (await server.list()).filter((s) => pending.has(s.name) && (hostOfItem.get(s.name) ?? null) === host);
          const screens = await server.capture(list.filter((s) => !s.dead).map((s) => s.paneId));
          return list.map((s) => ({ s: host ? { ...s, host } : s, screen: screens.get(s.paneId) }));
        } catch (e) {
          if (host === null) throw e;
          unseen.add(host);
          return [];
        }
      }),
    );
    const seen = looks.flat();
    const live = seen.map((x) => x.s);
    const screenOfLive = new Map(seen.map((x) => [x.s.name, x.screen]));
    const now = Date.now();
    let delivered = false;
    for (const s of live) {
      if (s.dead) {
        reporter.warn(`${s.name}: exited with ${s.exitCode} before its prompt could be sent`);
        pending.delete(s.name);
        failed.push(s.name);
        continue;
      }
      // A delivery takes a while: the other screens are older than that now, so look again first.
      if (delivered) continue;
      const sample = sampleOf(s, screenOfLive.get(s.name), now);
      const profile = profileFor(project, s);
      // Only a screen read and classified ready: an unread one is "not known", never "ready".
      if (!isReadyForInput(sample, profile)) {
        const c = classifyPane(sample, profile);
        if (shown.get(s.name) !== c.status) {
          shown.set(s.name, c.status);
          reporter.info(`waiting for ${s.name} to be ready for input (status: ${c.status}: ${c.reason})`);
        }
      } else {
        const text = pending.get(s.name) as string;
        pending.delete(s.name);
        delivered = true;
        try {
          await deliver(s.name, text, serverOf(s, hosts), runnerOf(s, hosts));
          reporter.info(`${s.name}: prompt sent`);
        } catch (e) {
          reporter.warn(`${s.name}: ${(e as Error).message}`);
          failed.push(s.name);
        }
      }
    }
    for (const n of [...pending.keys()]) {
      if (live.some((s) => s.name === n) || unseen.has(hostOfItem.get(n) ?? null)) continue;
      reporter.warn(`${n}: gone before its prompt could be sent`);
      pending.delete(n);
      failed.push(n);
    }
    if (pending.size && !delivered) await sleep(250);
  }
  for (const n of pending.keys()) {
    reporter.warn(`${n}: not ready for input after ${formatDuration(timeoutMs)}; prompt not sent (--prompt-timeout waits longer)`);
    failed.push(n);
  }
  return failed;
}

/** Resolves a logs target: a session (live or recorded) or a service (all its replicas). */
export async function logTargets(
  opts: ProjectOptions,
  target: string,
): Promise<{ root: string; sessions: string[]; service: string | null; remote?: Map<string, HostView>; hosts?: Record<string, HostView> }> {
  const loc = locateProject(opts);
  const hosts = await declaredHosts(opts, loc);
  const hasHosts = Object.keys(hosts).length > 0;
  const { mine } = (hasHosts ? await observeFleetSessions(hosts, loc) : await observeSessions({ scope: loc })).project;
  const records = readRecords(loc.root);
  // Where each log is: a session on a host writes its log there (a live one says so; else its record).
  const remote = new Map<string, HostView>();
  if (hasHosts) {
    for (const r of records) if (r.host && Object.hasOwn(hosts, r.host)) remote.set(r.name, hosts[r.host] as HostView);
    for (const s of mine) {
      const h = s.host && Object.hasOwn(hosts, s.host) ? hosts[s.host] : undefined;
      if (h) remote.set(s.name, h);
      else remote.delete(s.name);
    }
  }
  const root = loc.root;
  const where = hasHosts ? { remote, hosts } : {};
  if (mine.some((s) => s.name === target) || records.some((r) => r.name === target)) return { root, sessions: [target], service: null, ...where };
  const replicas = mine.filter((s) => s.labels.service === target).map((s) => s.name);
  const past = records.filter((r) => r.service === target).map((r) => r.name);
  if (replicas.length || past.length) return { root, sessions: [...new Set([...replicas, ...past])].sort(), service: target, ...where };
  const { loadView } = await import("../desired/snapshot.js");
  const declared = Object.keys((await loadView(opts, () => {})).services);
  // A declared service without sessions yet has no output yet (and `logs -f` waits for it).
  if (declared.includes(target)) return { root, sessions: [], service: target, ...where };
  throw new NotFoundError(`no session or service ${target}`, whatExists([...mine.map((s) => s.name), ...records.map((r) => r.name)], declared));
}
