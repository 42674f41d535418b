import { UsageError } from "../errors.js";
import { assertBranch } from "../names.js";
import { git } from "./git.js";

/**
 * A branch or remote name a user gave, checked before it reaches git: never option-like, and a
 * valid ref name by git's own rules (check-ref-format, which does not read the repository).
 */
export async function assertBranchName(cwd: string, name: string): Promise<string> {
  assertBranch(name);
  // git's own rules too; `@{-1}` and the like expand, so only a name that comes back unchanged is one.
  const r = await git(cwd, ["check-ref-format", "--branch", name], { allowFail: true });
  if (r.code !== 0 || r.stdout.trim() !== name) throw new UsageError(`invalid branch ${JSON.stringify(name)}: git does not accept it as a branch name`);
  return name;
}

/** A remote name: one of the repository's configured remotes, so nothing else ever reaches git as one. */
export async function configuredRemotes(cwd: string): Promise<string[]> {
  const r = await git(cwd, ["remote"], { allowFail: true });
  return r.code === 0
    ? r.stdout
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
