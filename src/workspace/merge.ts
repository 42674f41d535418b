import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { AmuxError, GitError, UsageError } from "../errors.js";
import type { Reporter } from "../io.js";
import { amuxDir, ensureRuntimeDirs } from "../state/paths.js";
import { assertBranchName } from "./branch-name.js";
import { assertDiffable, commitsBetween, type DiffCommit, type DiffFile, filesOf, mainHead, untrackedWork } from "./diff.js";
import { git } from "./git.js";
import { operationIn, parseStatusZ, parseWorktrees, type WorkspaceInfo } from "./manage.js";
import { findGitTop } from "./paths.js";
import { canonical, gitCommonDir, registeredAdminDir } from "./record.js";

export type MergeStrategy = "merge" | "squash" | "rebase" | "ff-only";

export interface MergeOptions {
  /** The branch to land in (default: the main checkout's current branch). */
  into?: string | undefined;
  strategy: MergeStrategy;
  dryRun: boolean;
  /** Commit the workspace's uncommitted and untracked work first, with this message. */
  commitMessage?: string | undefined;
}

/** What a merge did, or with dryRun would do. */
export interface MergeResult {
  workspace: string;
  branch: string;
  into: string;
  strategy: MergeStrategy;
  dryRun: boolean;
  /** The branch already holds everything: nothing to merge. */
  upToDate: boolean;
  /** The target only moves forward to the workspace's commits (no new commit). */
  fastForward: boolean;
  /** The commit made from uncommitted work (--commit), or null. */
  committed: string | null;
  /** With dryRun and --commit: what would be committed first (not part of the test). */
  wouldCommit: number;
  commits: DiffCommit[];
  files: DiffFile[];
  /** The target's commit before, and after (null on a dry run or when up to date). */
  before: string;
  after: string | null;
  /** The main checkout's working tree followed (the target is its branch), else only the ref moved. */
  checkout: boolean;
}

/** A merge amux refused; nothing was changed. Exit 1. */
export class MergeRefused extends AmuxError {
  readonly conflicts: string[];
  constructor(message: string, hints: string[] = [], conflicts: string[] = []) {
    super(message, hints);
    this.conflicts = conflicts;
  }
}

const firstLine = (s: string) => s.split("\n")[0]?.trim() ?? "";
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
/** Nothing of the user's hook scripts runs in amux's scratch worktree. */
const NO_HOOKS = ["-c", "core.hooksPath=/dev/null"];

async function sha(cwd: string, ref: string): Promise<string | undefined> {
  const r = await git(cwd, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], { allowFail: true });
  return r.code === 0 && r.stdout.trim() ? r.stdout.trim() : undefined;
}

async function isAncestor(cwd: string, a: string, b: string): Promise<boolean> {
  return (await git(cwd, ["merge-base", "--is-ancestor", a, b], { allowFail: true })).code === 0;
}

/** Tracked changes in a checkout (untracked files do not stop a merge; git refuses to overwrite one). */
async function trackedChanges(dir: string): Promise<string[]> {
  const r = await git(dir, ["status", "--porcelain", "-z", "--untracked-files=no"], { allowFail: true });
  if (r.code !== 0) throw new GitError(`git status failed in ${dir}: ${firstLine(r.stderr)}`);
  return parseStatusZ(r.stdout).map((e) => e.path);
}

async function gitDirOf(dir: string): Promise<string> {
  const r = await git(dir, ["rev-parse", "--git-dir"]);
  const d = r.stdout.trim();
  return isAbsolute(d) ? d : resolve(dir, d);
}

/** The folder under the runtime state where scratch worktrees live while a merge is tested. */
function scratchRoot(root: string): string {
  return join(amuxDir(root), "state", "land");
}

