import { UsageError } from "../errors.js";
import { git } from "./git.js";

/**
 * A branch or remote name a user gave, checked before it reaches git: never option-like, and a
 * valid ref name by git's own rules (check-ref-format, which does not read the repository).
 */
export async function assertBranchName(cwd: string, name: string, what = "branch"): Promise<string> {
  if (!name || name.startsWith("-") || /[\0\n\r]/.test(name)) throw new UsageError(`invalid ${what} name ${JSON.stringify(name)}`);
  const r = await git(cwd, ["check-ref-format", "--branch", name], { allowFail: true });
  if (r.code !== 0 || r.stdout.trim() !== name) throw new UsageError(`invalid ${what} name ${JSON.stringify(name)}`);
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
