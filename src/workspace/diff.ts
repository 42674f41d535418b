import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { GitError } from "../errors.js";
import { git } from "./git.js";
import { isAmuxCopy, type WorkspaceInfo } from "./manage.js";
import { findGitTop } from "./paths.js";
import { type CreationRecord, gitCommonDir, readRecord, registeredAdminDir } from "./record.js";

/** Where a changed file's change lives: on the branch, in the worktree not yet committed, or a new file git does not track. */
export type ChangeKind = "committed" | "uncommitted" | "untracked";

/** One changed file. A file changed both on the branch and in the worktree appears once for each. */
export interface DiffFile {
  path: string;
  /** added, modified, deleted, typechange (a file became a link or back), untracked. */
  status: "added" | "modified" | "deleted" | "typechange" | "untracked";
  kind: ChangeKind;
  additions: number;
  deletions: number;
  /** git shows no line counts for it. */
  binary: boolean;
}

export interface DiffCommit {
  sha: string;
  subject: string;
  author: string;
  /** ISO 8601 author date. */
  date: string;
}

/** What a workspace's work is compared with. */
export interface DiffBase {
  /** The branch (or commit) it is compared with: the one it was made from, else the main checkout's. */
  ref: string;
  sha: string;
  /** Where the workspace's branch left it. */
  mergeBase: string;
  /** The ref is the one amux recorded when it made the workspace's branch. */
  recorded: boolean;
}

/** `amux diff --json`. */
export interface WorkspaceDiff {
  workspace: string;
  branch: string | null;
  path: string;
  head: string;
  base: DiffBase;
  ahead: number;
  behind: number;
  commits: DiffCommit[];
  files: DiffFile[];
  additions: number;
  deletions: number;
}

const STATUS: Record<string, DiffFile["status"]> = { A: "added", M: "modified", D: "deleted", T: "typechange" };

/** Parses `git diff --numstat -z --no-renames`: path → line counts (null for a binary file). Pure. */
export function parseNumstatZ(text: string): Map<string, { additions: number; deletions: number } | null> {
  const out = new Map<string, { additions: number; deletions: number } | null>();
  for (const rec of text.split("\0")) {
    const m = /^(-|\d+)\t(-|\d+)\t(.+)$/s.exec(rec.replace(/^\n/, ""));
    if (!m) continue;
    const [, a, d, path] = m as unknown as [string, string, string, string];
    out.set(path, a === "-" || d === "-" ? null : { additions: Number(a), deletions: Number(d) });
  }
  return out;
}

/** Parses `git diff --name-status -z --no-renames`: [status letter, path] pairs. Pure. */
export function parseNameStatusZ(text: string): { letter: string; path: string }[] {
  const f = text.split("\0");
  const out: { letter: string; path: string }[] = [];
  for (let i = 0; i + 1 < f.length; i += 2) {
    const letter = (f[i] ?? "").replace(/^\n/, "").slice(0, 1);
    const path = f[i + 1] ?? "";
    if (letter && path) out.push({ letter, path });
  }
  return out;
}

/** Parses `git rev-list --left-right --count BASE...TIP`: left = behind, right = ahead. Pure. */
export function parseLeftRight(text: string): { behind: number; ahead: number } | undefined {
  const m = /^(\d+)\s+(\d+)$/.exec(text.trim());
  return m ? { behind: Number(m[1]), ahead: Number(m[2]) } : undefined;
}

/** The `git log` format parseLog reads: fields split by US, records ended by RS. */
export const LOG_FORMAT = "--format=%H%x1f%s%x1f%an <%ae>%x1f%aI%x1e";

/** Parses `git log` in LOG_FORMAT. Pure. */
export function parseLog(text: string): DiffCommit[] {
  const out: DiffCommit[] = [];
  for (const rec of text.split("\x1e")) {
    const f = rec.replace(/^\n/, "").split("\x1f");
    if (f.length < 4 || !f[0]) continue;
    out.push({ sha: f[0], subject: f[1] ?? "", author: f[2] ?? "", date: f[3] ?? "" });
  }
  return out;
}

