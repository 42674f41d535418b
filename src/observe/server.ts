import { capturePanes, cursorAndScreen } from "../tmux/capture.js";
import { listSessions, observeWithScreens as listWithScreens, observeServer as listWithSetup } from "../tmux/observe.js";
import type { ObservedSession } from "../tmux/types.js";
import { groupProject } from "./group.js";
import { type HostId, LOCAL_HOST, type ObservedState, type ProjectSessions, type ServerFacts } from "./types.js";

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
  /** One session's visible screen and the cursor's row in it; undefined when it is gone. */
  cursor(session: string): Promise<{ cursorY: number; screen: string[] } | undefined>;
}

/** amux's own tmux server on this machine (its socket: AMUX_TMUX_SOCKET, else "amux"). */
export const localServer: TmuxServer = {
  host: LOCAL_HOST,
  list: listSessions,
  listWithSetup,
  listWithScreens,
  capture: capturePanes,
  cursor: cursorAndScreen,
};

/** Which project a look is for: its share of the sessions is worked out with them (groupProject). */
export interface Scope {
  root: string;
  /** The services it declares; absent: every labelled service counts as declared. */
  declared?: Iterable<string> | undefined;
}

/** How to look: at which server (amux's local one unless told), and for which project. */
export interface LookOptions {
  server?: TmuxServer | undefined;
  scope?: Scope | undefined;
}

/** A look for a project comes back with that project's sessions worked out. */
export type Scoped<O extends LookOptions> = O extends { scope: Scope } ? { project: ProjectSessions } : { project?: ProjectSessions | undefined };

function finish<O extends LookOptions, S extends Looked>(state: S, o: O): S & Scoped<O> {
  // A session says which server it lives on when that is not amux's local one.
  if (state.host !== LOCAL_HOST) for (const s of state.sessions) s.host = state.host;
  if (o.scope) state.project = groupProject(state.sessions, o.scope.root, o.scope.declared);
  return state as S & Scoped<O>;
}

/** The sessions of a server, in one round trip. */
export async function observeSessions<O extends LookOptions>(o: O = {} as O): Promise<Looked & Scoped<O>> {
  const server = o.server ?? localServer;
  return finish({ host: server.host, sessions: await server.list(), screens: new Map() }, o);
}

/**
 * The server as a use case that may create sessions needs it (sessions, digest key, global
 * environment), in one round trip.
 */
export async function observeServer<O extends LookOptions>(o: O = {} as O): Promise<Looked & { key: string | null; server: ServerFacts } & Scoped<O>> {
  const server = o.server ?? localServer;
  const s = await server.listWithSetup();
  const state: Looked & { key: string | null; server: ServerFacts } = {
    host: server.host,
    sessions: s.sessions,
    screens: new Map(),
    key: s.key,
    server: { keyInvalid: s.keyInvalid, globalEnvironment: s.globalEnvironment },
  };
  return finish(state, o);
}

/**
 * The sessions, the digest key and the screens of the given panes, in one round trip: `before`
 * are lines owed from the last look (pane marks to write), `capturedAt` makes each capture
 * conditional on the pane having printed since (decided by tmux as it runs the line).
 */
export async function observeScreens<O extends LookOptions>(
  paneIds: string[],
  o: O & { before?: readonly string[]; capturedAt?: ReadonlyMap<string, number> } = {} as O,
): Promise<Looked & { key: string | null } & Scoped<O>> {
  const server = o.server ?? localServer;
  const s = await server.listWithScreens(paneIds, o.before ?? [], o.capturedAt);
  const state: Looked & { key: string | null } = { host: server.host, sessions: s.sessions, screens: s.screens, key: s.key };
  return finish(state, o);
}

/** The visible screens of the given live panes, in one round trip (none when there are none). */
export function captureScreens(paneIds: string[], server: TmuxServer = localServer): Promise<Map<string, string[]>> {
  return server.capture(paneIds);
}

/** The line a session's cursor is on (its input line), in one round trip; undefined when it is gone. */
export async function cursorLine(session: string, server: TmuxServer = localServer): Promise<string | undefined> {
  const c = await server.cursor(session);
  return c ? (c.screen[c.cursorY] ?? "") : undefined;
}
