import { type ApplyProgress, type ApplyResult, applyAcrossHosts } from "../apply/apply.js";
import type { Effects } from "../apply/effects.js";
import { localEffects } from "../apply/local.js";
import { hostEffects } from "../apply/remote.js";
import { assertVarsSet, loadProject, locateProject, type Project, type ProjectOptions } from "../config/project.js";
import { desiredFleet } from "../desired/desired.js";
import { digestKeyFor, serverSetup } from "../desired/server-key.js";
import { saveSnapshot } from "../desired/snapshot.js";
import { dirsOf, type SpawnBuild } from "../desired/spawn.js";
import { profileFor } from "../desired/view.js";
import { NotFoundError } from "../errors.js";
import { type Reporter, sleep } from "../io.js";
import { own } from "../names.js";
import { type FailedStart, FIRST_SECOND_MS, failedStartsAcross, type Seen, startGroupsOf, UP_START_WATCH_MS } from "../observe/first-second.js";
import { hostRunner, lookAtHosts, observeFleetSessions, type Unreachable } from "../observe/hosts.js";
import { previousReplicas } from "../observe/previous.js";
import { rememberPanes } from "../observe/project.js";
import { classifySessions } from "../observe/sample.js";
import { localServer, observeServer, observeSessions, type TmuxServer } from "../observe/server.js";
import { observeWorkspaces } from "../observe/workspaces.js";
import { planConvergence } from "../plan/plan.js";
import type { Action, Plan } from "../plan/types.js";
import { type DigestKey, serverKey } from "../secrets.js";
import { ensureRuntimeDirs } from "../state/paths.js";
import { lockProject } from "../state/project-lock.js";
import { readRecords, writeRecords } from "../state/records.js";
import { labelLine, type ServerSetup } from "../tmux/ops.js";
import type { ObservedSession } from "../tmux/types.js";
import { type GoneHostGroup, type GoneHostRemoval, goneHostOrphans, removeGoneHostOrphans } from "./orphans.js";
import { prunePassively } from "./prune.js";
import { sendWhenReady } from "./session.js";
import { recordOf } from "./status.js";

export interface FleetOptions extends ProjectOptions {
  services?: string[] | undefined;
  removeOrphans?: boolean | undefined;
  /** Start every replica clean: never resume a conversation (`up --fresh`). */
  fresh?: boolean | undefined;
}

/** Service names given on the command line must be declared: exit 2 listing those that are. */
export function checkServices(p: Project, only: string[]): void {
  const unknown = only.filter((s) => !own(p.services, s));
  if (unknown.length) {
    const known = Object.keys(p.services).sort();
    throw new NotFoundError(`unknown service${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}`, [
      known.length ? `services: ${known.join(", ")}` : "the compose file declares no services",
    ]);
  }
}

/** What planning a fleet saw and decided: the plan, and what apply needs for each server. */
export interface FleetPlan {
  project: Project;
  plan: Plan;
  builds: Map<string, SpawnBuild>;
  /** Every session of every server looked at (a host's carry `host`). */
  observed: ObservedSession[];
  /** This machine's server setup. */
  setup: ServerSetup;
  /** Each reachable host's server setup, by host id. */
  hostSetups: Map<string, ServerSetup>;
  /** Declared hosts that could not be reached. */
  unreachable: Unreachable[];
  /** Hosts the file no longer declares whose sessions live on in amux's records (orphans). */
  goneHosts: GoneHostGroup[];
}

/** New digest keys kept for servers that have none yet (one per server and process: see digestKeyFor). */
export interface PendingKeys {
  local?: { secret?: string };
  hosts?: Map<string, { secret?: string }>;
}

/** The pending key of a host's server (made on first use). */
export function pendingFor(pending: PendingKeys, host: string): { secret?: string } | undefined {
  if (!pending.hosts) return undefined;
  let p = pending.hosts.get(host);
  if (!p) {
    p = {};
    pending.hosts.set(host, p);
  }
  return p;
}

/**
 * One look at each server of the fleet, all at once (this machine's, and each declared host's
 * through ssh): sessions, digest key and global environment. A host that cannot be reached is
 * listed as such. Without hosts, exactly the one local look.
 */
