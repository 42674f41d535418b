import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { locateProject, type ProjectOptions } from "../config/locate.js";
import { loadProject, type Project } from "../config/project.js";
import { showPath } from "../config/yaml-file.js";
import { desiredFleet } from "../desired/desired.js";
import { digestKeyFor, serverSetup } from "../desired/server-key.js";
import { dirsOf } from "../desired/spawn.js";
import { ConfigError, NotFoundError } from "../errors.js";
import type { Reporter } from "../io.js";
import { failedStartsAcross, startGroupsOf } from "../observe/first-second.js";
import { previousReplicas } from "../observe/previous.js";
import { observeWorkspaces } from "../observe/workspaces.js";
import { planConvergence } from "../plan/plan.js";
import type { Action } from "../plan/types.js";
import type { DigestKey } from "../secrets.js";
import { type AmuxEvent, appendEvents, formatEvent } from "../state/events.js";
import { heldStopped } from "../state/holds.js";
import { acquireLock } from "../state/lock.js";
import { applyAndRecord, checkServices, lockProject, observeFleetServers, type PendingKeys, pendingFor } from "../usecases/fleet.js";
import { type HookEvent, runHook } from "../usecases/hooks.js";
import { prunePassively } from "../usecases/prune.js";
import { sendWhenReady } from "../usecases/session.js";
import { actionEvent, failedStartEvents, onTransitions, stuckSessions, type Transition, wakeDelay } from "./decisions.js";
import { FleetTracker } from "./fleet-tracker.js";

export { hostRetryMs } from "./fleet-tracker.js";

export interface WatchOptions extends ProjectOptions {
  services?: string[] | undefined;
  removeOrphans?: boolean | undefined;
  /** Status tick, ms. */
  intervalMs?: number | undefined;
  /** Called with each event as it happens (the CLI prints them). */
  onEvent?: (e: AmuxEvent) => void;
}

const now = () => new Date().toISOString();

/**
 * `amux watch`: a level-triggered loop. Every trigger (a file edit, a timer tick, a pane that
 * died) only means "reconcile soon"; each pass re-observes everything in one tmux round trip,
 * classifies, emits transitions, then plans and applies if anything differs. One pass at a time;
 * a dirty flag coalesces triggers. An invalid edit is reported and the fleet left as it is.
 */
export class Supervisor {
  private project: Project | undefined;
  /** The declared fleet of `project`, resolved once per (re)load (and server key) rather than on every tick. */
  private fleet: (ReturnType<typeof desiredFleet> & { keyId: string | null }) | undefined;
  /** A digest key for a server that has none yet: the next batch sets it. */
  private readonly pendingKey: { secret?: string } = {};
  /** Every server's status tracker; a host that cannot be reached is said once, and again when it returns. */
  private readonly tracker = new FleetTracker((news) => {
    if (news.kind === "back") this.reporter.info(`watch: host ${news.host} is reachable again`);
    else
      this.reporter.warn(`watch: host ${news.why.host} (${news.why.destination}) cannot be reached: ${news.why.gist}; nothing is done there until it returns`);
  });
  private readonly pending: PendingKeys = { local: this.pendingKey, hosts: new Map() };
  private running = false;
  private dirty = true;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private fileStamp = "";
  private configError = "";
  private notified: ReadonlySet<string> = new Set<string>();
  /** Whether a pass has planned yet (the first one ignores `amux stop` holds). */
  private started = false;
  private pass: Promise<void> = Promise.resolve();
  readonly root: string;

  constructor(
    private readonly o: WatchOptions,
    private readonly reporter: Reporter,
  ) {
    this.root = locateProject(o).root;
  }

  private emit(events: AmuxEvent[]): void {
    if (!events.length) return;
    appendEvents(this.root, events);
    for (const e of events) this.o.onEvent?.(e);
  }

  private watchedFiles(): string[] {
    const loc = locateProject(this.o);
    return [loc.composeFile, loc.configFile, join(loc.root, "amux.compose.yaml"), join(loc.root, ".amux", "config.yaml")].filter((f): f is string => !!f);
  }

  /** size+mtime of the watched files: a cheap check each tick, behind the file watcher. */
  private stamp(): string {
    return this.watchedFiles()
      .map((f) => {
        try {
          const st = statSync(f);
          return `${f}:${st.size}:${st.mtimeMs}`;
        } catch {
          return `${f}:-`;
        }
      })
      .join("|");
  }

