import { existsSync } from "node:fs";
import { join } from "node:path";
import { amuxDir } from "../state/paths.js";
import { readState, writeState } from "../state/safe-fs.js";
import type { ObservedSession } from "../tmux/types.js";
import { captureScreens, type Looked, localServer, observeScreens, type TmuxServer } from "./server.js";
import { LOCAL_HOST } from "./types.js";

/** The panes remembered for a server: this machine's, or a host's (pane ids are per server). */
function cacheFile(root: string, host: string = LOCAL_HOST): string {
  return join(amuxDir(root), "state", host === LOCAL_HOST ? "panes.json" : `panes@${host}.json`);
}

function readKnown(root: string, host?: string): string[] {
  const v = readState(cacheFile(root, host), (text) => {
    const j = JSON.parse(text) as unknown;
    return Array.isArray(j) ? j.filter((x): x is string => typeof x === "string" && /^%\d+$/.test(x)) : undefined;
  });
  return v ?? [];
}

/**
 * The live server and this project's screens, usually in ONE tmux process: the screens of the
 * panes this project had last time are captured in the same round trip as the list of all
 * panes. Only panes new since then cost a second call. (Pane ids are unique for a server's life,
 * and a capture of a pane that is gone just fails its own line.)
 */
export async function observeProject(
  root: string,
  server: TmuxServer = localServer,
): Promise<{ state: Looked & { key: string | null }; mine: ObservedSession[] }> {
  const known = readKnown(root, server.host);
  const state = await observeScreens(known, { server, scope: { root } });
  const { mine } = state.project;
  const missing = mine.filter((s) => !s.dead && !state.screens.has(s.paneId)).map((s) => s.paneId);
  if (missing.length) for (const [id, rows] of await captureScreens(missing, server)) state.screens.set(id, rows);
  rememberPanes(root, mine, known, server.host);
  return { state, mine };
}

/**
 * Remembers this project's live panes for the next observeProject (which captures their screens
 * in its one round trip). `up` calls it after creating sessions, so the `ps` after it is one call.
 */
export function rememberPanes(root: string, mine: ObservedSession[], known: string[] = readKnown(root), host: string = LOCAL_HOST): void {
  const ids = mine.filter((s) => !s.dead).map((s) => s.paneId);
  // No .amux/state yet (nothing was ever started here): nothing worth remembering either.
  if (ids.join(",") !== known.join(",") && existsSync(join(amuxDir(root), "state"))) writeState(root, cacheFile(root, host), JSON.stringify(ids));
}
