import { readdirSync, readFileSync } from "node:fs";

const DIGITS = /^\d+$/;

function childrenIn(file: string, out: number[]): boolean {
  try {
    for (const c of readFileSync(file, "utf8").split(" ")) if (DIGITS.test(c)) out.push(Number(c));
    return true;
  } catch {
    return false;
  }
}

/**
 * The pids a process has started, from /proc (Linux); empty where there is no /proc. A shell
 * has one thread, whose `children` file lists them all: one read. Only a process whose main
 * thread started none (another thread may have) has its other threads listed and read.
 */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  if (!childrenIn(`/proc/${pid}/task/${pid}/children`, out) || out.length) return out;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) if (t !== String(pid)) childrenIn(`/proc/${pid}/task/${t}/children`, out);
  return out;
}

function argvOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").slice(0, -1);
  } catch {
    return [];
  }
}

/**
 * The agent's own process under a pane. The pane runs amux's small wrapper (`/bin/sh -c
 * EXIT_WRAPPER`), whose one child is `$SHELL -c command`; most shells exec a simple command, so
 * that child is the agent; one that did not (a compound command) is stepped over when it has
 * exactly one child. Reads a few /proc files, no process; the pane's pid where /proc is absent.
 */
export function agentPid(
  panePid: number,
  read: { children: (pid: number) => number[]; argv: (pid: number) => string[] } = { children: childrenOf, argv: argvOf },
): number {
  const [shell] = read.children(panePid);
  if (shell === undefined) return panePid;
  if (read.argv(shell)[1] !== "-c") return shell;
  const kids = read.children(shell);
  return kids.length === 1 ? (kids[0] as number) : shell;
}
