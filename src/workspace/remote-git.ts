import { GitError } from "../errors.js";
import { type SshHost, type SshSettings, sshRun } from "../ssh/transport.js";
import { GIT_ENV } from "./git.js";

/**
 * git on a host, through the ssh transport: the same arguments and environment rules as `git()`
 * (git.ts), in `cwd` on that host (`git -C <cwd>`), one round trip. Every word reaches git as
 * written (quoted for the remote shell). Throws GitError on failure unless allowFail, and
 * HostUnreachableError when the host cannot be reached.
 */
export async function gitOnHost(
  host: SshHost,
  cwd: string,
  args: string[],
  opts: { allowFail?: boolean; settings?: SshSettings } = {},
): Promise<{ stdout: string; stderr: string; code: number }> {
  if (!cwd.startsWith("/")) throw new GitError(`git on host ${host.id}: not an absolute path: ${JSON.stringify(cwd)}`);
  const unset = Object.entries(GIT_ENV).flatMap(([k, v]) => (v === undefined ? ["-u", k] : []));
  const set = Object.entries(GIT_ENV).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${v}`]));
  const r = await sshRun(host, ["env", ...unset, ...set, "git", "-C", cwd, ...args], opts.settings ?? {});
  const out = { stdout: r.stdout.trimEnd(), stderr: r.stderr.trim(), code: r.code };
  if (out.code !== 0 && !opts.allowFail) {
    throw new GitError(`git ${args.slice(0, 2).join(" ")} failed in ${cwd} on host ${host.id}: ${out.stderr || `exit ${out.code}`}`);
  }
  return out;
}
