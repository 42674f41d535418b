import type { ProjectOptions } from "../config/locate.js";
import { locateProject } from "../config/locate.js";
import { declaredHosts } from "../desired/snapshot.js";
import type { HostView } from "../desired/view.js";
import { NotFoundError } from "../errors.js";
import { observeFleetSessions } from "../observe/hosts.js";
import { captureScreens, observeSessions } from "../observe/server.js";
import { followLogs, readLog } from "../state/logs.js";
import { followRemoteLogs, readRemoteLogs } from "../state/remote-logs.js";
import { findSession, logTargets } from "./session.js";

/**
 * Reading what agents print: a session's screen now, its log from the first byte, and the log
 * followed as it grows. The CLI (`logs`, `tail`) and MCP (`session_logs`, the screen resource)
 * print what these return; none of them reads tmux or the log files itself.
 */

/** What `logs` reads: one session (live or recorded), or every replica of a service. */
export interface LogTarget {
  root: string;
  sessions: string[];
  /** The sessions whose logs are on a host, with that host. */
  remote?: Map<string, HostView> | undefined;
  /** The project's declared hosts (their logs are followed there). */
  hosts?: Record<string, HostView> | undefined;
  /** The service the name meant, if it was one (its replicas' lines are then told apart). */
  service: string | null;
}

/** What a session's terminal shows now; an exited one says so. */
export async function screenOf(opts: ProjectOptions, name: string): Promise<string> {
  const s = await findSession(opts, name);
  if (s.dead) return `(exited with ${s.exitCode})`;
  const rows = (await captureScreens([s.paneId], s.server)).get(s.paneId);
  // A screen that could not be read is not an empty screen.
  if (!rows) throw new NotFoundError(`session ${name} has gone`);
  return rows.join("\n");
}

/** The names of this project's live sessions (whose screens can be read). */
export async function liveSessionNames(opts: ProjectOptions): Promise<string[]> {
  const loc = locateProject(opts);
  const hosts = await declaredHosts(opts, loc);
  if (Object.keys(hosts).length) return (await observeFleetSessions(hosts, loc)).project.mine.map((s) => s.name);
  return (await observeSessions({ scope: loc })).project.mine.map((s) => s.name);
}

/**
 * The last `lines` lines of a session's log, or of each replica of a service in name order
 * (all of them when `lines` is not given); `raw` keeps escape codes.
 */
export async function logsOf(
  opts: ProjectOptions,
  target: string,
  o: { lines?: number | undefined; raw?: boolean | undefined } = {},
): Promise<{ target: LogTarget; lines: { session: string; text: string }[] }> {
  const t = await logTargets(opts, target);
  // A host's logs are read there, one round trip per host, hosts at once; this machine's from its files.
  const byHost = new Map<string, { host: HostView; sessions: string[] }>();
  for (const session of t.sessions) {
    const h = t.remote?.get(session);
    if (!h) continue;
    const g = byHost.get(h.id) ?? { host: h, sessions: [] };
    g.sessions.push(session);
    byHost.set(h.id, g);
  }
  const remote = new Map<string, string[]>();
  await Promise.all(
    [...byHost.values()].map(async (g) => {
      for (const [session, l] of await readRemoteLogs(g.host, g.host.root, g.sessions, o.lines, !!o.raw)) remote.set(session, l);
    }),
  );
  const lines = t.sessions.flatMap((session) =>
    (t.remote?.has(session) ? (remote.get(session) ?? []) : readLog(t.root, session, o.lines, o.raw)).map((text) => ({ session, text })),
  );
  return { target: t, lines };
}

/** What following a log reports, as it happens. */
export interface FollowHandlers {
  line(session: string, text: string): void;
  /** A session's output ended: it exited (with its code when known) or was stopped ("gone"). */
  end(session: string, code: number | null | "gone"): void;
  /** The replicas of a followed service, looked up again (new ones are followed from then on). */
  seen?(sessions: string[]): void;
  signal: AbortSignal;
  raw?: boolean | undefined;
}

/** Follows a target's logs from their current end until `signal`: new replicas of a service included; a host's logs through ssh. */
export async function followOutput(t: LogTarget, h: FollowHandlers): Promise<void> {
  const hosts = t.hosts ?? {};
  if (!Object.keys(hosts).length) return followLocal(t, h);
  // Every server's sessions of the project, looked at once per rescan, shared by the followers.
  const look = async () => (await observeFleetSessions(hosts, { root: t.root })).project;
  const where = new Map<string, string | null>(t.sessions.map((s) => [s, t.remote?.get(s)?.id ?? null]));
  const rescan = async () => {
    if (!t.service) return [];
    const list = (await look()).services.get(t.service) ?? [];
    for (const s of list) where.set(s.name, s.host ?? null);
    h.seen?.(list.map((s) => s.name));
    return list.map((s) => s.name);
  };
  const liveness = async () => new Map((await look()).mine.map((s) => [s.name, { dead: s.dead, exitCode: s.exitCode }]));
  const on = (host: string | null) => (names: string[]) => names.filter((n) => (where.get(n) ?? null) === host);
  const followers: Promise<void>[] = [
    followLogs(
      t.root,
      async () => on(null)(await rescan()),
      on(null)(t.sessions),
      (l) => h.line(l.session, l.text),
      h.signal,
      h.raw,
      liveness,
      h.end,
    ),
  ];
  for (const host of Object.values(hosts)) {
    const mine = on(host.id);
    if (!t.service && !mine(t.sessions).length) continue;
    followers.push(
      followRemoteLogs(
        host,
        host.root,
        async () => mine(await rescan()),
        mine(t.sessions),
        (l) => h.line(l.session, l.text),
        h.signal,
        h.raw,
        liveness,
        h.end,
      ),
    );
  }
  await Promise.all(followers);
}

async function followLocal(t: LogTarget, h: FollowHandlers): Promise<void> {
  const rescan = async () => {
    if (!t.service) return [];
    const names = ((await observeSessions({ scope: { root: t.root } })).project.services.get(t.service) ?? []).map((s) => s.name);
    h.seen?.(names);
    return names;
  };
  const liveness = async () =>
    new Map((await observeSessions({ scope: { root: t.root } })).project.mine.map((s) => [s.name, { dead: s.dead, exitCode: s.exitCode }]));
  await followLogs(t.root, rescan, t.sessions, (l) => h.line(l.session, l.text), h.signal, h.raw, liveness, h.end);
}