/** Joins name-status and numstat output into files of one kind. Pure. */
export function filesOf(kind: ChangeKind, nameStatus: string, numstat: string): DiffFile[] {
  const counts = parseNumstatZ(numstat);
  return parseNameStatusZ(nameStatus).map(({ letter, path }) => {
    const c = counts.get(path);
    return { path, status: STATUS[letter] ?? "modified", kind, additions: c?.additions ?? 0, deletions: c?.deletions ?? 0, binary: c === null };
  });
}

/** Totals over files. Pure. */
export function totals(files: DiffFile[]): { additions: number; deletions: number } {
  return files.reduce((t, f) => ({ additions: t.additions + f.additions, deletions: t.deletions + f.deletions }), { additions: 0, deletions: 0 });
}

/** Line count of a new file, or binary when it holds a NUL byte in its first 8000 bytes (git's own test). */
export function countLines(path: string): { lines: number; binary: boolean } {
  try {
    const st = statSync(path);
    if (!st.isFile()) return { lines: 0, binary: true };
    const fd = openSync(path, "r");
    try {
      const buf = Buffer.alloc(Math.min(st.size, 64 * 1024 * 1024));
      const n = readSync(fd, buf, 0, buf.length, 0);
      const data = buf.subarray(0, n);
      if (data.subarray(0, 8000).includes(0)) return { lines: 0, binary: true };
      let lines = 0;
      for (const b of data) if (b === 10) lines++;
      if (n > 0 && data[n - 1] !== 10) lines++;
      return { lines, binary: false };
    } finally {
      closeSync(fd);
    }
  } catch {
    return { lines: 0, binary: true };
  }
}

const firstLine = (s: string) => s.split("\n")[0]?.trim() ?? "";

async function commitOf(cwd: string, ref: string): Promise<string | undefined> {
  const r = await git(cwd, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], { allowFail: true });
  return r.code === 0 && /^[0-9a-f]{40,64}$/.test(r.stdout.trim()) ? r.stdout.trim() : undefined;
}

/** The main checkout's current branch (null on a detached HEAD) and commit. */
export async function mainHead(top: string): Promise<{ branch: string | null; sha: string }> {
  const b = await git(top, ["symbolic-ref", "--quiet", "--short", "HEAD"], { allowFail: true });
  const sha = await commitOf(top, "HEAD");
  if (!sha) throw new GitError(`the main checkout ${top} has no commit yet`);
  return { branch: b.code === 0 && b.stdout.trim() ? b.stdout.trim() : null, sha };
}

/** What the workspace is compared with: `against` when given, else the ref recorded at creation, else the main checkout's branch. */
export async function resolveBase(
  root: string,
  w: WorkspaceInfo,
  against?: { ref: string; sha: string },
): Promise<{ ref: string; sha: string; recorded: boolean }> {
  const top = findGitTop(root) as string;
  if (against) return { ...against, recorded: false };
  const rec = await recordOf(root, w);
  if (rec?.base && rec.base !== "HEAD") {
    const sha = await commitOf(top, rec.base);
    if (sha) return { ref: rec.base, sha, recorded: true };
  }
  const h = await mainHead(top);
  return { ref: h.branch ?? h.sha.slice(0, 12), sha: h.sha, recorded: false };
}

/** The tip the workspace's work ends at: its branch, or its HEAD when detached. */
export async function workspaceTip(w: WorkspaceInfo): Promise<string> {
  const tip = await commitOf(w.path, "HEAD");
  if (!tip) throw new GitError(`workspace ${w.name} has no commit checked out`);
  return tip;
}