export async function observeFleetServers(project: Pick<Project, "hosts">, pending: PendingKeys = {}) {
  const hosts = project.hosts ?? {};
  const hasHosts = Object.keys(hosts).length > 0;
  const [state, remote] = await Promise.all([observeServer(), hasHosts ? lookAtHosts(hosts, (server) => observeServer({ server })) : undefined]);
  const key = digestKeyFor(state.key, pending.local);
  const hostKeys = new Map<string, DigestKey>();
  const hostSetups = new Map<string, ServerSetup>();
  const sessions = [...state.sessions];
  for (const [id, look] of remote?.looks ?? []) {
    const k = digestKeyFor(look.key, pendingFor(pending, id));
    hostKeys.set(id, k);
    // A host's server has the host's environment: nothing of this machine's decides what it drops.
    hostSetups.set(id, serverSetup(k, look.server, {}));
    sessions.push(...look.sessions);
  }
  return { state, key, hostKeys, hostSetups, sessions, unreachable: remote?.unreachable ?? [] };
}

/** Observe → plan: the plan for this project, from one look at each live server (its sessions and digest key) and its workspaces. */
export async function planFleet(o: FleetOptions): Promise<FleetPlan> {
  const project = loadProject(o);
  if (!project.composeFile) throw new NotFoundError("no amux.compose.yaml here or in any parent directory (use -f FILE)");
  const only = o.services ?? [];
  checkServices(project, only);
  const scope = only.length ? only : Object.keys(project.services);
  assertVarsSet(project, [...new Set(scope.map((s) => project.services[s]?.agent as string))], scope);
  const { state, key, hostKeys, hostSetups, sessions: observed, unreachable } = await observeFleetServers(project);
  const { desired, builds } = desiredFleet(project, key, (id) => hostKeys.get(id));
  saveSnapshot(project, builds, o, key);
  const records = readRecords(project.root);
  const previous = previousReplicas(project.root, dirsOf(builds), observed, records);
  const workspaces = await observeWorkspaces(project, desired.workspaces ?? []);
  const plan = planConvergence(
    desired,
    { ...state, sessions: observed, workspaces, unreachable },
    { removeOrphans: !!o.removeOrphans, only, now: Date.now(), previous, fresh: !!o.fresh },
  );
  // Sessions on a host the file no longer declares: orphans, reached as their records say (their
  // host's ssh destination and root) to be removed; an older record without them cannot be.
  const gone = goneHostOrphans(records, project.hosts ?? {});
  for (const g of gone.groups) {
    for (const r of g.records) {
      plan.notes.push({
        kind: "orphan",
        session: r.name,
        service: r.service,
        message: o.removeOrphans
          ? `runs on host ${g.host.id}, which the compose file no longer declares: to be removed there (ssh ${g.host.ssh})`
          : `runs on host ${g.host.id}, which the compose file no longer declares: \`amux up --remove-orphans\` (or \`amux down\`) removes it there (ssh ${g.host.ssh})`,
      });
    }
  }
  for (const r of gone.unknown) {
    plan.notes.push({
      kind: "orphan",
      session: r.name,
      service: r.service,
      message: `runs on host ${r.host}, which the compose file no longer declares: declare it again and \`amux up --remove-orphans\` (or \`amux down\`) to remove it there`,
    });
  }
  return { project, plan, builds, observed, setup: serverSetup(key, state.server), hostSetups, unreachable, goneHosts: gone.groups };
}

export interface UpOptions extends FleetOptions {
  dryRun?: boolean | undefined;
  wait?: boolean | undefined;
  waitTimeoutMs?: number | undefined;
  promptTimeoutMs?: number | undefined;
}

export interface UpResult {
  project: Project;
  plan: Plan;
  failed: { action: Action; error: string }[];
  /** Replicas started by this `up` that died within their first second. */
  failedStarts: FailedStart[];
  /** Replicas whose prompt was not delivered. */
  promptsNotSent: string[];
  notReady: string[];
  /** Declared hosts that could not be reached: nothing was done for their replicas. */
  unreachable: Unreachable[];
  /** With --remove-orphans: sessions removed from hosts the file no longer declares, and those that could not be. */
  goneHostOrphans?: GoneHostRemoval | undefined;
}

export interface UpProgress {
  onPlan?(plan: Plan): void;
  onStart?(a: Action): void;
  onDone?(a: Action, error?: string): void;
}

