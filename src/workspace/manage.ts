import { type Dirent, existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, rmdirSync, rmSync } from "node:fs";
import { dirname, join, normalize, resolve } from "node:path";
import { UsageError } from "../errors.js";
import type { Reporter } from "../io.js";
import { assertName, checkName } from "../names.js";
import type { ObservedSession } from "../tmux/types.js";
import { BRANCH_PREFIX, type WorkspaceHost } from "./ensure.js";
import { git } from "./git.js";
import { findGitTop, workspaceDir } from "./paths.js";
import { type CreationRecord, canonical, forgetWorkspace, gitCommonDir, readRecord, registeredAdminDir, worktreeAdminDir } from "./record.js";

type Project = Pick<WorkspaceHost, "root"> & { workspaces: { root?: string | undefined } };

/**
 * What sits under the workspaces root: one of amux's git worktrees, a worktree whose folder is
 * gone (only git's list still names it), a plain folder outside git, or something amux did not
 * make (a clone, a plain folder in a git project, a worktree on someone else's branch), which it
 * never touches.
 */
export type WorkspaceKind = "worktree" | "missing" | "directory" | "foreign";

/** A workspace and the state of the work in it. */
export interface WorkspaceInfo {
  name: string;
  path: string;
  branch: string | null;
  /** One of amux's git worktrees (kind worktree). */
  worktree: boolean;
  kind: WorkspaceKind;
  /** Why it is not amux's (kind foreign), else null. */
  foreign: string | null;
  /** `git worktree lock` reason ("" when none was given); null when not locked. */
  locked: string | null;
  /** A git operation stopped half-way in it: rebase, merge, cherry-pick, revert, bisect, am. */
  operation: string | null;
  /** Why its state could not be checked; nothing about it is then known to be safe. */
  unchecked: string | null;
  uncommitted: number;
  untracked: number;
  /** Ignored files removing it would delete (not amux's own unchanged copies and links). */
  ignored: number;
  /** A few of those, for the message. */
  ignoredFiles: string[];
  /** Git repositories inside it (never deleted, not even with --force). */
  repositories: string[];
  /** Commits on its branch or HEAD reachable from no other branch, tag or remote. */
  unpushed: number;
  /** Of those, commits on a detached HEAD that no branch holds: removing it would drop them. */
  detached: number;
  /** Outside git: how many files the folder holds. */
  files: number;
  sessions: string[];
}

const FILE_COUNT_LIMIT = 100_000;

interface WorktreeEntry {
  path: string;
  branch: string | null;
  head: string | null;
  /** The lock reason ("" without one); null when not locked. */
  locked: string | null;
  prunable: boolean;
}