/** Commits ahead of and behind `baseSha`, and where they forked. */
export async function aheadBehind(cwd: string, baseSha: string, tip: string): Promise<{ ahead: number; behind: number; mergeBase: string }> {
  const lr = await git(cwd, ["rev-list", "--left-right", "--count", `${baseSha}...${tip}`]);
  const counts = parseLeftRight(lr.stdout);
  if (!counts) throw new GitError(`git rev-list printed ${JSON.stringify(lr.stdout)}`);
  const mb = await git(cwd, ["merge-base", baseSha, tip], { allowFail: true });
  return { ...counts, mergeBase: mb.code === 0 ? mb.stdout.trim() : baseSha };
}

/** The commits on `tip` that `base` lacks, newest first. */
export async function commitsBetween(cwd: string, base: string, tip: string): Promise<DiffCommit[]> {
  return parseLog((await git(cwd, ["log", LOG_FORMAT, `${base}..${tip}`])).stdout);
}

/** amux's record of the workspace, when it proves amux made this very worktree. */
async function recordOf(root: string, w: WorkspaceInfo): Promise<CreationRecord | undefined> {
  const top = findGitTop(root);
  const common = top && (await gitCommonDir(top));
  const admin = common && registeredAdminDir(w.path, common);
  return admin ? readRecord(root, w.name, w.path, admin) : undefined;
}

/**
 * New files in the worktree that git does not track and does not ignore — the work, not amux's
 * own unchanged copies from `workspaces: copy/symlink` (a copied .env is never shown or committed).
 */
export async function untrackedWork(root: string, w: WorkspaceInfo): Promise<string[]> {
  const r = await git(w.path, ["ls-files", "-z", "--others", "--exclude-standard"]);
  const rec = await recordOf(root, w);
  const top = findGitTop(root) as string;
  return r.stdout.split("\0").filter((p) => p && !(rec && isAmuxCopy(top, w.path, p, rec)));
}

/** Requires a workspace with a git checkout amux can read. */
export function assertDiffable(w: WorkspaceInfo): void {
  if (w.kind === "foreign") throw new GitError(`workspace ${w.name} is not amux's: ${w.foreign}`);
  if (w.kind === "directory") throw new GitError(`workspace ${w.name} is a plain folder outside git: nothing to compare`);
  if (w.kind === "missing") throw new GitError(`workspace ${w.name}: its folder ${w.path} is gone`);
  if (w.unchecked) throw new GitError(`workspace ${w.name}: ${w.unchecked}`);
}

/**
 * The work in a workspace since its base: commits ahead and behind, what they changed (from
 * where the branch forked, as a pull request shows it), and uncommitted and untracked changes apart.
 */
export async function workspaceDiff(root: string, w: WorkspaceInfo, against?: { ref: string; sha: string }): Promise<WorkspaceDiff> {
  assertDiffable(w);
  const base = await resolveBase(root, w, against);
  const head = await workspaceTip(w);
  const ab = await aheadBehind(w.path, base.sha, head);
  const commits = await commitsBetween(w.path, base.sha, head);
  const range = [ab.mergeBase, head];
  const committed = filesOf(
    "committed",
    (await git(w.path, ["diff", "--no-renames", "--no-ext-diff", "--name-status", "-z", ...range])).stdout,
    (await git(w.path, ["diff", "--no-renames", "--no-ext-diff", "--numstat", "-z", ...range])).stdout,
  );
  const uncommitted = filesOf(
    "uncommitted",
    (await git(w.path, ["diff", "--no-renames", "--no-ext-diff", "--name-status", "-z", "HEAD"])).stdout,
    (await git(w.path, ["diff", "--no-renames", "--no-ext-diff", "--numstat", "-z", "HEAD"])).stdout,
  );
  const untracked: DiffFile[] = (await untrackedWork(root, w)).map((path) => {
    const c = countLines(join(w.path, path));
    return { path, status: "untracked", kind: "untracked", additions: c.lines, deletions: 0, binary: c.binary };
  });
  const files = [...committed, ...uncommitted, ...untracked];
  return {
    workspace: w.name,
    branch: w.branch,
    path: w.path,
    head,
    base: { ref: base.ref, sha: base.sha, mergeBase: ab.mergeBase, recorded: base.recorded },
    ahead: ab.ahead,
    behind: ab.behind,
    commits,
    files,
    ...totals(files),
  };
}

