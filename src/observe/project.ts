import { existsSync } from "node:fs";
import { join } from "node:path";
import { projectSessions } from "../desired/view.js";
import { amuxDir } from "../state/paths.js";
import { readState, writeState } from "../state/safe-fs.js";
import { capturePanes } from "../tmux/capture.js";
import { observeWithScreens } from "../tmux/observe.js";
import type { ObservedSession } from "../tmux/types.js";

function cacheFile(root: string): string {
  return join(amuxDir(root), "state", "panes.json");
}

function readKnown(root: string): string[] {
  const v = readState(cacheFile(root), (text) => {
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
): Promise<{ all: ObservedSession[]; mine: ObservedSession[]; screens: Map<string, string[]>; key: string | null }> {
  const known = readKnown(root);
  const { sessions: all, screens, key } = await observeWithScreens(known);
  const mine = projectSessions({ root }, all);
  const missing = mine.filter((s) => !s.dead && !screens.has(s.paneId)).map((s) => s.paneId);
  if (missing.length) for (const [id, rows] of await capturePanes(missing)) screens.set(id, rows);
  rememberPanes(root, mine, known);
  return { all, mine, screens, key };
}

/**
 * Remembers this project's live panes for the next observeProject (which captures their screens
 * in its one round trip). `up` calls it after creating sessions, so the `ps` after it is one call.
 */
export function rememberPanes(root: string, mine: ObservedSession[], known: string[] = readKnown(root)): void {
  const ids = mine.filter((s) => !s.dead).map((s) => s.paneId);
  // No .amux/state yet (nothing was ever started here): nothing worth remembering either.
  if (ids.join(",") !== known.join(",") && existsSync(join(amuxDir(root), "state"))) writeState(root, cacheFile(root), JSON.stringify(ids));
}