  private reload(): void {
    this.fileStamp = this.stamp();
    try {
      const p = loadProject(this.o);
      if (!p.composeFile) {
        // Never found: nothing to watch (as `up` says). Gone while watching: the file it was, a problem like any other.
        const gone = this.project?.composeFile;
        if (!gone) throw new NotFoundError("no amux.compose.yaml here or in any parent directory (use -f FILE)");
        throw new ConfigError([{ file: showPath(gone), line: 0, col: 0, path: "", message: "cannot be read (it is gone)" }]);
      }
      const first = !this.project;
      // Services named on the command line must exist when watching starts (later edits may drop them).
      if (first) checkServices(p, this.o.services ?? []);
      this.project = p;
      this.fleet = undefined;
      if (this.configError || !first)
        this.emit([{ time: now(), type: "config", project: p.name, reason: this.configError ? "configuration valid again" : "configuration reloaded" }]);
      this.configError = "";
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      if (e.message !== this.configError) {
        this.configError = e.message;
        this.reporter.warn(`configuration invalid; the fleet is left as it is until it is fixed:\n${e.message}`);
        this.emit([{ time: now(), type: "config", project: this.project?.name ?? "", error: e.message }]);
      }
      if (!this.project) throw e;
    }
  }

  /** Marks the fleet for a pass soon (coalesced). */
  trigger(reloadConfig = false): void {
    if (reloadConfig) this.fileStamp = "";
    this.dirty = true;
    if (!this.running) this.pass = this.runPass();
  }

