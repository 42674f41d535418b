import { existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The nearest ancestor holding `.git` (a directory or a worktree's file), found without running git. */
export function findGitTop(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, ".git"))) return d;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Where workspace `name` lives: outside the main checkout by default, as a sibling
 * `<checkout>.worktrees/<name>`, so editors, test runners and `git status` never wander into it.
 */
export function workspaceDir(root: string, name: string, rootSetting?: string): string {
  if (rootSetting) return join(rootSetting.startsWith("/") ? rootSetting : join(root, rootSetting), name);
  const top = findGitTop(root) ?? root;
  return join(dirname(top), `${basename(top)}.worktrees`, name);
}

/** The workspace a replica runs in: the service's, or its own `<workspace>-<n>` with isolation: replica. */
export function replicaWorkspace(workspace: string | undefined, isolation: "shared" | "replica", replica: number): string | null {
  if (!workspace) return null;
  return isolation === "replica" ? `${workspace}-${replica}` : workspace;
}

/** How a folder that is not a workspace amux made is named in messages (`what`: "a plain folder", "a symbolic link"...). */
export function foreignMessage(dir: string, what: string): string {
  return `${dir} is ${what}, not a workspace amux made`;
}
