import { sleep } from "../io.js";
import { readLog } from "../state/logs.js";
import type { ObservedSession } from "../tmux/types.js";
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
  const watching = new Set(sessions);
  const dead = new Map<string, number | null>();
  const end = startedAt + windowMs;
  let settleUntil = 0;
  let first = seen;
  while (watching.size) {
    const now = first?.at ?? Date.now();
    const live = first?.sessions ?? (await observeSessions({ server })).sessions;
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
    if (now >= end) {
      for (const name of [...watching]) if (!dead.has(name) || now >= settleUntil) watching.delete(name);
    }
    if (!watching.size) break;
    await sleep(Math.min(150, Math.max(20, end - Date.now())));
  }
  // The log writer copies what tmux pipes to it a moment after the pane printed it: an agent that
  // died at once may have died before its last words reached the log. Give them a moment.
  const out = [...dead].map(([session, exitCode]) => ({ session, exitCode, lastLines: lastLines(root, session) }));
  for (const deadline = Date.now() + 500; out.some((f) => !f.lastLines.length) && Date.now() < deadline; ) {
    await sleep(50);
    for (const f of out) if (!f.lastLines.length) f.lastLines = lastLines(root, f.session);
  }
  return out;
}

/** The last few non-blank lines of a session's log. */
export function lastLines(root: string, session: string, n = 5): string[] {
  return readLog(root, session)
    .filter((l) => l.trim())
    .slice(-n);
}

/** How a failed start reads: one line, then its last output indented. */
export function describeFailedStart(f: FailedStart): string {
  const out = f.lastLines.length ? `; its last output:\n${f.lastLines.map((l) => `  ${l}`).join("\n")}` : "";
  return `${f.session} exited at once with code ${f.exitCode ?? "?"}${out}\n  (amux logs ${f.session} shows all of it)`;
}