export type DiffFormat = "patch" | "stat" | "name-only";

/** The human form: headed sections, each rendered by git itself (coloured when asked). */
export async function renderDiff(d: WorkspaceDiff, format: DiffFormat, color: boolean): Promise<string> {
  const c = color ? "--color=always" : "--color=never";
  const fmt = format === "stat" ? ["--stat"] : format === "name-only" ? ["--name-only"] : [];
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const parts: string[] = [];
  const where = d.branch ?? `detached ${d.head.slice(0, 12)}`;
  parts.push(`${bold(`${d.workspace} (${where}): ${d.ahead} ahead, ${d.behind} behind ${d.base.ref}${d.base.recorded ? " (its base)" : ""}`)}\n${d.path}`);
  const section = (title: string, body: string) => parts.push(`${bold(`== ${title}`)}\n${body.replace(/\n+$/, "") || "(none)"}`);
  section(
    `Commits (${d.commits.length})`,
    d.commits.map((x) => `${x.sha.slice(0, 10)} ${x.subject} (${x.author.replace(/ <.*>$/, "")}, ${x.date.slice(0, 10)})`).join("\n"),
  );
  const committed = await git(d.path, ["diff", c, ...fmt, d.base.mergeBase, d.head]);
  section(`Committed changes since ${d.base.ref} (${d.base.mergeBase.slice(0, 10)}..${d.head.slice(0, 10)})`, committed.stdout);
  const uncommitted = await git(d.path, ["diff", c, ...fmt, "HEAD"]);
  section("Uncommitted changes", uncommitted.stdout);
  const untracked = d.files.filter((f) => f.kind === "untracked");
  let body = "";
  if (format === "name-only") body = untracked.map((f) => f.path).join("\n");
  else if (format === "stat") body = untracked.map((f) => ` ${f.path} | ${f.binary ? "Bin" : `${f.additions} +`}`).join("\n");
  else {
    const chunks: string[] = [];
    for (const f of untracked.slice(0, 200)) {
      // --no-index exits 1 when the files differ, which they always do here.
      const r = await git(d.path, ["diff", "--no-index", c, "--", "/dev/null", f.path], { allowFail: true });
      chunks.push(r.code <= 1 ? r.stdout : `${f.path}: ${firstLine(r.stderr)}`);
    }
    if (untracked.length > 200) chunks.push(`... and ${untracked.length - 200} more untracked files`);
    body = chunks.join("\n");
  }
  section(`Untracked files (${untracked.length})`, body);
  return `${parts.join("\n\n")}\n`;
}

/** What `ws ls` adds for a worktree: its base, commits ahead and behind it, and its last commit. */
export interface WorkspaceSummary {
  base: string | null;
  ahead: number | null;
  behind: number | null;
  dirty: boolean;
  lastCommit: { sha: string; subject: string; date: string } | null;
}

/** Best effort: a workspace git cannot compare shows nulls rather than failing the listing. */
export async function workspaceSummary(root: string, w: WorkspaceInfo): Promise<WorkspaceSummary> {
  const out: WorkspaceSummary = { base: null, ahead: null, behind: null, dirty: w.uncommitted + w.untracked > 0, lastCommit: null };
  if (w.kind !== "worktree" || w.unchecked) return out;
  try {
    const base = await resolveBase(root, w);
    const head = await workspaceTip(w);
    const ab = await aheadBehind(w.path, base.sha, head);
    const last = parseLog((await git(w.path, ["log", "-1", LOG_FORMAT, head])).stdout)[0];
    Object.assign(out, { base: base.ref, ahead: ab.ahead, behind: ab.behind });
    if (last) out.lastCommit = { sha: last.sha, subject: last.subject, date: last.date };
  } catch {}
  return out;
}