  private async runPass(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (this.dirty && !this.stopped) {
        this.dirty = false;
        await this.once();
      }
    } catch (e) {
      this.reporter.warn(`watch: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  /** One pass: maybe reload, observe + classify, emit, plan, apply. */
  private async once(): Promise<void> {
    if (this.stamp() !== this.fileStamp) this.reload();
    const project = this.project;
    if (!project) return;
    const tick = await this.tracker.tick(project);
    this.wakeFor(tick.wakeAt);
    await this.onTransitions(project, tick.transitions);
    const stuck = stuckSessions(tick.mine, tick.statuses, tick.stalled, Date.now());
    const { desired } = this.fleetFor(
      project,
      digestKeyFor(tick.key, this.pendingKey),
      new Map([...tick.hostKeys].map(([id, k]) => [id, digestKeyFor(k, pendingFor(this.pending, id))])),
    );
    // A new watch is a new `up`: its first pass starts replicas `amux stop` held, as compose's
    // `up --watch` starts stopped containers; from then on, a stop holds while it runs.
    const held = this.started ? heldStopped(project.root) : undefined;
    const opts = { removeOrphans: !!this.o.removeOrphans, only: this.o.services ?? [], now: Date.now(), stuck, held };
    this.started = true;
    const first = planConvergence(desired, { sessions: tick.all, unreachable: tick.unreachable }, opts);
    if (!first.actions.length) return;
    // Changes happen under the project lock, re-observed, so `up`/`down` meanwhile stay safe.
    const lock = await lockProject(project.root, "amux watch", this.reporter);
    try {
      const { state, key, hostKeys, hostSetups, sessions: observed, unreachable } = await observeFleetServers(project, this.pending);
      const fleet = this.fleetFor(project, key, hostKeys);
      const workspaces = await observeWorkspaces(project, fleet.desired.workspaces ?? []);
      // Replicas whose session was lost (the tmux server went away) come back resuming.
      const plan = planConvergence(
        fleet.desired,
        { ...state, sessions: observed, workspaces, unreachable },
        { ...opts, now: Date.now(), held: held && heldStopped(project.root), previous: previousReplicas(project.root, dirsOf(fleet.builds), observed) },
      );
      if (!plan.actions.length) return;
      const setup = serverSetup(key, state.server);
      // Each action is reported the moment tmux confirms it, before the bookkeeping.
      const startedAt = Date.now();
      const { result, prompts } = await applyAndRecord(
        project,
        plan,
        observed,
        setup,
        this.reporter,
        {
          onDone: (a: Action, error?: string) => this.emit([actionEvent(project.name, a, now(), error)]),
        },
        hostSetups,
      );
      if (prompts.length) void sendWhenReady(project, prompts, 60_000, this.reporter);
      // Watched through their first second here: this machine's new agents.
      const started = result.done.filter((a) => a.action !== "remove" && !a.host);
      if (started.length) void this.reportFailedStarts(project, started, startedAt);
      // Sessions it removed joined the history: keep that bounded while watching for days.
      await prunePassively(project.root, new Set(fleet.builds.keys()), project.history);
    } finally {
      await lock.release();
    }
    // Something changed: look again soon rather than at the next tick.
    this.dirty = true;
  }

  /** The fleet with digests keyed by each server's key; made again when a server's key changes. */
  private fleetFor(project: Project, key: DigestKey, hostKeys: ReadonlyMap<string, DigestKey>): ReturnType<typeof desiredFleet> {
    const id = [key.id, ...[...hostKeys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([h, k]) => `${h}=${k.id}`)].join(" ");
    if (!this.fleet || this.fleet.keyId !== id) this.fleet = { ...desiredFleet(project, key, (h) => hostKeys.get(h)), keyId: id };
    return this.fleet;
  }

  /**
   * A replica that dies within its first second failed to start: said as an event with its last
   * words, alongside the loop (its restart policy goes on as usual).
   */
  private async reportFailedStarts(project: Project, started: Action[], startedAt: number): Promise<void> {
    try {
      // Each server watched through its own looks (a host's logs read there).
      const dead = await failedStartsAcross(startGroupsOf(project.root, project.hosts, started), startedAt);
      this.emit(failedStartEvents(project.name, started, dead, now()));
    } catch (e) {
      this.reporter.warn(`watch: ${(e as Error).message}`);
    }
  }

  private async onTransitions(project: Project, transitions: Transition[]): Promise<void> {
    const { events, hooks, notified } = onTransitions(project, transitions, this.notified, now());
    this.notified = notified;
    this.emit(events);
    // Hooks run alongside the loop, each bounded by its timeout.
    void Promise.all(hooks.map((h) => this.runOneHook(project, h.hook, h.event)));
  }

  private async runOneHook(project: Project, h: Project["hooks"][number], e: HookEvent): Promise<void> {
    const r = await runHook(h, e, project.root);
    const label = h.shown.length > 60 ? `${h.shown.slice(0, 57)}...` : h.shown;
    if (!r.ok) {
      const why = r.timedOut ? `timed out after ${h.timeout}` : `exited with ${r.code}`;
      this.reporter.warn(`hook "${label}" for ${e.session} (${e.event}) ${why}${r.output ? `: ${r.output.split("\n").slice(-3).join(" / ")}` : ""}`);
      this.emit([{ time: now(), type: "hook", project: project.name, session: e.session, reason: label, error: why }]);
    } else {
      this.emit([{ time: now(), type: "hook", project: project.name, session: e.session, reason: `${label} (${e.event}) ok` }]);
    }
  }

  /** Runs until stop(): the first pass, then a tick every interval and a pass on every file event. */
  async run(): Promise<void> {
    this.reload();
    const { watch } = await import("chokidar");
    const files = new Set(this.watchedFiles());
    const dirs = [this.root, join(this.root, ".amux")].filter((d) => existsSync(d));
    const watcher = watch(dirs, { depth: 0, ignoreInitial: true, ignored: (p: string) => !dirs.includes(p) && !files.has(p) });
    let debounce: NodeJS.Timeout | undefined;
    watcher.on("all", () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => this.trigger(true), 100);
    });
    const interval = this.o.intervalMs ?? 1000;
    const loop = () => {
      if (this.stopped) return;
      this.trigger();
      this.timer = setTimeout(loop, interval);
    };
    loop();
    await new Promise<void>((resolve) => {
      this.onStop = resolve;
    });
    clearTimeout(debounce);
    await watcher.close();
    await this.pass;
  }

  private onStop: () => void = () => {};

  /**
   * A pass at the moment a pane that was printing may be called idle, when that comes before the
   * next regular tick: an idle event then lags the quiet by no more than tmux's clock does.
   */
  private wakeFor(at: number | undefined): void {
    clearTimeout(this.wakeTimer);
    if (this.stopped) return;
    const wait = wakeDelay(at, Date.now(), this.o.intervalMs ?? 1000);
    if (wait !== undefined) this.wakeTimer = setTimeout(() => this.trigger(), wait);
  }

  private wakeTimer: NodeJS.Timeout | undefined;

  stop(): void {
    this.stopped = true;
    this.tracker.close();
    clearTimeout(this.timer);
    clearTimeout(this.wakeTimer);
    this.onStop();
  }
}

/** One watcher per project: a lock of its own, refused at once when held; `amux down` may stop it through the lock. */
export function lockWatcher(root: string, onStop: () => void) {
  return acquireLock(root, "watch", { what: "amux watch", waitMs: 0, onStop });
}

export { formatEvent };
