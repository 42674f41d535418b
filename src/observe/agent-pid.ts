import { readdirSync, readFileSync } from "node:fs";

/** The pids a process has started, from /proc (Linux); empty where there is no /proc. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const t of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${t}/children`, "utf8").split(" ")) if (/^\d+$/.test(c)) out.push(Number(c));
    } catch {}
  }
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
