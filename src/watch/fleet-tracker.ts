import type { ProjectView } from "../desired/view.js";
import { hostServer, type Unreachable, unreachableOf } from "../observe/hosts.js";
import { type SessionState, StatusTracker, type TickResult } from "./tracker.js";

/** How long to wait before trying an unreachable host again: doubling from 1 s, at most a minute. */
export function hostRetryMs(failures: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, Math.min(failures - 1, 6)));
}

/** What a host's state change reads as, for the caller to say (once per change). */
export type HostNews = { kind: "unreachable"; why: Unreachable } | { kind: "back"; host: string };

/**
 * The status loop over every server of a fleet: this machine's tracker, and one per declared
 * host (each tick one round trip per server, all at once). A host that cannot be reached is tried
 * again with backoff (hostRetryMs); meanwhile it is listed as unreachable. Without hosts, exactly
 * the local tracker's tick.
 */
export class FleetTracker {
  readonly local = new StatusTracker();
  /** A tracker per declared host, by id and destination. */
  private readonly hosts = new Map<string, StatusTracker>();
  /** Hosts that could not be reached: why, how many times in a row, and when to try again. */
  private readonly retry = new Map<string, { failures: number; nextAt: number; why: Unreachable }>();

  constructor(private readonly onHost: (news: HostNews) => void = () => {}) {}

  /** Ends what the trackers keep open (the local one's tmux control client): the watcher stops. */
  close(): void {
    this.local.close();
    for (const t of this.hosts.values()) t.close();
  }

  /** A session's remembered state, on whichever server it was seen. */
  stateOf(name: string): SessionState | undefined {
    const here = this.local.state.get(name);
    if (here) return here;
    for (const t of this.hosts.values()) {
      const s = t.state.get(name);
      if (s) return s;
    }
    return undefined;
  }

  /** Every session's remembered state, on every server. */
  states(): SessionState[] {
    return [...this.local.state.values(), ...[...this.hosts.values()].flatMap((t) => [...t.state.values()])];
  }

  /** Tmux round trips made by every tracker (for the benchmark). */
  get roundTrips(): number {
    let n = this.local.roundTrips;
    for (const t of this.hosts.values()) n += t.roundTrips;
    return n;
  }

  async tick(
    project: Pick<ProjectView, "root" | "agents" | "services" | "hosts">,
  ): Promise<TickResult & { hostKeys: Map<string, string | null>; unreachable: Unreachable[] }> {
    const hosts = Object.values(project.hosts ?? {});
    if (!hosts.length) return { ...(await this.local.tick(project)), hostKeys: new Map(), unreachable: [] };
    const declared = new Set(hosts.map((h) => `${h.id}\0${h.ssh}`));
    for (const k of [...this.hosts.keys()]) if (!declared.has(k)) this.hosts.delete(k);
    for (const id of [...this.retry.keys()]) if (!hosts.some((h) => h.id === id)) this.retry.delete(id);
    const at = Date.now();
    const due = hosts.filter((h) => (this.retry.get(h.id)?.nextAt ?? 0) <= at);
    const trackerOf = (h: (typeof hosts)[number]) => {
      const k = `${h.id}\0${h.ssh}`;
      let t = this.hosts.get(k);
      if (!t) {
        t = new StatusTracker(hostServer(h));
        this.hosts.set(k, t);
      }
      return t;
    };
    const [local, remote] = await Promise.all([this.local.tick(project), Promise.allSettled(due.map((h) => trackerOf(h).tick(project)))]);
    const out = { ...local, all: [...local.all], mine: [...local.mine], hostKeys: new Map<string, string | null>(), unreachable: [] as Unreachable[] };
    remote.forEach((r, i) => {
      const h = due[i] as (typeof hosts)[number];
      if (r.status === "rejected") {
        const before = this.retry.get(h.id);
        const why = unreachableOf(h, r.reason);
        const failures = (before?.failures ?? 0) + 1;
        this.retry.set(h.id, { failures, nextAt: Date.now() + hostRetryMs(failures), why });
        if (!before || before.why.gist !== why.gist) this.onHost({ kind: "unreachable", why });
        return;
      }
      if (this.retry.delete(h.id)) this.onHost({ kind: "back", host: h.id });
      const t = r.value;
      out.all.push(...t.all);
      out.mine.push(...t.mine);
      for (const [k, v] of t.statuses) out.statuses.set(k, v);
      for (const [k, v] of t.stalled) out.stalled.set(k, v);
      out.transitions.push(...t.transitions);
      if (t.wakeAt !== undefined && (out.wakeAt === undefined || t.wakeAt < out.wakeAt)) out.wakeAt = t.wakeAt;
      out.hostKeys.set(h.id, t.key);
    });
    out.unreachable = [...this.retry.values()].map((r) => r.why);
    return out;
  }
}
