import { GitError } from "../errors.js";

/**
 * git finds the repository from `cwd` alone: variables that would point it elsewhere (set when amux
 * runs from a git hook, say) are cleared, so a check of one worktree never reads another.
 */
export const GIT_ENV: Record<string, string | undefined> = {
  GIT_TERMINAL_PROMPT: "0",
  // Reading state (status, diff) never rewrites an index behind the user's back.
  GIT_OPTIONAL_LOCKS: "0",
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

/**
 * Shows text through the user's pager the way git would (`git var GIT_PAGER`: GIT_PAGER,
 * core.pager, PAGER, else less with LESS=FRX), or writes it straight out when stdout is not a
 * terminal or the pager is `cat`. The pager is the user's own shell line.
 */
export async function pageText(cwd: string, text: string): Promise<void> {
  const pager = process.stdout.isTTY ? (await git(cwd, ["var", "GIT_PAGER"], { allowFail: true })).stdout.trim() : "";
  if (!pager || pager === "cat") {
    process.stdout.write(text);
    return;
  }
  const { spawn } = await import("node:child_process");
  await new Promise<void>((resolve) => {
    const env = { ...process.env, LESS: process.env.LESS ?? "FRX", LV: process.env.LV ?? "-c" };
    const child = spawn("/bin/sh", ["-c", pager], { cwd, env, stdio: ["pipe", "inherit", "inherit"] });
    child.on("error", () => {
      process.stdout.write(text);
      resolve();
    });
    child.on("close", () => resolve());
    child.stdin.on("error", () => {});
    child.stdin.end(text);
  });
}