/** `amux up`: observe, plan, apply under the project lock; then prompts and --wait. */
export async function up(o: UpOptions, reporter: Reporter, progress: UpProgress = {}): Promise<UpResult> {
  if (o.dryRun) {
    const { project, plan, unreachable } = await planFleet(o);
    return { project, plan, failed: [], failedStarts: [], promptsNotSent: [], notReady: [], unreachable };
  }
  const loc = locateProject(o);
  const lock = await lockProject(loc.root, "amux up", reporter);
  try {
    const { project, plan, builds, observed, setup, hostSetups, unreachable, goneHosts } = await planFleet(o);
    progress.onPlan?.(plan);
    const startedAt = Date.now();
    // A started agent is done only once it has lived through its start (failedStarts below).
    const { result, prompts, after } = await applyAndRecord(
      project,
      plan,
      observed,
      setup,
      reporter,
      {
        onStart: progress.onStart,
        onDone: (a, error) => {
          if (error || a.action === "remove") progress.onDone?.(a, error);
        },
      },
      hostSetups,
    );
    // Orphans on hosts the file no longer declares: reached as their records say, under each host's lease.
    const goneHostOrphans = o.removeOrphans && goneHosts.length ? await removeGoneHostOrphans(project.root, goneHosts) : undefined;
    // Only what this `up` removed joined the history (down and stop prune what they end).
    if (result.done.some((a) => a.action === "remove")) await prunePassively(project.root, new Set(builds.keys()), project.history);
    await lock.release();
    const started = result.done.filter((a) => a.action !== "remove");
    // `up --wait` holds each new agent through its whole first second. A plain `up` does not
    // (that alone would triple the time of a large `up`): it watches its new agents for
    // UP_START_WATCH_MS from the start of its batch, or as long as its own work took, and names
    // those that died in it (a command that does not exist, a bad interpreter, a crash on
    // start-up). `ps` and `watch` show later deaths. Each server is watched through its own
    // looks (a host's: one round trip per poll, hosts in parallel; its logs read there).
    const dead = started.length
      ? await failedStartsAcross(startGroupsOf(project.root, project.hosts ?? {}, started, after), startedAt, o.wait ? FIRST_SECOND_MS : UP_START_WATCH_MS)
      : [];
    const isDead = (n: string) => dead.some((d) => d.session === n);
    for (const a of started) {
      const d = dead.find((x) => x.session === a.session);
      progress.onDone?.(a, d ? `exited at once with code ${d.exitCode ?? "?"}` : undefined);
    }
    const live = prompts.filter((p) => !isDead(p.session));
    const promptsNotSent = [
      ...prompts.filter((p) => isDead(p.session)).map((p) => p.session),
      ...(live.length ? await sendWhenReady(project, live, o.promptTimeoutMs ?? 60_000, reporter) : []),
    ];
    // Failed starts are reported as such, not again as "not ready".
    const notReady = o.wait ? await waitHealthy(project, o.services ?? [], o.waitTimeoutMs ?? 60_000, isDead) : [];
    return { project, plan, failed: result.failed, failedStarts: dead, promptsNotSent, notReady, unreachable, goneHostOrphans };
  } finally {
    await lock.release().catch(() => {});
  }
}

/**
 * Apply with its bookkeeping, shared by `up`, `start`/`restart` and the watcher: the plan applied
 * through this machine's effects (workspaces, logs, the whole plan in one tmux process), records
 * written from the labels after, and the prompts that started replicas are owed.
 */
