import { capturePanes } from "../tmux/capture.js";
import { listSessions, observeWithScreens as listWithScreens, observeServer as listWithSetup } from "../tmux/observe.js";
import type { ObservedSession } from "../tmux/types.js";
import { type HostId, LOCAL_HOST, type ObservedState, type ServerFacts } from "./types.js";

/** What a look returns: an ObservedState that says its server and holds its screens (maybe none). */
export type Looked = ObservedState & { host: HostId; screens: Map<string, string[]> };

/**
 * A tmux server to observe: the few looks observe/ makes, each ONE round trip to it. The local
 * implementation is amux's server on this machine (src/tmux); a remote host implements the
 * same looks over its own connection.
 */
export interface TmuxServer {
  host: HostId;
  /** Every session. */
  list(): Promise<ObservedSession[]>;
  /** Every session, the digest key and the global environment's names. */
  listWithSetup(): Promise<{ sessions: ObservedSession[]; key: string | null; keyInvalid: boolean; globalEnvironment: string[] }>;
  /**
   * Lines owed from the last look (that print nothing), the screens of the given panes (each only
   * if it printed since `capturedAt`, when known), the digest key, then every session.
   */
  listWithScreens(
    paneIds: string[],
    before: readonly string[],
    capturedAt: ReadonlyMap<string, number> | undefined,
  ): Promise<{ sessions: ObservedSession[]; screens: Map<string, string[]>; key: string | null }>;
  /** The visible screens of the given panes; panes that have gone are absent. */
  capture(paneIds: string[]): Promise<Map<string, string[]>>;
}

/** amux's own tmux server on this machine (its socket: AMUX_TMUX_SOCKET, else "amux"). */
export const localServer: TmuxServer = {
  host: LOCAL_HOST,
  list: listSessions,
  listWithSetup,
  listWithScreens,
  capture: capturePanes,
};

/** The sessions of a server, in one round trip. */
export async function observeSessions(server: TmuxServer = localServer): Promise<Looked> {
  return { host: server.host, sessions: await server.list(), screens: new Map() };
}

/**
 * The server as a use case that may create sessions needs it (sessions, digest key, global
 * environment), in one round trip.
 */
export async function observeServer(server: TmuxServer = localServer): Promise<Looked & { key: string | null; server: ServerFacts }> {
  const s = await server.listWithSetup();
  return {
    host: server.host,
    sessions: s.sessions,
    screens: new Map(),
    key: s.key,
    server: { keyInvalid: s.keyInvalid, globalEnvironment: s.globalEnvironment },
  };
}

/**
 * The sessions, the digest key and the screens of the given panes, in one round trip: `before`
 * are lines owed from the last look (pane marks to write), `capturedAt` makes each capture
 * conditional on the pane having printed since (decided by tmux as it runs the line).
 */
export async function observeScreens(
  paneIds: string[],
  o: { before?: readonly string[]; capturedAt?: ReadonlyMap<string, number> } = {},
  server: TmuxServer = localServer,
): Promise<Looked & { key: string | null }> {
  const s = await server.listWithScreens(paneIds, o.before ?? [], o.capturedAt);
  return { host: server.host, sessions: s.sessions, screens: s.screens, key: s.key };
}

/** The visible screens of the given live panes, in one round trip (none when there are none). */
export function captureScreens(paneIds: string[], server: TmuxServer = localServer): Promise<Map<string, string[]>> {
  return server.capture(paneIds);
}