/** Whether the process that made a scratch worktree (its pid is in the name) is gone. */
function abandoned(name: string): boolean {
  const pid = Number(/^merge-(\d+)-[0-9a-f]+$/.exec(name)?.[1]);
  if (!pid) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Removes scratch worktrees left by a merge that was killed: the folders under the scratch root
 * and git's registrations of them, and nothing else (no `git worktree prune`, which would also
 * forget the user's worktrees whose folders are away).
 */
async function sweepScratch(root: string, top: string): Promise<void> {
  const base = scratchRoot(root);
  const common = await gitCommonDir(top);
  const found = new Set<string>();
  try {
    for (const n of readdirSync(base)) found.add(join(base, n));
  } catch {}
  const wl = await git(top, ["worktree", "list", "--porcelain"], { allowFail: true });
  for (const w of parseWorktrees(wl.stdout)) if (dirname(w.path) === base || canonical(dirname(w.path)) === canonical(base)) found.add(w.path);
  for (const dir of found) {
    if (!abandoned(basename(dir))) continue;
    await git(top, ["worktree", "remove", "--force", "--", dir], { allowFail: true });
    const admin = common ? registeredAdminDir(dir, common) : undefined;
    rmSync(dir, { recursive: true, force: true });
    if (admin) rmSync(admin, { recursive: true, force: true });
  }
}

/**
 * Runs `fn` in a scratch worktree detached at `commit` under the runtime state, and removes it
 * after, whatever happens. On Ctrl-C or SIGTERM the git command under way finishes (it is local
 * and short; a terminal's Ctrl-C stops it too), the scratch worktree is removed, nothing is
 * applied, and amux exits; a second signal removes it at once and exits.
 */
async function withScratch<T>(root: string, top: string, commit: string, fn: (dir: string) => Promise<T>): Promise<T> {
  try {
    ensureRuntimeDirs(root);
    mkdirSync(scratchRoot(root), { recursive: true });
  } catch (e) {
    throw new GitError(`cannot make a folder for the scratch worktree under ${scratchRoot(root)}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const dir = join(scratchRoot(root), `merge-${process.pid}-${randomBytes(4).toString("hex")}`);
  const common = await gitCommonDir(top);
  let admin: string | undefined;
  let interrupted: NodeJS.Signals | undefined;
  const exitCode = (sig: NodeJS.Signals) => (sig === "SIGINT" ? 130 : 143);
  const dropSync = () => {
    const registered = admin ?? (common ? registeredAdminDir(dir, common) : undefined);
    rmSync(dir, { recursive: true, force: true });
    if (registered) rmSync(registered, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      dropSync();
      process.exit(exitCode(sig));
    }
    interrupted = sig;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const add = await git(top, [...NO_HOOKS, "worktree", "add", "--detach", "--quiet", "--", dir, commit], { allowFail: true });
    admin = common ? registeredAdminDir(dir, common) : undefined;
    if (add.code !== 0) throw new GitError(`cannot make a scratch worktree to test the merge: ${firstLine(add.stderr)}`);
    if (interrupted) throw new MergeRefused("interrupted; nothing was changed");
    return await fn(dir);
  } finally {
    const r = await git(top, ["worktree", "remove", "--force", "--", dir], { allowFail: true });
    if (r.code !== 0 || existsSync(dir)) dropSync();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    if (interrupted) {
      process.stderr.write("amux: interrupted; the scratch worktree is removed and nothing was changed\n");
      process.exit(exitCode(interrupted));
    }
  }
}

async function conflictedFiles(dir: string): Promise<string[]> {
  const r = await git(dir, ["diff", "--name-only", "--diff-filter=U", "-z"], { allowFail: true });
  return r.stdout.split("\0").filter(Boolean);
}

/** Builds the landed commit in a scratch worktree; refuses with the conflicting files, leaving nothing behind. */
async function buildResult(
  root: string,
  top: string,
  s: { strategy: MergeStrategy; branch: string; into: string; target: string; tip: string; commits: DiffCommit[] },
): Promise<string> {
  const conflict = (files: string[], how: string) =>
    new MergeRefused(
      `${s.branch} does not ${how} cleanly onto ${s.into}: ${plural(files.length, "file")} conflict (${files.join(", ")}); nothing was changed`,
      [`resolve it in the workspace: git merge ${s.into} (or git rebase ${s.into}) there, commit, then merge again`],
      files,
    );
  if (s.strategy === "rebase") {
    return withScratch(root, top, s.tip, async (dir) => {
      const r = await git(dir, [...NO_HOOKS, "-c", "rebase.autoSquash=false", "rebase", "--quiet", "--no-autostash", s.target], { allowFail: true });
      if (r.code !== 0) {
        const files = await conflictedFiles(dir);
        await git(dir, ["rebase", "--abort"], { allowFail: true });
        throw files.length ? conflict(files, "rebase") : new GitError(`git rebase failed: ${firstLine(r.stderr)}`);
      }
      return (await sha(dir, "HEAD")) as string;
    });
  }
  return withScratch(root, top, s.target, async (dir) => {
    const squash = s.strategy === "squash";
    const msg = squash ? squashMessage(s.branch, s.into, s.commits) : `Merge branch '${s.branch}' into ${s.into}`;
    const args = squash ? ["merge", "--squash", "--quiet", s.tip] : ["merge", "--no-ff", "--no-edit", "--quiet", `--message=${msg}`, s.tip];
    const r = await git(dir, [...NO_HOOKS, ...args], { allowFail: true });
    if (r.code !== 0) {
      const files = await conflictedFiles(dir);
      await git(dir, ["merge", "--abort"], { allowFail: true });
      throw files.length ? conflict(files, "merge") : new GitError(`git merge failed: ${firstLine(r.stderr || r.stdout)}`);
    }
    if (squash) {
      if ((await git(dir, ["diff", "--cached", "--quiet"], { allowFail: true })).code === 0) {
        throw new MergeRefused(`nothing to merge: ${s.into} already has every change on ${s.branch}`);
      }
      const c = await git(dir, [...NO_HOOKS, "commit", "--quiet", "--no-verify", `--message=${msg}`], { allowFail: true });
      if (c.code !== 0) throw new GitError(`git commit of the squashed changes failed: ${firstLine(c.stderr || c.stdout)}`);
    }
    return (await sha(dir, "HEAD")) as string;
  });
}

/** "Squash merge amux/x into main" and the squashed commits' subjects, oldest first. Pure. */
export function squashMessage(branch: string, into: string, commits: DiffCommit[]): string {
  const body = commits
    .slice()
    .reverse()
    .map((c) => `* ${c.subject}`)
    .join("\n");
  return `Squash merge ${branch} into ${into}${body ? `\n\n${body}` : ""}\n`;
}

/**
 * Lands a workspace's branch in the main checkout's current branch (or `into`, a branch checked
 * out nowhere, whose ref alone moves). Every refusal happens before anything changes; the
 * result is built in a scratch worktree, and the target then only fast-forwards to it, so a
 * merge either lands whole or not at all. Rebase rebases the workspace's branch, never the
 * user's checkout.
 */
export async function mergeWorkspace(root: string, w: WorkspaceInfo, o: MergeOptions, reporter: Reporter): Promise<MergeResult> {
  assertDiffable(w);
  if (w.kind !== "worktree") throw new UsageError(`workspace ${w.name} is not a git worktree`);
  if (!w.branch) throw new MergeRefused(`workspace ${w.name} is on a detached HEAD, not a branch`, [`give it one: git -C ${w.path} switch -c BRANCH`]);
  const branch = w.branch;
  const top = findGitTop(root) as string;
  await sweepScratch(root, top);
  const main = await mainHead(top);
  let into: string;
  let checkout: boolean;
  if (o.into !== undefined) {
    into = await assertBranchName(top, o.into);
    if (!(await sha(top, `refs/heads/${into}`))) throw new UsageError(`no branch ${into}`);
    checkout = into === main.branch;
    if (!checkout) {
      const wl = parseWorktrees((await git(top, ["worktree", "list", "--porcelain"])).stdout);
      const at = wl.find((x) => x.branch === into);
      if (at) {
        throw new UsageError(`${into} is checked out in ${at.path}, not in the main checkout`, [
          `switch the main checkout to it (git switch ${into}) and merge again, or merge there`,
        ]);
      }
    }
  } else {
    if (!main.branch) throw new UsageError(`the main checkout ${top} is on a detached HEAD`, ["switch it to a branch, or name one with --into BRANCH"]);
    into = main.branch;
    checkout = true;
  }
  if (into === branch) throw new UsageError(`${branch} is the workspace's own branch`);

  const reasons: string[] = [];
  const hints: string[] = [];
  if (w.operation) reasons.push(`a ${w.operation} is in progress in workspace ${w.name}`);
  const mainOp = operationIn(await gitDirOf(top)).op;
  if (mainOp) reasons.push(`a ${mainOp} is in progress in the main checkout`);
  if (checkout) {
    const dirty = await trackedChanges(top);
    if (dirty.length) {
      reasons.push(`the main checkout has uncommitted changes (${dirty.slice(0, 5).join(", ")}${dirty.length > 5 ? ", ..." : ""})`);
      hints.push("commit or stash them first");
    }
  }
  const unsaved = w.uncommitted + w.untracked;
  if (unsaved && o.commitMessage === undefined) {
    reasons.push(
      `workspace ${w.name} has ${[w.uncommitted ? plural(w.uncommitted, "uncommitted change") : "", w.untracked ? plural(w.untracked, "untracked file") : ""].filter(Boolean).join(" and ")}`,
    );
    hints.push(`commit them in ${w.path}, or pass --commit -m MESSAGE to commit them all first`);
  }
  if (reasons.length) throw new MergeRefused(`not merging ${branch} into ${into}: ${reasons.join("; ")}; nothing was changed`, hints);

  let committed: string | null = null;
  let wouldCommit = 0;
  if (unsaved && o.commitMessage !== undefined) {
    if (!o.commitMessage.trim()) throw new UsageError("--commit needs a message: -m MESSAGE");
    if (o.dryRun) wouldCommit = unsaved;
    else {
      // Tracked changes, and the new files that are work: never amux's own copies (a copied .env).
      const adds = [["add", "--update"]];
      const fresh = await untrackedWork(root, w);
      for (let i = 0; i < fresh.length; i += 200) adds.push(["add", "--", ...fresh.slice(i, i + 200).map((p) => `:(literal)${p}`)]);
      for (const args of adds) {
        const add = await git(w.path, args, { allowFail: true });
        if (add.code !== 0) throw new GitError(`git add in workspace ${w.name} failed: ${firstLine(add.stderr)}`);
      }
      const c = await git(w.path, ["commit", "--quiet", `--message=${o.commitMessage}`], { allowFail: true });
      if (c.code !== 0) throw new GitError(`git commit in workspace ${w.name} failed: ${firstLine(c.stderr || c.stdout)}`);
      committed = (await sha(w.path, "HEAD")) ?? null;
      reporter.info(`committed ${plural(unsaved, "change")} in workspace ${w.name} (${committed?.slice(0, 10)})`);
    }
  }

  const tip = await sha(top, `refs/heads/${branch}`);
  const target = await sha(top, `refs/heads/${into}`);
  if (!tip || !target) throw new GitError(`cannot resolve ${tip ? into : branch}`);
  const commits = await commitsBetween(top, target, tip);
  const mb = (await git(top, ["merge-base", target, tip], { allowFail: true })).stdout.trim() || target;
  const files = filesOf(
    "committed",
    (await git(top, ["diff", "--no-renames", "--no-ext-diff", "--name-status", "-z", mb, tip])).stdout,
    (await git(top, ["diff", "--no-renames", "--no-ext-diff", "--numstat", "-z", mb, tip])).stdout,
  );
  const canFF = await isAncestor(top, target, tip);
  const upToDate = await isAncestor(top, tip, target);
  const result: MergeResult = {
    workspace: w.name,
    branch,
    into,
    strategy: o.strategy,
    dryRun: o.dryRun,
    upToDate,
    fastForward: !upToDate && canFF && o.strategy !== "squash",
    committed,
    wouldCommit,
    commits,
    files,
    before: target,
    after: null,
    checkout,
  };
  if (upToDate) return result;
  if (o.strategy === "ff-only" && !canFF) {
    const behind = Number((await git(top, ["rev-list", "--count", `${tip}..${target}`])).stdout.trim());
    throw new MergeRefused(`${branch} cannot fast-forward ${into}: ${into} has ${plural(behind, "commit")} ${branch} lacks; nothing was changed`, [
      "--rebase rebases the workspace's commits onto it, or a plain merge makes a merge commit",
    ]);
  }
  const landed = result.fastForward ? tip : await buildResult(root, top, { strategy: o.strategy, branch, into, target, tip, commits });
  if (o.dryRun) return result;

  if (checkout) {
    // The result descends from the target, so this only moves it forward; git refuses (changing nothing) if the target moved meanwhile.
    const ff = await git(top, ["merge", "--ff-only", "--quiet", landed], { allowFail: true });
    if (ff.code !== 0) throw new MergeRefused(`could not move ${into} forward in the main checkout: ${firstLine(ff.stderr || ff.stdout)}; nothing was changed`);
  } else {
    const u = await git(top, ["update-ref", "-m", `amux merge ${branch}`, `refs/heads/${into}`, landed, target], { allowFail: true });
    if (u.code !== 0) throw new MergeRefused(`could not update ${into}: ${firstLine(u.stderr)}; nothing was changed`);
  }
  result.after = landed;
  if (o.strategy === "rebase" && landed !== tip) {
    // The workspace's branch becomes the landed commits, so its work is on the target and it can go.
    const head = await sha(w.path, "HEAD");
    const r = head === tip ? await git(w.path, ["reset", "--keep", "--quiet", landed], { allowFail: true }) : { code: 1, stderr: "its HEAD moved" };
    if (r.code !== 0) reporter.warn(`landed, but ${branch} still holds the commits from before the rebase: ${firstLine(r.stderr)}`);
    else reporter.info(`${branch} now holds the rebased commits (it was ${tip.slice(0, 10)}; git reflog ${branch} shows it)`);
  }
  return result;
}

/** Lines describing a merge result, for the CLI and MCP. Pure. */
export function describeMerge(r: MergeResult): string[] {
  const lines: string[] = [];
  if (r.wouldCommit)
    lines.push(`would first commit ${plural(r.wouldCommit, "change")} in workspace ${r.workspace} (the test below is of its committed work only)`);
  if (r.upToDate) {
    lines.push(`${r.into} already has everything on ${r.branch}: nothing to merge`);
    return lines;
  }
  const how =
    r.strategy === "squash"
      ? `one squashed commit on ${r.into}`
      : r.fastForward
        ? `fast-forward ${r.into} to ${r.branch}`
        : r.strategy === "rebase"
          ? `rebase ${r.branch} onto ${r.into}, then fast-forward ${r.into}`
          : `a merge commit on ${r.into}`;
  lines.push(
    `${r.dryRun ? "would merge" : "merged"} ${r.branch} into ${r.into} (${r.strategy}): ${how}${r.checkout ? "" : ` (${r.into} is not checked out: only its ref moves)`}`,
  );
  lines.push(`${plural(r.commits.length, "commit")}:`);
  for (const c of r.commits) lines.push(`  ${c.sha.slice(0, 10)} ${c.subject}`);
  lines.push(`${plural(r.files.length, "file")} changed:`);
  for (const f of r.files) lines.push(`  ${f.status.padEnd(10)} ${f.path}${f.binary ? " (binary)" : ` +${f.additions} -${f.deletions}`}`);
  if (r.after) lines.push(`${r.into}: ${r.before.slice(0, 10)} -> ${r.after.slice(0, 10)}`);
  else if (r.dryRun) lines.push("no conflicts; nothing was changed (dry run)");
  return lines;
}
