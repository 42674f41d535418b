import type { ProjectOptions } from "../config/locate.js";
import { locateProject } from "../config/locate.js";
import type { HostView } from "../desired/view.js";
import { NotFoundError } from "../errors.js";
import { captureScreens, observeSessions } from "../observe/server.js";
import { sshRun } from "../ssh/transport.js";
import { cleanLog, followLogs, readLog } from "../state/logs.js";
import { logFile } from "../state/paths.js";
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
  // A host's logs are read there, all at once; this machine's from its files.
  const remote = await Promise.all(
    t.sessions.map((session) => {
      const h = t.remote?.get(session);
      return h ? readHostLog(h, session, o.lines, o.raw) : undefined;
    }),
  );
  const lines = t.sessions.flatMap((session, i) => (remote[i] ?? readLog(t.root, session, o.lines, o.raw)).map((text) => ({ session, text })));
  return { target: t, lines };
}

/**
 * The last `n` lines (all when undefined) of a session's log on a host, read there through ssh
 * (`tail`/`cat`: a host has no amux); a log that is not there reads as empty.
 */
async function readHostLog(host: HostView, session: string, n: number | undefined, raw: boolean | undefined): Promise<string[]> {
  const file = logFile(host.root, session);
  const argv = n === undefined ? ["cat", "--", file] : ["tail", "-n", String(Math.max(0, Math.floor(n))), "--", file];
  const r = await sshRun(host, argv);
  if (r.code !== 0) return [];
  const lines = raw ? r.stdout.split("\n") : cleanLog(r.stdout);
  if (lines[lines.length - 1] === "") lines.pop();
  return n === undefined ? lines : lines.slice(Math.max(0, lines.length - n));
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

/** Follows a target's logs from their current end until `signal`: new replicas of a service included. */
export async function followOutput(t: LogTarget, h: FollowHandlers): Promise<void> {
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
