import { GitError, UsageError } from "../errors.js";
import type { Reporter } from "../io.js";
import { assertBranchName, configuredRemotes } from "./branch-name.js";
import { assertDiffable } from "./diff.js";
import { git } from "./git.js";
import type { WorkspaceInfo } from "./manage.js";
import { findGitTop } from "./paths.js";

export interface PushOptions {
  remote?: string | undefined;
  /** Replace the remote branch only if it is where this repository last saw it. */
  forceWithLease?: boolean | undefined;
}

export interface PushResult {
  workspace: string;
  branch: string;
  remote: string;
  /** The upstream now set: <remote>/<branch>. */
  upstream: string;
  forced: boolean;
  sha: string;
}

const firstLine = (s: string) => s.split("\n")[0]?.trim() ?? "";

/** The remote to push to: the one asked for, else the branch's upstream remote, else origin, else the only one. Pure. */
export function pickRemote(remotes: string[], asked: string | undefined, upstream: string | undefined): { remote: string } | { error: string } {
  if (asked !== undefined) {
    if (remotes.includes(asked)) return { remote: asked };
    return { error: `no remote ${JSON.stringify(asked)}${remotes.length ? ` (remotes: ${remotes.join(", ")})` : " (this repository has none)"}` };
  }
  if (upstream && remotes.includes(upstream)) return { remote: upstream };
  if (remotes.includes("origin")) return { remote: "origin" };
  if (remotes.length === 1) return { remote: remotes[0] as string };
  if (!remotes.length) return { error: "this repository has no remote to push to: git remote add origin URL" };
  return { error: `several remotes and none is origin (${remotes.join(", ")}): pick one with --remote NAME` };
}

/** Pushes a workspace's branch and sets its upstream; never forces, except with a lease. */
export async function pushWorkspace(root: string, w: WorkspaceInfo, o: PushOptions, reporter: Reporter): Promise<PushResult> {
  assertDiffable(w);
  if (!w.branch) throw new UsageError(`workspace ${w.name} is on a detached HEAD: nothing to push (git switch -c BRANCH in it first)`);
  const top = findGitTop(root) as string;
  const branch = await assertBranchName(top, w.branch);
  const remotes = await configuredRemotes(top);
  const up = await git(top, ["config", "--get", `branch.${branch}.remote`], { allowFail: true });
  const picked = pickRemote(remotes, o.remote, up.code === 0 ? up.stdout.trim() : undefined);
  if ("error" in picked) throw new UsageError(picked.error);
  const remote = picked.remote;
  if (w.uncommitted + w.untracked) {
    reporter.warn(`workspace ${w.name} has uncommitted work: only its commits are pushed`);
  }
  const ref = `refs/heads/${branch}`;
  const shaR = await git(top, ["rev-parse", "--verify", "--end-of-options", ref]);
  const args = ["push", "--set-upstream", ...(o.forceWithLease ? [`--force-with-lease=${ref}`] : []), "--", remote, `${ref}:${ref}`];
  const r = await git(top, args, { allowFail: true });
  if (r.code !== 0) {
    const rejected = /\[rejected\]|non-fast-forward|fetch first|stale info/.test(r.stderr);
    throw new GitError(
      rejected
        ? `${remote} rejected ${branch}: the remote branch has commits this one lacks${o.forceWithLease ? " (or moved since you last fetched)" : ""}`
        : `git push to ${remote} failed: ${firstLine(r.stderr)}`,
      rejected && !o.forceWithLease
        ? [`git fetch ${remote} and merge or rebase them in, or amux push ${w.name} --force-with-lease to replace them`]
        : r.stderr
            .split("\n")
            .slice(1, 4)
            .map((l) => l.trim())
            .filter(Boolean),
    );
  }
  return { workspace: w.name, branch, remote, upstream: `${remote}/${branch}`, forced: !!o.forceWithLease, sha: shaR.stdout.trim() };
}
