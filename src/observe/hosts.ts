import { HostUnreachableError } from "../errors.js";
import type { SshHost } from "../ssh/transport.js";
import { capturePanes, cursorAndScreen } from "../tmux/capture.js";
import { listSessions, observeWithScreens as listWithScreens, observeServer as listWithSetup } from "../tmux/observe.js";
import { remoteTmux } from "../tmux/remote.js";
import type { TmuxRunner } from "../tmux/runner.js";
import type { ObservedSession } from "../tmux/types.js";
import { groupProject } from "./group.js";
import { localServer, type TmuxServer } from "./server.js";
import { type HostId, LOCAL_HOST, type ProjectSessions, type Unreachable } from "./types.js";

export type { Unreachable };

/**
 * The servers of a fleet over several machines: amux's local server and one per declared host
 * (compose `hosts:`), each reached in its own round trip, all at once. A host that cannot be
 * reached is a value (its id and why), never an exception: what the other servers show still counts.
 */

/** A host as observe needs it: its id and ssh destination (the rest of its declaration is carried along). */
export type HostRef = SshHost;

const runners = new Map<string, TmuxRunner>();

/** The tmux runner of a host (one per host and destination in a process: one control connection). */
export function hostRunner(host: HostRef): TmuxRunner {
  const k = `${host.id}\0${host.ssh}`;
  let r = runners.get(k);
  if (!r) {
    r = remoteTmux(host);
    runners.set(k, r);
  }
  return r;
}

/** amux's tmux server on a host, through ssh: the same looks as the local one, each one round trip. */
export function hostServer(host: HostRef): TmuxServer {
  const runner = hostRunner(host);
  return {
    host: host.id,
    list: () => listSessions(runner),
    listWithSetup: () => listWithSetup(runner),
    listWithScreens: (paneIds, before, capturedAt) => listWithScreens(paneIds, before, capturedAt, runner),
    capture: (paneIds) => capturePanes(paneIds, runner),
    cursor: (session) => cursorAndScreen(session, runner),
  };
}

/** The server a session lives on: the local one, or its host's (when that host is declared). */
export function serverOf(s: { host?: string | undefined | null }, hosts: Readonly<Record<string, HostRef>>): TmuxServer {
  if (!s.host || s.host === LOCAL_HOST) return localServer;
  const h = Object.hasOwn(hosts, s.host) ? hosts[s.host] : undefined;
  return h ? hostServer(h) : localServer;
}

/** The tmux runner a session's commands go to (see serverOf). */
export function runnerOf(s: { host?: string | undefined | null }, hosts: Readonly<Record<string, HostRef>>): TmuxRunner | undefined {
  if (!s.host || s.host === LOCAL_HOST) return undefined;
  const h = Object.hasOwn(hosts, s.host) ? hosts[s.host] : undefined;
  return h ? hostRunner(h) : undefined;
}

/** Why a host could not be observed, as a value. */
export function unreachableOf(host: HostRef, e: unknown): Unreachable {
  if (e instanceof HostUnreachableError) return { host: host.id, destination: e.destination, gist: e.gist };
  return { host: host.id, destination: host.ssh, gist: e instanceof Error ? e.message : String(e) };
}

/** The same look at every declared host, all at once: each host's answer, or why it has none. */
export async function lookAtHosts<T>(
  hosts: Readonly<Record<string, HostRef>>,
  look: (server: TmuxServer, host: HostRef) => Promise<T>,
): Promise<{ looks: Map<string, T>; unreachable: Unreachable[] }> {
  const list = Object.values(hosts).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const settled = await Promise.allSettled(list.map((h) => look(hostServer(h), h)));
  const looks = new Map<string, T>();
  const unreachable: Unreachable[] = [];
  settled.forEach((r, i) => {
    const h = list[i] as HostRef;
    if (r.status === "fulfilled") looks.set(h.id, r.value);
    else unreachable.push(unreachableOf(h, r.reason));
  });
  return { looks, unreachable };
}

/**
 * The sessions of every server of the fleet, in parallel: the local server's and each reachable
 * host's (carrying `host`), and the project's share of them all. Without hosts, exactly the one
 * local look.
 */
export async function observeFleetSessions(
  hosts: Readonly<Record<string, HostRef>>,
  scope: { root: string; declared?: Iterable<string> | undefined },
): Promise<{ sessions: ObservedSession[]; project: ProjectSessions; unreachable: Unreachable[] }> {
  const [local, remote] = await Promise.all([localServer.list(), lookAtHosts(hosts, (server) => server.list())]);
  const sessions = [...local];
  for (const [id, list] of remote.looks) for (const s of list) sessions.push({ ...s, host: id });
  return { sessions, project: groupProject(sessions, scope.root, scope.declared), unreachable: remote.unreachable };
}

/** The host ids a list of sessions lives on (LOCAL_HOST for this machine). */
export function hostOf(s: { host?: string | undefined | null }): HostId {
  return s.host && s.host !== LOCAL_HOST ? s.host : LOCAL_HOST;
}
