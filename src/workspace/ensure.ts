import { existsSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Project } from "../config/project.js";
import type { Reporter } from "../core/io.js";
import { assertName } from "../names.js";
import { git } from "./git.js";
import { findGitTop, workspaceDir } from "./paths.js";

export const BRANCH_PREFIX = "amux/";

/**
 * Makes sure workspace `name` exists and returns its directory: a git worktree on branch
 * amux/<name>, made from the current branch, or a plain directory outside git.
 */
export async function ensureWorkspace(project: Project, name: string, reporter: Reporter): Promise<string> {
  assertName("workspace", name);
  const dir = workspaceDir(project.root, name);
  if (existsSync(dir)) return dir;
  const top = findGitTop(project.root);
  mkdirSync(dirname(dir), { recursive: true });
  if (!top) {
    mkdirSync(dir, { recursive: true });
    reporter.info(`workspace ${name}: created directory ${dir}`);
    return dir;
  }
  const branch = `${BRANCH_PREFIX}${name}`;
  const exists = (await git(top, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { allowFail: true })).code === 0;
  const base = (await git(top, ["rev-parse", "--abbrev-ref", "HEAD"], { allowFail: true })).stdout || "HEAD";
  const args = exists ? ["worktree", "add", "--quiet", dir, branch] : ["worktree", "add", "--quiet", "-b", branch, dir, base === "HEAD" ? "HEAD" : base];
  const r = await git(top, args, { allowFail: true });
  if (r.code !== 0 && !existsSync(dir)) await git(top, args);
  reporter.info(`workspace ${name}: worktree ${dir} on branch ${branch}${exists ? "" : ` (from ${base})`}`);
  return dir;
}
