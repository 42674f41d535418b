import { existsSync } from "node:fs";
import type { WorkspaceSettings } from "../config/project.js";
import type { DesiredWorkspace } from "../desired/types.js";
import { branchExists, commonDirOf, currentBase, foreignWhat, setupDone } from "../workspace/ensure.js";
import { findGitTop, workspaceDir } from "../workspace/paths.js";
import type { ObservedWorkspace, ObservedWorkspaces } from "./types.js";

/**
 * The workspaces the fleet wants, as they are on disk: missing, a workspace amux made, or a
 * folder someone else's (never used); the setup that last succeeded in each; for a missing one,
 * whether its branch exists already, and the checkout's current branch (what a new branch starts
 * from when no base is declared). Looks only: git runs only when some workspace is missing (two
 * quick reads per missing one), or for a checkout that is itself a worktree.
 */
export async function observeWorkspaces(
  host: { root: string; workspaces: WorkspaceSettings },
  wanted: readonly DesiredWorkspace[],
): Promise<ObservedWorkspaces> {
  const top = findGitTop(host.root);
  const list: ObservedWorkspace[] = [];
  let common: string | undefined;
  let commonLooked = false;
  let current: string | null = null;
  let currentLooked = false;
  for (const w of wanted) {
    const dir = workspaceDir(host.root, w.name, host.workspaces.root);
    const setup = setupDone(host.root, w.name);
    if (!existsSync(dir)) {
      const o: ObservedWorkspace = { name: w.name, dir, state: "missing", setup };
      if (top) {
        o.branchExists = await branchExists(top, w.branch);
        if (!currentLooked && !o.branchExists && w.base === null) {
          current = await currentBase(top);
          currentLooked = true;
        }
      }
      list.push(o);
      continue;
    }
    if (top && !commonLooked) {
      common = await commonDirOf(top);
      commonLooked = true;
    }
    const what = await foreignWhat(host, dir, common);
    list.push(what ? { name: w.name, dir, state: "foreign", why: what, setup } : { name: w.name, dir, state: "ready", setup });
  }
  return { git: !!top, current, list };
}
