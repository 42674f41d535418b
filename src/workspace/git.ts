import { GitError } from "../errors.js";

/**
 * git finds the repository from `cwd` alone: variables that would point it elsewhere (set when amux
 * runs from a git hook, say) are cleared, so a check of one worktree never reads another.
 */
const GIT_ENV: Record<string, string | undefined> = {
  GIT_TERMINAL_PROMPT: "0",
  GIT_DIR: undefined,
  GIT_WORK_TREE: undefined,
  GIT_INDEX_FILE: undefined,
  GIT_COMMON_DIR: undefined,
  GIT_OBJECT_DIRECTORY: undefined,
  GIT_ALTERNATE_OBJECT_DIRECTORIES: undefined,
  GIT_NAMESPACE: undefined,
  GIT_CEILING_DIRECTORIES: undefined,
  GIT_DISCOVERY_ACROSS_FILESYSTEM: undefined,
};

/** The only code that runs git. execa is loaded on first use, off the hot paths. */
export async function git(cwd: string, args: string[], opts: { allowFail?: boolean } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const { execa } = await import("execa");
  const r = await execa("git", args, { cwd, reject: false, stdin: "ignore", env: GIT_ENV });
  const out = { stdout: String(r.stdout ?? "").trimEnd(), stderr: String(r.stderr ?? "").trim(), code: r.exitCode ?? 1 };
  if (out.code !== 0 && !opts.allowFail) {
    throw new GitError(`git ${args.slice(0, 2).join(" ")} failed in ${cwd}: ${out.stderr || r.message}`);
  }
  return out;
}

/** Runs the user's setup command line (their own shell line, like an agent's command), streaming its output. */
export async function runSetup(cwd: string, command: string, onLine: (line: string) => void): Promise<number> {
  const { execa } = await import("execa");
  const child = execa("/bin/sh", ["-c", command], { cwd, reject: false, stdin: "ignore", all: true, buffer: false });
  let rest = "";
  child.all?.on("data", (d: Buffer) => {
    const text = rest + d.toString();
    const lines = text.split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) onLine(l);
  });
  const r = await child;
  if (rest) onLine(rest);
  return r.exitCode ?? 1;
}
