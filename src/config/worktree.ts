import { readFileSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";

/**
 * A linked git worktree of a repository: its own top directory and its main checkout's.
 * Found by reading files only (no git process): the worktree's `.git` is a file
 * `gitdir: <main>/.git/worktrees/<name>`, and that directory's `commondir` names the main `.git`.
 */
export interface LinkedWorktree {
  top: string;
  main: string;
}

/** The linked worktree holding `dir`, if any (a main checkout, a submodule or no repo: undefined). */
export function findLinkedWorktree(dir: string): LinkedWorktree | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const dotGit = join(d, ".git");
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(dotGit);
    } catch {}
    if (st?.isDirectory()) return undefined;
    if (st?.isFile()) {
      let gitdir: string;
      let common: string;
      try {
        const m = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(dotGit, "utf8"));
        if (!m?.[1]) return undefined;
        gitdir = resolve(d, m[1]);
        common = readFileSync(join(gitdir, "commondir"), "utf8").trim();
      } catch {
        return undefined;
      }
      const commonDir = isAbsolute(common) ? common : resolve(gitdir, common);
      // A bare repository's worktrees have no main checkout to prefer.
      if (basename(commonDir) !== ".git") return undefined;
      return { top: d, main: dirname(commonDir) };
    }
    if (dirname(d) === d) return undefined;
  }
}

/**
 * Whether a linked worktree stands where amux puts workspaces: `<main>.worktrees/<name>` (the
 * default), or anywhere inside the main checkout (a `workspaces.root` under it). Any other
 * worktree (a developer's own checkout of a branch) is a project of its own.
 */
export function isWorkspaceOf(wt: LinkedWorktree): boolean {
  const inside = (dir: string) => {
    const rel = relative(dir, wt.top);
    return !!rel && !rel.startsWith("..") && !isAbsolute(rel);
  };
  return inside(`${wt.main}.worktrees`) || inside(wt.main);
}

/**
 * Where to look for the project from `cwd`: inside a linked worktree of a repository whose main
 * checkout is an amux project, the same place in the main checkout (for a worktree where amux puts its
 * workspaces, see isWorkspaceOf). A workspace checks out the same files (amux.compose.yaml included), but the fleet it belongs to is the main checkout's.
 */
export function mainCheckoutDir(cwd: string, isProject: (dir: string) => boolean): string | undefined {
  const wt = findLinkedWorktree(cwd);
  if (!wt || !isWorkspaceOf(wt)) return undefined;
  const rel = relative(wt.top, resolve(cwd));
  // The deepest directory of the same path that is an amux project in the main checkout.
  const parts = rel ? rel.split(/[\\/]/) : [];
  for (let n = parts.length; n >= 0; n--) {
    const candidate = join(wt.main, ...parts.slice(0, n));
    if (isProject(candidate)) return candidate;
  }
  return undefined;
}