/** Parses `git worktree list --porcelain`. Pure. */
export function parseWorktrees(text: string): WorktreeEntry[] {
  const out: WorktreeEntry[] = [];
  let cur: WorktreeEntry | undefined;
  for (const line of text.split("\n")) {
    if (line.startsWith("worktree ")) {
      cur = { path: line.slice(9), branch: null, head: null, locked: null, prunable: false };
      out.push(cur);
    } else if (!cur) continue;
    else if (line.startsWith("branch ")) cur.branch = line.slice(7).replace(/^refs\/heads\//, "");
    else if (line.startsWith("HEAD ")) cur.head = line.slice(5);
    else if (line === "locked" || line.startsWith("locked ")) cur.locked = line.slice(7);
    else if (line === "prunable" || line.startsWith("prunable ")) cur.prunable = true;
  }
  return out;
}

/** One entry of `git status --porcelain -z`: its two status letters and path. */
export interface StatusEntry {
  xy: string;
  path: string;
}

/** Parses `git status --porcelain -z` (a rename or copy carries its old path in the next field). Pure. */
export function parseStatusZ(text: string): StatusEntry[] {
  const out: StatusEntry[] = [];
  const fields = text.split("\0");
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] ?? "";
    if (f.length < 4) continue;
    const xy = f.slice(0, 2);
    out.push({ xy, path: f.slice(3) });
    if (xy[0] === "R" || xy[0] === "C") i++;
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

/** A workspace with nothing read of it yet (every count zero): the start of an inspection, or a foreign one. */
export function blank(name: string, path: string, kind: WorkspaceKind, sessions: string[]): WorkspaceInfo {
  return {
    name,
    path,
    branch: null,
    worktree: false,
    kind,
    foreign: null,
    locked: null,
    operation: null,
    unchecked: null,
    uncommitted: 0,
    untracked: 0,
    ignored: 0,
    ignoredFiles: [],
    repositories: [],
    unpushed: 0,
    detached: 0,
    files: 0,
    sessions,
  };
}

/** What one scan of the project's repository found: shared by every workspace inspected after it. */
interface Scan {
  root: string;
  top: string | undefined;
  /** The common git folder; undefined outside git. */
  common: string | undefined;
  worktrees: WorktreeEntry[];
  /** Why git could not list the worktrees (then nothing in a git project is checked). */
  gitProblem: string | null;
  base: string;
}

async function scanProject(project: Project): Promise<Scan> {
  const top = findGitTop(project.root);
  const scan: Scan = { root: project.root, top, common: undefined, worktrees: [], gitProblem: null, base: workspacesRoot(project) };
  if (!top) return scan;
  const wl = await git(top, ["worktree", "list", "--porcelain"], { allowFail: true });
  scan.common = await gitCommonDir(top);
  if (wl.code !== 0 || !scan.common) scan.gitProblem = `git cannot list the worktrees of ${top}: ${firstLine(wl.stderr) || "no git folder"}`;
  else scan.worktrees = parseWorktrees(wl.stdout);
  return scan;
}

const firstLine = (s: string) => s.split("\n")[0]?.trim() ?? "";

/** The names under the workspaces root: its entries, and worktrees registered there whose folder is gone. */
function entryNames(scan: Scan): string[] {
  const names = new Set<string>();
  try {
    for (const d of readdirSync(scan.base)) names.add(d);
  } catch {}
  const base = canonical(scan.base);
  for (const w of scan.worktrees) {
    const p = canonical(w.path);
    if (dirname(p) === base) names.add(p.slice(base.length + 1));
  }
  return [...names].sort();
}

/** The git operation stopped half-way in a worktree, from the files git keeps in its admin folder. */
export function operationIn(admin: string): { op: string | null; branch: string | null } {
  const has = (f: string) => existsSync(join(admin, f));
  const headName = (d: string) => {
    try {
      const t = readFileSync(join(admin, d, "head-name"), "utf8").trim();
      return t.startsWith("refs/heads/") ? t.slice(11) : null;
    } catch {
      return null;
    }
  };
  if (has("rebase-merge")) return { op: "rebase", branch: headName("rebase-merge") };
  if (has("rebase-apply")) return { op: has("rebase-apply/applying") ? "am" : "rebase", branch: headName("rebase-apply") };
  if (has("MERGE_HEAD")) return { op: "merge", branch: null };
  if (has("CHERRY_PICK_HEAD")) return { op: "cherry-pick", branch: null };
  if (has("REVERT_HEAD")) return { op: "revert", branch: null };
  if (has("BISECT_LOG") || has("BISECT_START")) return { op: "bisect", branch: null };
  return { op: null, branch: null };
}

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/** Commits reachable from `tips` and from no other branch (all but `except`), tag or remote. */
async function uniqueCommits(top: string, tips: string[], except: string | null): Promise<{ count: number } | { error: string }> {
  // Tips are full object names or refs/heads/... (never an option); --exclude takes a branch name.
  const args = ["rev-list", "--count", ...tips, "--not"];
  if (except) args.push(`--exclude=${except}`);
  args.push("--branches", "--remotes", "--tags");
  const r = await git(top, args, { allowFail: true });
  const n = Number(r.stdout.trim());
  if (r.code !== 0 || !Number.isInteger(n)) return { error: `git rev-list failed: ${firstLine(r.stderr)}` };
  return { count: n };
}

/** Whether an ignored path is one amux put there itself and still holds what the main checkout has. */
export function isAmuxCopy(top: string, dir: string, rel: string, rec: CreationRecord): boolean {
  const norm = (p: string) => normalize(p).replace(/\/+$/, "");
  const within = (p: string, r: string) => p === norm(r) || p.startsWith(`${norm(r)}/`);
  try {
    if (rec.linked.some((l) => norm(l) === rel)) {
      return lstatSync(join(dir, rel)).isSymbolicLink() && canonical(resolve(dir, dirname(rel), readlinkSync(join(dir, rel)))) === canonical(join(top, rel));
    }
    if (rec.copied.some((c) => within(rel, c))) {
      const mine = lstatSync(join(dir, rel));
      const theirs = lstatSync(join(top, rel));
      if (!mine.isFile() || !theirs.isFile() || mine.size !== theirs.size) return false;
      return readFileSync(join(dir, rel)).equals(readFileSync(join(top, rel)));
    }
  } catch {}
  return false;
}

async function inspectWorktree(scan: Scan, info: WorkspaceInfo, wt: WorktreeEntry): Promise<void> {
  const top = scan.top as string;
  const common = scan.common as string;
  info.locked = wt.locked;
  const exists = existsSync(info.path);
  const admin = registeredAdminDir(info.path, common);
  if (exists && (!admin || worktreeAdminDir(info.path, common) !== admin)) {
    info.kind = "foreign";
    info.foreign = "registered as a worktree, but the folder there is not that worktree (its .git points elsewhere)";
    return;
  }
  const rec = admin ? readRecord(scan.root, info.name, info.path, admin) : undefined;
  const op = admin && exists ? operationIn(admin) : { op: null, branch: null };
  info.branch = wt.branch ?? op.branch;
  if (checkName("workspace", info.name)) {
    info.kind = "foreign";
    info.foreign = `a worktree whose name is not one amux gives (${JSON.stringify(info.name)})`;
    return;
  }
  if (!rec && !info.branch?.startsWith(BRANCH_PREFIX)) {
    info.kind = "foreign";
    info.foreign = info.branch ? `a worktree on branch ${info.branch} that amux did not create` : "a worktree on a detached HEAD that amux did not create";
    return;
  }
  info.worktree = true;
  info.kind = exists ? "worktree" : "missing";
  info.operation = op.op;
  const head = wt.head && SHA.test(wt.head) ? wt.head : null;
  // Populated submodules keep their repositories in the worktree's admin folder, which goes with it.
  if (admin && existsSync(join(admin, "modules"))) info.repositories.push("its submodules");
  if (exists) {
    const st = await git(info.path, ["--no-optional-locks", "status", "--porcelain", "-z", "--untracked-files=all", "--ignored=traditional"], {
      allowFail: true,
    });
    if (st.code !== 0) {
      info.unchecked = `git status failed: ${firstLine(st.stderr) || `exit ${st.code}`}`;
      return;
    }
    for (const e of parseStatusZ(st.stdout)) {
      // A folder entry under --untracked-files=all is a repository git does not descend into.
      if ((e.xy === "??" || e.xy === "!!") && e.path.endsWith("/")) info.repositories.push(e.path);
      else if ((e.xy === "??" || e.xy === "!!") && rec && isAmuxCopy(top, info.path, e.path, rec)) continue;
      else if (e.xy === "??") info.untracked++;
      else if (e.xy === "!!") {
        info.ignored++;
        if (info.ignoredFiles.length < 3) info.ignoredFiles.push(e.path);
      } else info.uncommitted++;
    }
  }
  if (!head) {
    info.unchecked = "git names no commit for its HEAD";
    return;
  }
  const tips = [head, ...(info.branch ? [`refs/heads/${info.branch}`] : [])];
  const all = await uniqueCommits(top, tips, info.branch);
  if ("error" in all) {
    info.unchecked = all.error;
    return;
  }
  info.unpushed = all.count;
  if (!wt.branch) {
    const loose = await uniqueCommits(top, [head], null);
    if ("error" in loose) {
      info.unchecked = loose.error;
      return;
    }
    info.detached = loose.count;
  }
}

/** Counts the files in a folder and finds git repositories in it, without following links. */
function walkFolder(dir: string, info: WorkspaceInfo): void {
  const stack = [""];
  while (stack.length) {
    if (info.files >= FILE_COUNT_LIMIT) {
      info.unchecked = `it holds more than ${FILE_COUNT_LIMIT} files`;
      return;
    }
    const rel = stack.pop() as string;
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch (e) {
      info.unchecked = `cannot read ${join(dir, rel)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
      return;
    }
    for (const d of entries) {
      const r = rel ? `${rel}/${d.name}` : d.name;
      if (d.name === ".git") info.repositories.push(rel ? `${rel}/` : "./");
      else if (d.isDirectory()) stack.push(r);
      else info.files++;
    }
  }
}

async function inspect(scan: Scan, name: string, sessions: ObservedSession[]): Promise<WorkspaceInfo> {
  const path = join(scan.base, name);
  const using = sessions.filter((s) => s.labels.workspace === name || (s.cwd && isInside(s.cwd, path))).map((s) => s.name);
  const info = blank(name, path, "foreign", using);
  let st: ReturnType<typeof lstatSync> | undefined;
  try {
    st = lstatSync(path);
  } catch {}
  if (st?.isSymbolicLink()) {
    info.foreign = "a symbolic link, not a folder amux made";
    return info;
  }
  if (st && !st.isDirectory()) {
    info.foreign = "a file, not a folder amux made";
    return info;
  }
  const projectRoot = canonical(scan.root);
  if (st && (projectRoot === canonical(path) || projectRoot.startsWith(`${canonical(path)}/`) || canonical(path) === canonical(join(scan.root, ".amux")))) {
    info.foreign = "the project itself, or its .amux folder";
    return info;
  }
  if (scan.top) {
    if (scan.gitProblem) {
      info.foreign = scan.gitProblem;
      return info;
    }
    const wt = scan.worktrees.find((w) => canonical(w.path) === canonical(path));
    if (wt) {
      if (canonical(wt.path) === canonical(scan.top)) info.foreign = "the main checkout";
      else await inspectWorktree(scan, info, wt);
      return info;
    }
    const dotgit = st ? lstatSync(join(path, ".git"), { throwIfNoEntry: false }) : undefined;
    if (dotgit?.isDirectory()) info.foreign = "a separate git repository (a clone?), not a worktree of this repository";
    else if (dotgit) info.foreign = "a worktree of another repository, not of this one";
    else info.foreign = "a plain folder, not a git worktree amux created";
    return info;
  }
  // Outside git amux makes plain folders; a repository in one is never its own.
  if (existsSync(join(path, ".git"))) {
    info.foreign = "a git repository, not a folder amux made";
    return info;
  }
  if (checkName("workspace", name)) {
    info.foreign = `a folder whose name is not one amux gives (${JSON.stringify(name)})`;
    return info;
  }
  info.kind = "directory";
  walkFolder(path, info);
  return info;
}

/** Every workspace of the project: whatever is in its workspaces folder, and worktrees registered there. */
export async function listWorkspaces(project: Project, sessions: ObservedSession[]): Promise<WorkspaceInfo[]> {
  const scan = await scanProject(project);
  const out: WorkspaceInfo[] = [];
  for (const name of entryNames(scan)) out.push(await inspect(scan, name, sessions));
  return out;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Why a workspace must be kept (empty when it may go). Pure. `--force` overrides only the checks
 * for unsaved work that removing it would knowingly discard; never that it is not amux's, in use,
 * locked, could not be checked, holds a repository, or has commits on a detached HEAD that
 * removing it would drop.
 */
export function keepReasons(w: WorkspaceInfo, force: boolean): string[] {
  if (w.kind === "foreign") return [`not amux's: ${w.foreign ?? "amux did not create it"} (amux never removes it)`];
  const reasons: string[] = [];
  if (w.sessions.length) reasons.push(`in use by ${w.sessions.join(", ")}`);
  if (w.locked !== null) reasons.push(`locked${w.locked ? ` (${w.locked})` : ""}: git worktree unlock it first`);
  if (w.unchecked) reasons.push(`could not check it for unsaved work: ${w.unchecked}`);
  if (w.repositories.length) reasons.push(`holds another git repository (${w.repositories.join(", ")})`);
  if (w.detached) {
    reasons.push(`${plural(w.detached, "commit")} on a detached HEAD that no branch holds: keep them with git branch NAME in it`);
  }
  if (force) return reasons;
  if (w.operation) reasons.push(`a ${w.operation} is in progress`);
  if (w.uncommitted) reasons.push(plural(w.uncommitted, "uncommitted change"));
  if (w.untracked) reasons.push(plural(w.untracked, "untracked file"));
  if (w.ignored)
    reasons.push(
      `${plural(w.ignored, "ignored file")} that removing it would delete (${w.ignoredFiles.join(", ")}${w.ignored > w.ignoredFiles.length ? ", ..." : ""})`,
    );
  const onBranch = w.unpushed - w.detached;
  if (onBranch > 0) reasons.push(`${plural(onBranch, "commit")} on no other branch, tag or remote`);
  if (w.kind === "directory" && w.files) reasons.push(`holds ${plural(w.files, "file")}`);
  return reasons;
}

/** A few words on a workspace's state, for `ws ls` and MCP. Pure. */
export function describeState(w: WorkspaceInfo): string {
  if (w.kind === "foreign") return `foreign: ${w.foreign}`;
  const parts: string[] = [];
  if (w.kind === "missing") parts.push("folder missing");
  if (w.locked !== null) parts.push("locked");
  if (w.unchecked) parts.push(`not checked: ${w.unchecked}`);
  if (w.operation) parts.push(`${w.operation} in progress`);
  if (w.uncommitted) parts.push(`${w.uncommitted} changed`);
  if (w.untracked) parts.push(`${w.untracked} untracked`);
  if (w.ignored) parts.push(`${w.ignored} ignored`);
  if (w.repositories.length) parts.push(`${plural(w.repositories.length, "repository", "repositories")} inside`);
  if (w.unpushed) parts.push(`${w.unpushed} unpushed${w.detached ? ` (${w.detached} detached)` : ""}`);
  if (w.kind === "directory" && w.files) parts.push(plural(w.files, "file"));
  return parts.length ? parts.join(", ") : w.kind === "directory" ? "empty" : "clean";
}

export interface RemoveResult {
  removed: string[];
  /** amux's workspaces it kept, and foreign ones the user named. */
  kept: { name: string; reasons: string[] }[];
  /** Things under the workspaces root that are not amux's, left alone without being asked about. */
  foreign: { name: string; reason: string }[];
}

/**
 * Removes workspaces that hold no unsaved work (with force: also those whose unsaved work the
 * user chose to discard). Each is inspected again just before it goes, since removing one can
 * leave another's commits on no other branch. `named`: the user named these (ws rm), so a
 * foreign one counts as kept rather than quietly left alone.
 */
export async function removeWorkspaces(
  project: Project,
  list: WorkspaceInfo[],
  force: boolean,
  reporter: Reporter,
  opts: { named?: boolean } = {},
): Promise<RemoveResult> {
  const res: RemoveResult = { removed: [], kept: [], foreign: [] };
  const scan = list.length ? await scanProject(project) : undefined;
  for (const listed of list) {
    const w = scan ? await inspect(scan, listed.name, []) : listed;
    w.sessions = listed.sessions;
    if (w.kind === "foreign" && !opts.named) {
      res.foreign.push({ name: w.name, reason: w.foreign ?? "" });
      reporter.info(`left ${w.name} alone (${w.path}): not amux's: ${w.foreign}`);
      continue;
    }
    const reasons = keepReasons(w, force);
    if (reasons.length) {
      res.kept.push({ name: w.name, reasons });
      const forceable = !force && w.kind !== "foreign" && keepReasons(w, true).length === 0;
      reporter.warn(`kept workspace ${w.name} (${w.path}): ${reasons.join("; ")}${forceable ? " — --force removes it" : ""}`);
      continue;
    }
    const problem = await removeOne(scan as Scan, w, force, reporter);
    if (problem) {
      res.kept.push({ name: w.name, reasons: [problem] });
      reporter.warn(`kept workspace ${w.name} (${w.path}): ${problem}`);
      continue;
    }
    res.removed.push(w.name);
    reporter.info(
      w.kind === "missing"
        ? `pruned workspace ${w.name} from git's worktree list (its folder ${w.path} was already gone)`
        : `removed workspace ${w.name} (${w.path})`,
    );
  }
  return res;
}

/** Removes one checked workspace; returns why it could not, if so. */
async function removeOne(scan: Scan, w: WorkspaceInfo, force: boolean, reporter: Reporter): Promise<string | undefined> {
  if (w.kind === "directory") {
    try {
      // rmdir refuses a folder that is not empty, so a file written since the check is kept.
      if (w.files === 0 && !force) rmdirSync(w.path);
      else rmSync(w.path, { recursive: true, force: true });
    } catch (e) {
      return `could not remove it: ${(e as NodeJS.ErrnoException).code ?? String(e)}`;
    }
    forgetWorkspace(scan.root, w.name);
    return undefined;
  }
  const top = scan.top as string;
  // Only a worktree whose state was checked reaches here; --force then discards what the user chose to.
  const r = await git(top, ["worktree", "remove", ...(force && w.kind === "worktree" ? ["--force"] : []), "--", w.path], { allowFail: true });
  if (r.code !== 0) return `git worktree remove failed: ${firstLine(r.stderr)}`;
  forgetWorkspace(scan.root, w.name);
  if (w.branch?.startsWith(BRANCH_PREFIX)) await dropBranch(top, w.branch, reporter);
  return undefined;
}

/** Deletes an amux/ branch once no worktree uses it and every commit on it is on another branch, tag or remote. */
async function dropBranch(top: string, branch: string, reporter: Reporter): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const sha = await git(top, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref], { allowFail: true });
  if (sha.code !== 0 || !SHA.test(sha.stdout.trim())) return;
  const unique = await uniqueCommits(top, [sha.stdout.trim()], branch);
  if ("error" in unique || unique.count > 0) {
    const why = "error" in unique ? `could not check its commits (${unique.error})` : `${plural(unique.count, "commit")} on no other branch, tag or remote`;
    reporter.warn(`kept branch ${branch}: ${why}; git branch -D ${branch} drops it`);
    return;
  }
  // Every commit is held elsewhere, so -D loses nothing; it still refuses a branch checked out anywhere.
  const d = await git(top, ["branch", "-D", "--", branch], { allowFail: true });
  if (d.code !== 0) reporter.warn(`kept branch ${branch}: ${firstLine(d.stderr)}`);
}

export async function findWorkspace(project: Project, name: string, sessions: ObservedSession[]): Promise<WorkspaceInfo> {
  assertName("workspace", name);
  const scan = await scanProject(project);
  if (!entryNames(scan).includes(name)) throw new UsageError(`no workspace ${name}`);
  return inspect(scan, name, sessions);
}
