import type { ProjectView } from "../desired/view.js";
import { gaveUp, profileFor } from "../desired/view.js";
import { captureScreens, localServer, observeScreens, type TmuxServer } from "../observe/server.js";
import { readRecords, type SessionRecord } from "../state/records.js";
import { stripEscapes } from "../status/classify.js";
import { statusesOf } from "../status/observed.js";
import type { ProgressMark } from "../status/progress.js";
import { describeSourced } from "../status/reported.js";
import type { Classification, Status } from "../status/types.js";
import { ControlClient } from "../tmux/control.js";
import { type PaneMark, paneMarkLines } from "../tmux/marks.js";
import { observeWithScreens } from "../tmux/observe.js";
import type { ObservedSession } from "../tmux/types.js";
import { stopReason } from "../usecases/status.js";
import { advanceStatuses, type SessionState, type Transition } from "./decisions.js";

export type { SessionState, Transition };

export interface TickResult {
  /** Every session on the server (for planning). */
  all: ObservedSession[];
  /** This project's sessions. */
  mine: ObservedSession[];
  statuses: Map<string, Classification>;
  /** How long each live session has made no progress (progress.ts), ms. */
  stalled: Map<string, number>;
  transitions: Transition[];
  /**
   * The earliest time (ms) a pane running only because it printed lately may be called idle, if
   * it stays quiet: a tick then tells idle without waiting for the next regular one.
   */
  wakeAt: number | undefined;
  /** The server's digest key (`@amux-key`), null when it has none. */
  key: string | null;
}

/**
 * Whether a pane's screen may have changed since it was captured. tmux keeps a pane's last output
 * time in whole seconds (activityAt is the end of that second): only a capture that began after
 * that second ended surely holds the output; one from within the same second may predate it.
 */
export function needsCapture(activityAt: number, capturedAt: number | undefined): boolean {
  return capturedAt === undefined || activityAt > capturedAt;
}

/** The last line an agent printed on its screen; tmux's own "Pane is dead (status 3, …)" under a dead pane is not the agent's. */
export function lastLineOf(screen: readonly string[] | undefined): string {
  return stripEscapes((screen ?? []).filter((l) => l.trim() && !/^Pane is dead \(/.test(l)).pop() ?? "").trim();
}

/**
 * The status loop's memory. Each tick is one tmux round trip: the screens of panes that may
 * have printed since they were last captured (tmux checks each pane's activity as it runs the
 * line), then the list of all panes. A quiet pane's screen cannot have changed, so it is not
 * captured again.
 */
export class StatusTracker {
  private readonly screens = new Map<string, string[]>();
  /** When (wall clock, ms) the tmux call that last captured each pane began. */
  private readonly capturedAt = new Map<string, number>();
  private readonly capturedDead = new Set<string>();
  private previous: ObservedSession[] = [];
  readonly state = new Map<string, SessionState>();
  /** Progress marks by pane id (progress.ts), and those still to be written to the panes. */
  private readonly marks = new Map<string, ProgressMark>();
  private owedMarks: PaneMark[] = [];
  /** Tmux round trips made, for the benchmark. */
  roundTrips = 0;

  /**
   * amux's local server is looked at through a control-mode client kept open between ticks (one
   * round trip on an open connection, no process per tick); it attaches to a session of the last
   * look (this project's first, else any), and falls back to a tmux process when it cannot.
   */
  private readonly control: ControlClient | undefined;
  private readonly looks: TmuxServer;
  private attachTo: string | undefined;

  /** `server`: the tmux server it watches (amux's local one unless told). */
  constructor(private readonly server: TmuxServer = localServer) {
    this.control = server === localServer ? new ControlClient(() => this.attachTo) : undefined;
    const control = this.control;
    this.looks = control ? { ...server, listWithScreens: (ids, before, at) => observeWithScreens(ids, before, at, control) } : server;
  }

  /** Closes the control client, if any (the watcher stops). */
  close(): void {
    this.control?.close();
  }

  async tick(project: Pick<ProjectView, "root" | "agents" | "services">, now = Date.now()): Promise<TickResult> {
    // Every live pane seen last tick, each captured only if tmux says it printed since its last
    // capture (decided by tmux itself in this round trip: no tick of delay).
    const stale = this.previous.filter((s) => !s.dead).map((s) => s.paneId);
    const began = Date.now();
    // Progress marks from the last tick ride along in this round trip, so that `ps` agrees with the watcher.
    const owed = paneMarkLines("progress", this.owedMarks);
    this.owedMarks = [];
    const {
      sessions: all,
      screens,
      key,
      project: { mine },
    } = await observeScreens(stale, { before: owed, capturedAt: this.capturedAt, server: this.looks, scope: { root: project.root } });
    this.roundTrips++;
    this.attachTo = (mine[0] ?? all[0])?.name;
    for (const [id, rows] of screens) {
      this.screens.set(id, rows);
      this.capturedAt.set(id, began);
    }
    // New panes have no screen yet: capture them now rather than guess their status.
    for (const s of mine) if (!s.dead) this.capturedDead.delete(s.paneId);
    // A pane that died since it was last captured: its final screen holds its last words.
    const fresh = mine.filter((s) => !this.screens.has(s.paneId) || (s.dead && !this.capturedDead.has(s.paneId)));
    for (const s of fresh) if (s.dead) this.capturedDead.add(s.paneId);
    if (fresh.length) {
      const again = Date.now();
      const more = await captureScreens(
        fresh.map((s) => s.paneId),
        this.server,
      );
      this.roundTrips++;
      // A pane whose screen could not be read stays unread (not blank): it is tried again next tick.
      for (const [id, rows] of more) {
        this.screens.set(id, rows);
        this.capturedAt.set(id, again);
      }
    }
    const statuses = new Map<string, Classification>();
    const observed = statusesOf({
      sessions: mine,
      screens: this.screens,
      profileOf: (s) => profileFor(project, s),
      gaveUpOf: (s) => gaveUp(project, s),
      now,
      remembered: this.marks,
    });
    for (const [id, m] of observed.marks) this.marks.set(id, m);
    this.owedMarks = observed.writes;
    let wakeAt: number | undefined;
    const seen = new Map<string, { status: Status; reason: string; lastLine: string }>();
    for (const s of mine) {
      const sourced = observed.statuses.get(s.name);
      if (!sourced) continue;
      if (sourced.status === "running" && sourced.byOutput) {
        const at = s.activityAt + profileFor(project, s).idleAfterMs;
        if (wakeAt === undefined || at < wakeAt) wakeAt = at;
      }
      const c: Classification = { status: sourced.status, reason: describeSourced(sourced) };
      statuses.set(s.name, c);
      seen.set(s.name, { ...c, lastLine: lastLineOf(this.screens.get(s.paneId)) });
    }
    let records: Map<string, SessionRecord> | undefined;
    const transitions = advanceStatuses(this.state, mine, seen, now, (name) => {
      // Rare (a session went away): the records say who ended it.
      records ??= new Map(readRecords(project.root).map((r) => [r.name, r]));
      const r = records.get(name);
      return r ? stopReason(r) : "gone from tmux";
    });
    const livePanes = new Set(all.map((s) => s.paneId));
    for (const id of [...this.screens.keys()]) {
      if (!livePanes.has(id)) {
        this.screens.delete(id);
        this.capturedAt.delete(id);
        this.capturedDead.delete(id);
      }
    }
    for (const id of [...this.marks.keys()]) {
      if (!livePanes.has(id)) this.marks.delete(id);
    }
    this.previous = mine;
    return { all, mine, statuses, stalled: observed.stalled, transitions, wakeAt, key };
  }
}
