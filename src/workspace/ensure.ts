import { cpSync, existsSync, lstatSync, mkdirSync, statSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import type { WorkspaceSettings } from "../config/project.js";
import { AmuxError, UsageError } from "../errors.js";
import type { Reporter } from "../io.js";
import { assertBase, assertBranch, assertName, checkBase } from "../names.js";
import { recordsDir } from "../state/paths.js";
import { readRegular, readState, writeState } from "../state/safe-fs.js";
import { git, runSetup } from "./git.js";
import { findGitTop, foreignMessage, workspaceDir } from "./paths.js";
import { gitCommonDir, recordCreated, worktreeAdminDir } from "./record.js";

export const BRANCH_PREFIX = "amux/";

export class WorkspaceError extends AmuxError {}

export interface WorkspaceHost {
  root: string;
  workspaces: WorkspaceSettings;
}

export interface CreateOptions {
  branch?: string | undefined;
  base?: string | undefined;
}

function setupMarker(root: string, name: string): string {
  return join(dirname(recordsDir(root)), "workspaces", `${name}.setup`);
}

/**
 * Makes sure workspace `name` exists and returns its directory: a git worktree on branch
 * amux/<name> (or the given branch), made from the current branch (or `base`), outside the main
 * checkout; a plain directory outside git. New worktrees get the configured copies, symlinks and
 * setup command; a setup that failed runs again next time. The name, branch and base are
 * checked first (exit 2), so none of them can reach git as an option.
 */
export async function ensureWorkspace(host: WorkspaceHost, name: string, reporter: Reporter, o: CreateOptions = {}): Promise<string> {
  assertName("workspace", name);
  if (o.branch !== undefined) assertBranch(o.branch);
  if (o.base !== undefined) assertBase(o.base);
  if (host.workspaces.base !== undefined) assertBase(host.workspaces.base);
  const dir = workspaceDir(host.root, name, host.workspaces.root);
  if (!existsSync(dir)) await createWorkspace(host, name, dir, reporter, o);
  else await assertUsable(host, name, dir);
  await setupOnce(host, name, dir, reporter);
  return dir;
}

/**
 * An existing folder is used as a workspace only when it is what amux would have made there: a
 * worktree of this repository (proven from both sides), or outside git a plain folder. A clone, a
 * plain folder in a git project or a symbolic link holding the name is someone else's: no agent
 * is started in it, and amux never removes it.
 */
async function assertUsable(host: WorkspaceHost, name: string, dir: string): Promise<void> {
  const what = await foreignWhat(host, dir);
  if (what) throw new WorkspaceError(`workspace ${name}: ${foreignMessage(dir, what)}`, ["move it away, or choose another workspace name"]);
}

/**
 * What holds a workspace's path when it is not a workspace amux made ("a plain folder", "a
 * symbolic link"...); undefined when it is one. `commonDir`: the repository's common git folder,
 * when the caller has it already (one look for many workspaces).
 */
export async function foreignWhat(host: { root: string }, dir: string, commonDir?: string): Promise<string | undefined> {
  const st = lstatSync(dir);
  if (st.isSymbolicLink()) return "a symbolic link";
  if (!st.isDirectory()) return "a file";
  const top = findGitTop(host.root);
  if (!top) return existsSync(join(dir, ".git")) ? "a git repository" : undefined;
  const common = commonDir ?? (await commonDirOf(top));
  if (!common || !worktreeAdminDir(dir, common)) {
    return existsSync(join(dir, ".git")) ? "a git repository or another repository's worktree" : "a plain folder";
  }
  return undefined;
}

/** The repository's common git folder: its `.git` folder, or git's answer for a checkout that is itself a worktree. */
export async function commonDirOf(top: string): Promise<string | undefined> {
  const dotgit = join(top, ".git");
  return statSync(dotgit).isDirectory() ? dotgit : await gitCommonDir(top);
}

/** Whether a local branch exists. */
export async function branchExists(top: string, branch: string): Promise<boolean> {
  return (await git(top, ["rev-parse", "--verify", "--quiet", "--end-of-options", `refs/heads/${branch}`], { allowFail: true })).code === 0;
}

/** The checkout's current branch, when it is on one git would let us name as a base. */
export async function currentBase(top: string): Promise<string | null> {
  const current = (await git(top, ["symbolic-ref", "--quiet", "--short", "HEAD"], { allowFail: true })).stdout;
  // A current branch git would not let us name (made with update-ref, say) starts from HEAD instead.
  return current && !checkBase(current) ? current : null;
}

/** The setup command (as shown) that last succeeded in workspace `name`; null when none did. */
export function setupDone(root: string, name: string): string | null {
  // Read only (a garbled marker is set aside by the setup that runs again, not by a look).
  const r = readRegular(setupMarker(root, name), 64 * 1024);
  return r.ok ? r.text : null;
}

async function createWorkspace(host: WorkspaceHost, name: string, dir: string, reporter: Reporter, o: CreateOptions): Promise<void> {
  const top = findGitTop(host.root);
  if (!top) {
    mkdirSync(dir, { recursive: true });
    reporter.info(`workspace ${name}: created directory ${dir}`);
    return;
  }
  const branch = o.branch ?? `${BRANCH_PREFIX}${name}`;
  const exists = await branchExists(top, branch);
  const base = o.base ?? host.workspaces.base ?? (await currentBase(top)) ?? "HEAD";
  if (!exists && (await git(top, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${base}^{commit}`], { allowFail: true })).code !== 0) {
    throw new UsageError(`cannot create workspace ${name}: unknown base ${JSON.stringify(base)} (no branch, tag or commit of that name in ${top})`);
  }
  const args = exists ? ["worktree", "add", "--quiet", "--", dir, branch] : ["worktree", "add", "--quiet", "-b", branch, "--", dir, base];
  mkdirSync(dirname(dir), { recursive: true });
  const r = await git(top, args, { allowFail: true });
  // Another amux may have made it at the same moment; that is fine.
  if (r.code !== 0 && !existsSync(dir)) throw new WorkspaceError(`cannot create workspace ${name}: ${r.stderr}`);
  reporter.info(`workspace ${name}: worktree ${dir} on branch ${branch}${exists ? "" : ` (from ${base})`}`);
  for (const rel of host.workspaces.copy) {
    const from = join(top, rel);
    if (!existsSync(from)) {
      reporter.warn(`workspace ${name}: nothing to copy at ${rel}`);
      continue;
    }
    cpSync(from, join(dir, rel), { recursive: true, force: false, errorOnExist: false });
  }
  for (const rel of host.workspaces.symlink) {
    const from = join(top, rel);
    const to = join(dir, rel);
    if (!existsSync(from)) {
      reporter.warn(`workspace ${name}: nothing to link at ${rel}`);
      continue;
    }
    if (existsSync(to)) continue;
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(from, to);
  }
  if (r.code === 0) await recordCreated(host.root, top, name, dir, branch, host.workspaces, exists ? undefined : base);
}

async function setupOnce(host: WorkspaceHost, name: string, dir: string, reporter: Reporter): Promise<void> {
  const cmd = host.workspaces.setup;
  if (!cmd) return;
  // What is shown and remembered: `${VAR}` pieces masked, never their values.
  const shown = host.workspaces.setupShown ?? cmd;
  const marker = setupMarker(host.root, name);
  if (readState(marker, (t) => t) === shown) return;
  reporter.info(`workspace ${name}: running setup: ${shown}`);
  const code = await runSetup(dir, cmd, (line) => reporter.info(`  ${name} | ${line}`));
  if (code !== 0) throw new WorkspaceError(`workspace ${name}: setup command failed with exit ${code} (it runs again next time)`);
  // Without the marker (a read-only .amux/) the setup just runs again next time.
  writeState(host.root, marker, shown);
}
