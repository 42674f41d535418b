import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Reporter } from "../core/io.js";
import type { WorkspaceHost } from "./ensure.js";

type Project = Pick<WorkspaceHost, "root"> & { workspaces: { root?: string | undefined } };

import { UsageError } from "../errors.js";
import { assertName } from "../names.js";
import type { ObservedSession } from "../tmux/types.js";
import { BRANCH_PREFIX } from "./ensure.js";
import { git } from "./git.js";
import { findGitTop, workspaceDir } from "./paths.js";

/** A workspace and the state of the work in it. */
export interface WorkspaceInfo {
  name: string;
  path: string;
  branch: string | null;
  /** A git worktree (else a plain directory). */
  worktree: boolean;
  uncommitted: number;
  untracked: number;
  /** Commits on its branch reachable from no other branch or remote. */
  unpushed: number;
  sessions: string[];
}

interface WorktreeEntry {
  path: string;
  branch: string | null;
  head: string | null;
}

/** Parses `git worktree list --porcelain`. Pure. */
export function parseWorktrees(text: string): WorktreeEntry[] {
  const out: WorktreeEntry[] = [];
  let cur: WorktreeEntry | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("worktree ")) {
      cur = { path: line.slice(9), branch: null, head: null };
      out.push(cur);
    } else if (cur && line.startsWith("branch ")) cur.branch = line.slice(7).replace(/^refs\/heads\//, "");
    else if (cur && line.startsWith("HEAD ")) cur.head = line.slice(5);
  }
  return out;
}

/** The folder holding this project's workspaces. */
export function workspacesRoot(p: Project): string {
  return dirname(workspaceDir(p.root, "x", p.workspaces.root));
}

function isInside(path: string, dir: string): boolean {
  const p = resolve(path);
  const d = resolve(dir);
  return p === d || p.startsWith(`${d}/`);
}

async function inspect(
  top: string | undefined,
  name: string,
  path: string,
  wt: WorktreeEntry | undefined,
  sessions: ObservedSession[],
): Promise<WorkspaceInfo> {
  const info: WorkspaceInfo = {
    name,
    path,
    branch: wt?.branch ?? null,
    worktree: !!wt,
    uncommitted: 0,
    untracked: 0,
    unpushed: 0,
    sessions: sessions.filter((s) => s.labels.workspace === name || (s.cwd && isInside(s.cwd, path))).map((s) => s.name),
  };
  if (!top || !wt || !existsSync(path)) return info;
  const st = await git(path, ["status", "--porcelain", "--untracked-files=all"], { allowFail: true });
  for (const l of st.stdout.split("\n").filter(Boolean)) {
    if (l.startsWith("??")) info.untracked++;
    else info.uncommitted++;
  }
  const ref = wt.branch ? `refs/heads/${wt.branch}` : (wt.head ?? "HEAD");
  const args = ["rev-list", "--count", ref, "--not"];
  // --exclude patterns for --branches are branch names, without refs/heads/.
  if (wt.branch) args.push(`--exclude=${wt.branch}`);
  args.push("--branches", "--remotes", "--tags");
  const r = await git(top, args, { allowFail: true });
  info.unpushed = Number(r.stdout.trim()) || 0;
  return info;
}

/** Every workspace of the project: the worktrees and folders in its workspaces folder. */
export async function listWorkspaces(project: Project, sessions: ObservedSession[]): Promise<WorkspaceInfo[]> {
  const top = findGitTop(project.root);
  const base = workspacesRoot(project);
  const wts = top ? parseWorktrees((await git(top, ["worktree", "list", "--porcelain"], { allowFail: true })).stdout) : [];
  const names = new Set<string>();
  try {
    for (const d of readdirSync(base)) if (statSync(join(base, d)).isDirectory()) names.add(d);
  } catch {}
  for (const w of wts) if (dirname(resolve(w.path)) === resolve(base)) names.add(w.path.slice(base.length + 1));
  const out: WorkspaceInfo[] = [];
  for (const name of [...names].sort()) {
    const path = join(base, name);
    out.push(
      await inspect(
        top,
        name,
        path,
        wts.find((w) => resolve(w.path) === resolve(path)),
        sessions,
      ),
    );
  }
  return out;
}

/** Why a workspace must be kept (empty when it may go). */
export function keepReasons(w: WorkspaceInfo, force: boolean): string[] {
  const reasons: string[] = [];
  if (w.sessions.length) reasons.push(`in use by ${w.sessions.join(", ")}`);
  if (force) return reasons;
  if (w.uncommitted) reasons.push(`${w.uncommitted} uncommitted change${w.uncommitted === 1 ? "" : "s"}`);
  if (w.untracked) reasons.push(`${w.untracked} untracked file${w.untracked === 1 ? "" : "s"}`);
  if (w.unpushed) reasons.push(`${w.unpushed} commit${w.unpushed === 1 ? "" : "s"} on no other branch or remote`);
  return reasons;
}

export interface RemoveResult {
  removed: string[];
  kept: { name: string; reasons: string[] }[];
}

/** Removes workspaces that hold no unsaved work (all but live ones with force). */
export async function removeWorkspaces(project: Project, list: WorkspaceInfo[], force: boolean, reporter: Reporter): Promise<RemoveResult> {
  const top = findGitTop(project.root);
  const res: RemoveResult = { removed: [], kept: [] };
  for (const w of list) {
    const reasons = keepReasons(w, force);
    if (reasons.length) {
      res.kept.push({ name: w.name, reasons });
      reporter.warn(`kept workspace ${w.name} (${w.path}): ${reasons.join("; ")}${w.sessions.length ? "" : " — --force removes it"}`);
      continue;
    }
    if (w.worktree && top) {
      await git(top, ["worktree", "remove", ...(force ? ["--force", "--force"] : []), w.path]);
      if (w.branch?.startsWith(BRANCH_PREFIX)) await git(top, ["branch", force ? "-D" : "-d", w.branch], { allowFail: true });
    } else rmSync(w.path, { recursive: true, force: true });
    res.removed.push(w.name);
    reporter.info(`removed workspace ${w.name} (${w.path})`);
  }
  if (top) await git(top, ["worktree", "prune"], { allowFail: true });
  return res;
}

export async function findWorkspace(project: Project, name: string, sessions: ObservedSession[]): Promise<WorkspaceInfo> {
  assertName("workspace", name);
  const w = (await listWorkspaces(project, sessions)).find((x) => x.name === name);
  if (!w) throw new UsageError(`no workspace ${name}`);
  return w;
}