export async function applyAndRecord(
  project: Project,
  plan: Pick<Plan, "actions" | "workspaces">,
  observed: ObservedSession[],
  setup: ServerSetup,
  reporter: Reporter,
  progress: ApplyProgress = {},
  hostSetups: ReadonlyMap<string, ServerSetup> = new Map(),
): Promise<{ result: ApplyResult; prompts: { session: string; text: string; host: string | null }[]; after: Seen }> {
  ensureRuntimeDirs(project.root);
  const at = (host: string | null | undefined, name: string) => (host ? `${host}\0${name}` : name);
  const byName = new Map(observed.map((s) => [at(s.host, s.name), s]));
  const fx = localEffects(project, reporter);
  const fxOf = (host: string | null): Effects => {
    const h = host === null || !project.hosts || !Object.hasOwn(project.hosts, host) ? undefined : project.hosts[host];
    return h ? hostEffects(h, hostRunner(h), { root: h.root, workspaces: project.workspaces, reporter }) : fx;
  };
  const result = await applyAcrossHosts(plan, fxOf, (host) => (host === null ? setup : hostSetups.get(host)), progress);
  const madeActions = result.done.filter((a) => a.action === "create" || a.action === "recreate");
  const made = new Set(madeActions.filter((a) => !a.host).map((a) => a.session));
  if (result.key && result.key !== setup.key && made.size) await relabel(desiredFleet(project, serverKey(result.key)).builds, made, fx);
  // The same on each host whose server holds another key than the one its batch brought.
  for (const [host, key] of result.hostKeys) {
    const onHost = new Set(madeActions.filter((a) => a.host === host).map((a) => a.session));
    if (!key || key === hostSetups.get(host)?.key || !onHost.size) continue;
    const k = serverKey(key);
    await relabel(desiredFleet(project, k, (h) => (h === host ? k : undefined)).builds, onHost, fxOf(host)).catch(() => {});
  }
  const afterAt = Date.now();
  // Looked at again: this machine, and the hosts where something was done.
  const touched = new Set(result.done.flatMap((a) => (a.host ? [a.host] : [])));
  const hosts = Object.fromEntries(Object.entries(project.hosts ?? {}).filter(([id]) => touched.has(id)));
  const { sessions: after, project: mine } = touched.size ? await observeFleetSessions(hosts, project) : await observeSessions({ scope: project });
  rememberPanes(
    project.root,
    mine.mine.filter((s) => !s.host),
  );
  const madeKeys = new Set(madeActions.map((a) => at(a.host, a.session)));
  const removed = result.done
    .filter((a) => a.action === "remove")
    .map((a) => byName.get(at(a.host, a.session)))
    .filter((s): s is ObservedSession => !!s);
  const stamp = new Date().toISOString();
  // A replica that moved hosts is recorded where it runs now (its removal elsewhere is not its record).
  const stays = new Set(after.filter((s) => madeKeys.has(at(s.host, s.name))).map((s) => s.name));
  writeRecords(project.root, [
    ...after.filter((s) => madeKeys.has(at(s.host, s.name))).map((s) => recordOf(s, null, null, project.hosts)),
    ...removed.filter((s) => !stays.has(s.name)).map((s) => recordOf(s, stamp, "remove", project.hosts)),
  ]);
  const prompts = result.done.flatMap((a) => (a.action !== "remove" && a.prompt ? [{ session: a.session, text: a.prompt, host: a.host ?? null }] : []));
  return { result, prompts, after: { at: afterAt, sessions: after } };
}

/**
 * Another amux set the server's key first (both started a fresh server at once): the sessions
 * just made carry digests of a key the server does not hold. Label them with the server's.
 */
async function relabel(builds: Map<string, SpawnBuild>, sessions: Set<string>, fx: Effects): Promise<void> {
  const entries = [...sessions].flatMap((name) => {
    const b = builds.get(name);
    return b ? [{ name, line: labelLine(name, { hash: b.hash, spec: b.create.labels.spec }) }] : [];
  });
  await fx.tmux.runBatch(entries, undefined);
}

/** Waits until every replica in scope is running or idle (on this machine and each reachable host); returns those that did not get there. */
export async function waitHealthy(project: Project, only: string[], timeoutMs: number, skip: (session: string) => boolean = () => false): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  const inScope = (s: ObservedSession) =>
    s.labels.root === project.root && !!s.labels.service && (!only.length || only.includes(s.labels.service)) && !skip(s.name);
  // One server's replicas in scope and their statuses, its screens captured there.
  const look = async (server: TmuxServer) => {
    const mine = (await server.list()).filter(inScope);
    return { mine, st: await classifySessions(mine, (s) => profileFor(project, s), undefined, undefined, undefined, server) };
  };
  const hosts = project.hosts ?? {};
  for (;;) {
    const [here, remote] = await Promise.all([look(localServer), Object.keys(hosts).length ? lookAtHosts(hosts, look) : undefined]);
    const all = [here, ...(remote?.looks.values() ?? [])];
    const notHealthy = all.flatMap(({ mine, st }) =>
      mine.filter((s) => !["running", "idle"].includes(st.get(s.name)?.status ?? "")).map((s) => ({ s, c: st.get(s.name) })),
    );
    const bad = notHealthy.map(({ s, c }) => `${s.name} (${c?.status}: ${c?.reason})`);
    // An exited replica will not get better by waiting (`up` restarts nothing later): say so now.
    const hopeless = notHealthy.length > 0 && notHealthy.every(({ s }) => s.dead);
    if (!bad.length || hopeless || Date.now() >= deadline) return bad;
    await sleep(250);
  }
}

export { LOCK_WAIT_MS, lockProject } from "../state/project-lock.js";
export { type DownResult, down } from "./down.js";
