import { GitError } from "../errors.js";

/** The only code that runs git. execa is loaded on first use, off the hot paths. */
export async function git(cwd: string, args: string[], opts: { allowFail?: boolean } = {}): Promise<{ stdout: string; stderr: string; code: number }> {
  const { execa } = await import("execa");
  const r = await execa("git", args, { cwd, reject: false, stdin: "ignore", env: { GIT_TERMINAL_PROMPT: "0" } });
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
