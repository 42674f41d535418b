import { sleep } from "../io.js";
import { readLog } from "../state/logs.js";
import { readRemoteLogs } from "../state/remote-logs.js";
import type { ObservedSession } from "../tmux/types.js";
import { type HostRef, hostServer } from "./hosts.js";
import { localServer, observeSessions, type TmuxServer } from "./server.js";

/** How long a new agent must live for its start to count: one that dies sooner failed to start. */
export const FIRST_SECOND_MS = 1000;

/**
 * How long `up` watches its new agents, from the start of its batch (at least as long as its own
 * work took): exec failures (a command that does not exist, a bad interpreter) show well within
 * it. `run` watches its one agent through FIRST_SECOND_MS.
 */
export const UP_START_WATCH_MS = 300;

/** A session that died within its first second, with its exit code and its last words. */
export interface FailedStart {
  session: string;
  exitCode: number | null;
  lastLines: string[];
}

/** A look at the server already taken (its sessions, and when the look began, ms). */
export interface Seen {
  at: number;
  sessions: ObservedSession[];
}

/**
 * Sessions just started on one server, as watching their first second needs them: the server,
 * a look already taken there (optional), and how to read their logs' last lines (where the logs
 * are written: this machine's files, or a host's through ssh in one round trip).
 */
export interface StartGroup {
  server: TmuxServer;
  sessions: string[];
  seen?: Seen | undefined;
  lastLines(sessions: string[]): Promise<Map<string, string[]>>;
}

/**
 * Watches sessions just started (at `startedAt`) through their first second and returns those
 * that died in it. A dead pane's exit code can lag its death a little: waited for, briefly.
 * `seen`, a look taken after they started, serves as the first one (no tmux call for it).
 */
export async function failedStarts(
  root: string,
  sessions: string[],
  startedAt: number,
  windowMs = FIRST_SECOND_MS,
  seen?: Seen,
  server: TmuxServer = localServer,
): Promise<FailedStart[]> {
  return watchStarts({ server, sessions, seen, lastLines: async (ss) => new Map(ss.map((x) => [x, lastLines(root, x)])) }, startedAt, windowMs);
}

/**
 * failedStarts over several servers at once (this machine's and each host's): each server is
 * looked at once per poll, all in parallel. A host that stops answering meanwhile names none of
 * its sessions (`ps` and `watch` show them as it comes back).
 */
export async function failedStartsAcross(groups: StartGroup[], startedAt: number, windowMs = FIRST_SECOND_MS): Promise<FailedStart[]> {
  const settled = await Promise.allSettled(groups.filter((g) => g.sessions.length).map((g) => watchStarts(g, startedAt, windowMs)));
  return settled.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
}

/**
 * The start groups of sessions just started across a fleet: this machine's (logs read here) and
 * one per host (watched through its own server, logs read there through ssh, 50 lines in one
 * round trip). `seen`, a look at every server taken after they started (sessions carry `host`),
 * serves as each server's first look.
 */
export function startGroupsOf(
  root: string,
  hosts: Readonly<Record<string, HostRef & { root: string }>>,
  started: readonly { session: string; host?: string | null | undefined }[],
  seen?: Seen,
): StartGroup[] {
  const local = started.filter((a) => !a.host).map((a) => a.session);
  const groups: StartGroup[] = [];
  if (local.length) {
    groups.push({
      server: localServer,
      sessions: local,
      seen: seen && { at: seen.at, sessions: seen.sessions.filter((s) => !s.host) },
      lastLines: async (ss) => new Map(ss.map((x) => [x, lastLines(root, x)])),
    });
  }
  for (const id of [...new Set(started.flatMap((a) => (a.host ? [a.host] : [])))].sort()) {
    const h = Object.hasOwn(hosts, id) ? hosts[id] : undefined;
    if (!h) continue;
    groups.push({
      server: hostServer(h),
      sessions: started.filter((a) => a.host === id).map((a) => a.session),
      seen: seen && { at: seen.at, sessions: seen.sessions.filter((s) => s.host === id) },
      lastLines: async (ss) => {
        const logs = await readRemoteLogs(h, h.root, ss, 50);
        return new Map([...logs].map(([k, v]) => [k, lastOf(v)]));
      },
    });
  }
  return groups;
}

async function watchStarts(g: StartGroup, startedAt: number, windowMs: number): Promise<FailedStart[]> {
  const watching = new Set(g.sessions);
  const dead = new Map<string, number | null>();
  const end = startedAt + windowMs;
  let settleUntil = 0;
  let first = g.seen;
  while (watching.size) {
    // A look taken earlier (right after the batch) starts the watch, but never ends it: the
    // newest agents of a large batch had no time to die by then.
    const reused = first !== undefined;
    const now = first?.at ?? Date.now();
    const live = first?.sessions ?? (await observeSessions({ server: g.server })).sessions;
    first = undefined;
    for (const name of [...watching]) {
      const s = live.find((x) => x.name === name);
      if (!s) watching.delete(name);
      else if (s.dead) {
        dead.set(name, s.exitCode);
        if (s.exitCode !== null) watching.delete(name);
        else if (!settleUntil) settleUntil = now + 1000;
      }
    }
    // Past the first second only the exit codes of the dead are still worth waiting for.
    if (now >= end && !reused) {
      for (const name of [...watching]) if (!dead.has(name) || now >= settleUntil) watching.delete(name);
    }
    if (!watching.size) break;
    if (!reused || Date.now() < end) await sleep(Math.min(150, Math.max(20, end - Date.now())));
  }
  if (!dead.size) return [];
  // The log writer copies what tmux pipes to it a moment after the pane printed it: an agent that
  // died at once may have died before its last words reached the log. Give them a moment.
  const out = [...dead].map(([session, exitCode]) => ({ session, exitCode, lastLines: [] as string[] }));
  const read = async () => {
    const missing = out.filter((f) => !f.lastLines.length);
    const got = await g.lastLines(missing.map((f) => f.session));
    for (const f of missing) f.lastLines = got.get(f.session) ?? [];
  };
  await read();
  for (const deadline = Date.now() + 500; out.some((f) => !f.lastLines.length) && Date.now() < deadline; ) {
    await sleep(50);
    await read();
  }
  return out;
}

/** The last few non-blank lines of a session's log. */
export function lastLines(root: string, session: string, n = 5): string[] {
  return lastOf(readLog(root, session), n);
}

/** The last few non-blank lines of a log's lines. Pure. */
export function lastOf(lines: readonly string[], n = 5): string[] {
  return lines.filter((l) => l.trim()).slice(-n);
}

/** How a failed start reads: one line, then its last output indented. */
export function describeFailedStart(f: FailedStart): string {
  const out = f.lastLines.length ? `; its last output:\n${f.lastLines.map((l) => `  ${l}`).join("\n")}` : "";
  return `${f.session} exited at once with code ${f.exitCode ?? "?"}${out}\n  (amux logs ${f.session} shows all of it)`;
}
