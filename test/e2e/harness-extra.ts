import { type ChildProcess, spawn } from "node:child_process";
import { AMUX_BIN, test as base, type E2E, waitFor } from "./harness.js";

/**
 * Helpers on top of harness.ts for long-running commands (watch, events, top, mcp): each one is
 * spawned in its own process group and killed by that group after the test, never by name.
 */

/** Whether a process exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** One amux process that keeps running (watch, events, top): its output so far and its exit. */
export class LongRun {
  readonly child: ChildProcess;
  readonly pid: number;
  stdout = "";
  stderr = "";
  /** null while it runs. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Wall-clock time at which each complete stdout line arrived, by line index. */
  readonly lineTimes: number[] = [];

  constructor(
    readonly args: string[],
    cwd: string,
    env: NodeJS.ProcessEnv,
  ) {
    this.child = spawn(process.execPath, [AMUX_BIN, ...args], { cwd, env, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    if (!this.child.pid) throw new Error(`could not start amux ${args.join(" ")}`);
    this.pid = this.child.pid;
    this.child.stdout?.on("data", (d: Buffer) => {
      this.stdout += d.toString("utf8");
      const complete = this.stdout.split("\n").length - 1;
      while (this.lineTimes.length < complete) this.lineTimes.push(Date.now());
    });
    this.child.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString("utf8");
    });
    this.child.stdin?.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.on("close", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  /** Complete stdout lines so far. */
  lines(): string[] {
    const all = this.stdout.split("\n");
    all.pop();
    return all;
  }

  /** Every complete stdout line that is a JSON object. */
  json<T = Record<string, unknown>>(): T[] {
    const out: T[] = [];
    for (const l of this.lines()) {
      if (!l.startsWith("{")) continue;
      try {
        out.push(JSON.parse(l) as T);
      } catch {}
    }
    return out;
  }

  get output(): string {
    return `--- stdout\n${this.stdout}\n--- stderr\n${this.stderr}`;
  }

  /** Polls until `pred` holds of this process (its output so far), failing with what it printed. */
  waitUntil(pred: (p: LongRun) => boolean, timeoutMs: number, what: string): Promise<true> {
    return waitFor(
      () => {
        if (pred(this)) return true as const;
        if (this.exit) throw new Error(`amux ${this.args.join(" ")} exited (${JSON.stringify(this.exit)}) before ${what}\n${this.output}`);
        return undefined;
      },
      timeoutMs,
      () => `${what} from amux ${this.args.join(" ")}\n${this.output}`,
      50,
    );
  }

  /** Sends a signal to this process only (not its group). */
  signal(sig: NodeJS.Signals): void {
    process.kill(this.pid, sig);
  }

  /** Waits for the exit, failing after the deadline. */
  async waitExit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`amux ${this.args.join(" ")} still running after ${timeoutMs} ms\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills its whole process group and waits for it to go. */
  async kill(): Promise<void> {
    if (!this.exit) {
      try {
        process.kill(-this.pid, "SIGKILL");
      } catch {}
    }
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, 5000))]);
  }
}

/** The long-running processes of one test, killed after it (before its tmux server goes). */
export class Procs {
  private readonly runs: LongRun[] = [];
  private readonly pids = new Set<number>();
  constructor(readonly e2e: E2E) {}

  /** Starts `amux ...args` in `cwd` with the test's environment (plus `env`). */
  start(args: string[], cwd: string, env: Record<string, string> = {}): LongRun {
    const r = new LongRun(args, cwd, { ...this.e2e.env, ...env });
    this.runs.push(r);
    return r;
  }

  /** A process started elsewhere (the MCP SDK's transport) that must not outlive the test. */
  adopt(pid: number): void {
    this.pids.add(pid);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.runs.map((r) => r.kill()));
    for (const pid of this.pids) {
      try {
        if (isAlive(pid)) process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
}

/** harness.ts's `test` plus `procs`, torn down before the test's tmux server. */
export const test = base.extend<{ procs: Procs }>({
  procs: async ({ e2e }, use) => {
    const procs = new Procs(e2e);
    try {
      await use(procs);
    } finally {
      await procs.dispose();
    }
  },
});

/** The working directory of a session's pane. */
export async function panePath(e2e: E2E, session: string): Promise<string> {
  const r = await e2e.tmux(["display-message", "-p", "-t", `=${session}:`, "#{pane_current_path}"]);
  if (r.code !== 0) throw new Error(`no pane for ${session}: ${r.output}`);
  return r.stdout.trim();
}

/** One line of `amux events --json` / `amux watch --json`. */
export interface EventLine {
  time: string;
  type: string;
  project?: string;
  session?: string;
  service?: string | null;
  replica?: number | null;
  from?: string | null;
  to?: string;
  action?: string;
  reason?: string;
  error?: string;
  exitCode?: number | null;
}
