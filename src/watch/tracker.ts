import type { ProjectView } from "../core/project-view.js";
import { gaveUp, profileFor, projectSessions } from "../core/project-view.js";
import { classifyPane, stripEscapes } from "../status/classify.js";
import { sampleOf } from "../status/sample.js";
import type { Classification, Status } from "../status/types.js";
import { capturePanes } from "../tmux/capture.js";
import { observeWithScreens } from "../tmux/observe.js";
import type { ObservedSession } from "../tmux/types.js";

/** A status change seen by the loop. */
export interface Transition {
  session: ObservedSession | undefined;
  name: string;
  from: Status | undefined;
  to: Status;
  reason: string;
}

export interface TickResult {
  /** Every session on the server (for planning). */
  all: ObservedSession[];
  /** This project's sessions. */
  mine: ObservedSession[];
  statuses: Map<string, Classification>;
  transitions: Transition[];
  /** The server's digest key (`@amux-key`), null when it has none. */
  key: string | null;
}

/** What a live view shows of a session beyond its status. */
export interface SessionState {
  status: Status;
  reason: string;
  since: number;
  lastLine: string;
}

/**
 * Whether a pane's screen may have changed since it was captured. tmux keeps a pane's last output
 * time in whole seconds (activityAt is the end of that second): only a capture that began after
 * that second ended surely holds the output; one from within the same second may predate it.
 */
export function needsCapture(activityAt: number, capturedAt: number | undefined): boolean {
  return capturedAt === undefined || activityAt > capturedAt;
}

/**
 * The status loop's memory. Each tick is one tmux round trip: the screens of panes that may
 * have printed since they were last captured, then the list of all panes. A quiet pane's
 * screen cannot have changed, so it is not captured again.
 */
export class StatusTracker {
  private readonly screens = new Map<string, string[]>();
  /** When (wall clock, ms) the tmux call that last captured each pane began. */
  private readonly capturedAt = new Map<string, number>();
  private previous: ObservedSession[] = [];
  readonly state = new Map<string, SessionState>();
  /** Tmux round trips made, for the benchmark. */
  roundTrips = 0;

  async tick(project: Pick<ProjectView, "root" | "agents" | "services">, now = Date.now()): Promise<TickResult> {
    const stale = this.previous.filter((s) => !s.dead && needsCapture(s.activityAt, this.capturedAt.get(s.paneId))).map((s) => s.paneId);
    const began = Date.now();
    const { sessions: all, screens, key } = await observeWithScreens(stale);
    this.roundTrips++;
    for (const [id, rows] of screens) {
      this.screens.set(id, rows);
      this.capturedAt.set(id, began);
    }
    const mine = projectSessions(project, all);
    // New panes have no screen yet: capture them now rather than guess their status.
    const fresh = mine.filter((s) => !s.dead && !this.screens.has(s.paneId));
    if (fresh.length) {
      const again = Date.now();
      const more = await capturePanes(fresh.map((s) => s.paneId));
      this.roundTrips++;
      // A pane whose screen could not be read stays unread (not blank): it is tried again next tick.
      for (const [id, rows] of more) {
        this.screens.set(id, rows);
        this.capturedAt.set(id, again);
      }
    }
    const statuses = new Map<string, Classification>();
    const transitions: Transition[] = [];
    const seen = new Set<string>();
    for (const s of mine) {
      seen.add(s.name);
      const screen = this.screens.get(s.paneId);
      const c = classifyPane(sampleOf(s, screen, now, gaveUp(project, s)), profileFor(project, s));
      statuses.set(s.name, c);
      const prev = this.state.get(s.name);
      const lastLine = stripEscapes((screen ?? []).filter((l) => l.trim()).pop() ?? "").trim();
      if (!prev || prev.status !== c.status) {
        transitions.push({ session: s, name: s.name, from: prev?.status, to: c.status, reason: c.reason });
        this.state.set(s.name, { status: c.status, reason: c.reason, since: now, lastLine });
      } else {
        prev.reason = c.reason;
        prev.lastLine = lastLine;
      }
    }
    for (const [name, st] of this.state) {
      if (seen.has(name)) continue;
      this.state.delete(name);
      if (st.status !== "stopped") transitions.push({ session: undefined, name, from: st.status, to: "stopped", reason: "gone" });
    }
    const livePanes = new Set(all.map((s) => s.paneId));
    for (const id of [...this.screens.keys()]) {
      if (!livePanes.has(id)) {
        this.screens.delete(id);
        this.capturedAt.delete(id);
      }
    }
    this.previous = mine;
    return { all, mine, statuses, transitions, key };
  }
}
