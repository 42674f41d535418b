import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { test as base } from "vitest";

/**
 * End-to-end harness: drives the BUILT CLI as a child process against a real tmux server on a
 * private socket per test, in scratch git repositories under a temp HOME, and tears all of it
 * down after each test (that test's server only, waited on until its pid is gone).
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const AMUX_BIN = join(REPO_ROOT, "dist", "amux.js");
export const FIXTURE_AGENTS = join(REPO_ROOT, "fixtures", "agents");

if (!existsSync(AMUX_BIN)) {
  throw new Error(`${AMUX_BIN} is missing: the e2e tests run the built CLI. Build it first with \`node scripts/build.mjs\` (\`npm test\` does).`);
}

/** Absolute path of a fake agent in fixtures/agents. */
export function fixture(name: string): string {
  return join(FIXTURE_AGENTS, name);
}

/**
 * Timeout for tests that start several sessions: on two loaded cores a test that takes 10 s alone
 * can take 40 s while the other file runs beside it.
 */
export const SLOW = 90_000;

/** The contract's status values. */
export const STATUSES = ["running", "waiting", "idle", "stuck", "exited", "failed", "stopped", "unreachable"] as const;
export type Status = (typeof STATUSES)[number];

/** One element of `amux ps --json`: the contract's fields (more may be present). */
export interface PsRow {
  name: string;
  project: string;
  service: string | null;
  replica: number | null;
  agent: string;
  workspace: string | null;
  status: Status;
  exitCode: number | null;
  pid: number | null;
  restarts: number;
  createdAt: string;
  [extra: string]: unknown;
}

/** One element of `amux plan --json`'s `actions`. */
export interface PlanAction {
  action: "create" | "recreate" | "remove" | "restart";
  session: string;
  service: string;
  replica: number;
  reason: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout then stderr, for assertions that do not care which stream a message used. */
  output: string;
  timedOut: boolean;
  ms: number;
}

export interface RunOptions {
  cwd?: string;
  /** Variables added over the test's environment (undefined removes one). */
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** Polls `fn` until it returns a truthy value, or fails after `timeoutMs` saying what it last saw. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  timeoutMs: number,
  what: string | ((last: unknown) => string) = "condition",
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) {
      const text = typeof what === "function" ? what(last) : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${text}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`);
    }
    await sleep(intervalMs);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Whether a process still runs. A zombie counts as gone: it has exited and released its socket
 * and panes, and only waits for init to reap it (here that takes up to a second per server).
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Every file under a directory, recursively (regular files only). */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** A YAML double-quoted scalar (JSON strings are valid YAML). */
export const q = (s: string): string => JSON.stringify(s);

/**
 * The agents every scratch repo starts with: one per fake agent, id = fixture name, with the
 * small status thresholds the tests rely on. prints-env takes SECRET_TOKEN from ${SOME_VAR},
 * which each test's environment sets to its own secret value.
 */
export function fixtureAgentsYaml(): string {
  return `agents:
  prints-forever:
    name: Prints forever
    type: tmux
    params: { command: ${q(fixture("prints-forever"))} }
    status: { idleAfter: 2s }
  waits-at-prompt:
    name: Waits at prompt
    type: tmux
    params: { command: ${q(fixture("waits-at-prompt"))} }
    status: { idleAfter: 1s, promptPatterns: ["^> ?$"] }
  asks-permission:
    name: Asks permission
    type: tmux
    params: { command: ${q(fixture("asks-permission"))} }
  hangs-silently:
    name: Hangs silently
    type: tmux
    params: { command: ${q(fixture("hangs-silently"))} }
    status: { idleAfter: 1s, stuckAfter: 3s }
  exits-3:
    name: Exits 3
    type: tmux
    params: { command: ${q(fixture("exits-3"))} }
  prints-env:
    name: Prints env
    type: tmux
    environment:
      MODEL: opus
      SECRET_TOKEN: "\${SOME_VAR}"
    params: { command: ${q(fixture("prints-env"))} }
  busy-marker:
    name: Busy marker
    type: tmux
    params: { command: ${q(fixture("busy-marker"))} }
    status: { idleAfter: 1s, stuckAfter: 5s, busyPatterns: ["esc to interrupt"] }
`;
}

let counter = 0;

/** A scratch git repository; `amux` runs with it as the working directory. */
export class Repo {
  constructor(
    readonly e2e: E2E,
    readonly dir: string,
  ) {}

  amux(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.e2e.amux(args, { cwd: this.dir, ...opts });
  }

  /** Runs amux and fails the test with everything it printed unless it exits 0. */
  async amuxOk(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const r = await this.amux(args, opts);
    if (r.code !== 0) throw new Error(`amux ${args.join(" ")} exited ${r.code}${r.timedOut ? " (timed out)" : ""}\n${r.output}`);
    return r;
  }

  /** `amux ps --json [args]`, parsed; the output must be one JSON array. */
  async ps(args: string[] = []): Promise<PsRow[]> {
    const r = await this.amuxOk(["ps", "--json", ...args]);
    const rows = JSON.parse(r.stdout) as unknown;
    if (!Array.isArray(rows)) throw new Error(`ps --json printed ${r.stdout.slice(0, 200)}, not a JSON array`);
    return rows as PsRow[];
  }

  async psRow(name: string, args: string[] = []): Promise<PsRow | undefined> {
    return (await this.ps(args)).find((r) => r.name === name);
  }

  /** Polls `ps --json` until the session has the status, returning its row. */
  waitForStatus(name: string, status: Status, timeoutMs = 15_000, intervalMs = 400): Promise<PsRow> {
    let seen: string[] = [];
    return waitFor(
      async () => {
        const row = await this.psRow(name);
        const st = row ? row.status : "absent";
        if (seen[seen.length - 1] !== st) seen = [...seen, st];
        return row?.status === status ? row : undefined;
      },
      timeoutMs,
      () => `${name} to be ${status} (statuses seen: ${seen.join(" -> ")})`,
      intervalMs,
    );
  }

  /** `amux plan --json` actions. */
  async plan(args: string[] = []): Promise<PlanAction[]> {
    const r = await this.amuxOk(["plan", "--json", ...args]);
    const j = JSON.parse(r.stdout) as { actions: PlanAction[] };
    return j.actions;
  }

  /** The session's log as `amux logs` prints it. */
  async logs(target: string, args: string[] = []): Promise<string> {
    return (await this.amuxOk(["logs", target, ...args])).stdout;
  }

  /** Polls `amux logs` until it contains the text. */
  async waitForLog(target: string, text: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    // A tmux call costs milliseconds and amux a Node start-up: wait on the pane first, while it
    // lives, and only then ask `amux logs`, which is what the assertion is about.
    await waitFor(
      async () => {
        const t = `=${target}:`;
        const screen = await this.e2e.tmux(["capture-pane", "-p", "-J", "-S", "-", "-t", t]);
        if (screen.code !== 0 || screen.stdout.includes(text)) return true;
        return (await this.e2e.tmux(["display-message", "-p", "-t", t, "#{pane_dead}"])).stdout.trim() === "1";
      },
      timeoutMs,
      "",
      200,
    ).catch(() => {});
    let last = "";
    return waitFor(
      async () => {
        last = await this.logs(target);
        return last.includes(text) ? last : undefined;
      },
      Math.max(2000, deadline - Date.now()),
      () => `${JSON.stringify(text)} in the logs of ${target}; they were:\n${last}`,
      400,
    );
  }

  write(rel: string, text: string): void {
    const p = join(this.dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, text);
  }

  read(rel: string): string {
    return readFileSync(join(this.dir, rel), "utf8");
  }

  rm(rel: string): void {
    rmSync(join(this.dir, rel), { force: true, recursive: true });
  }

  git(args: string[]): Promise<RunResult> {
    return this.e2e.run("git", ["-C", this.dir, ...args]);
  }

  /** `git status --porcelain --untracked-files=all`: empty when amux left nothing to commit. */
  async gitStatus(): Promise<string> {
    const r = await this.git(["status", "--porcelain", "--untracked-files=all"]);
    if (r.code !== 0) throw new Error(`git status failed: ${r.output}`);
    return r.stdout;
  }
}

/** One test's world: its tmux socket, temp HOME, git identity and scratch repos. */
export class E2E {
  readonly socket: string;
  readonly tmp: string;
  readonly home: string;
  /** A secret unique to this test, exported as SOME_VAR (prints-env's SECRET_TOKEN). */
  readonly secret: string;
  readonly env: NodeJS.ProcessEnv;
  private readonly children = new Set<ChildProcess>();

  constructor() {
    counter += 1;
    const rand = randomBytes(4).toString("hex");
    this.socket = `amux-e2e-${process.pid}-${counter}-${rand}`;
    this.tmp = realpathSync(mkdtempSync(join(tmpdir(), "amux-e2e-")));
    this.home = join(this.tmp, "home");
    mkdirSync(this.home);
    this.secret = `s3cr3t-${randomBytes(6).toString("hex")}`;
    const gitconfig = join(this.tmp, "gitconfig");
    writeFileSync(
      gitconfig,
      "[user]\n\tname = amux e2e\n\temail = e2e@example.test\n[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[core]\n\thooksPath = /dev/null\n",
    );
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      // Nothing of the caller's tmux, git, editor or amux settings may leak into the test.
      if (/^(AMUX_|TMUX$|TMUX_PANE$|GIT_|XDG_|EDITOR$|VISUAL$|SOME_VAR$|NO_COLOR$|FORCE_COLOR$)/.test(k)) continue;
      env[k] = v;
    }
    Object.assign(env, {
      HOME: this.home,
      SHELL: "/bin/sh",
      NO_COLOR: "1",
      AMUX_TMUX_SOCKET: this.socket,
      GIT_CONFIG_GLOBAL: gitconfig,
      GIT_CONFIG_NOSYSTEM: "1",
      SOME_VAR: this.secret,
      LANG: process.env.LANG || "C.UTF-8",
    });
    this.env = env;
  }

  /** Path of this test's tmux socket file. */
  get socketPath(): string {
    return join(process.env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid?.() ?? 0}`, this.socket);
  }

  /** Runs a program with an argument array (never a shell), capturing both streams and the exit code. */
  run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
    const env = { ...this.env };
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const started = Date.now();
    return new Promise((resolvePromise, reject) => {
      const child = spawn(cmd, args, { cwd: opts.cwd ?? this.tmp, env, stdio: ["pipe", "pipe", "pipe"] });
      this.children.add(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill("SIGKILL");
      }, opts.timeoutMs ?? 45_000);
      child.stdout?.on("data", (d: Buffer) => out.push(d));
      child.stderr?.on("data", (d: Buffer) => err.push(d));
      child.on("error", (e) => {
        clearTimeout(timer);
        this.children.delete(child);
        reject(e);
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        this.children.delete(child);
        const stdout = Buffer.concat(out).toString("utf8");
        const stderr = Buffer.concat(err).toString("utf8");
        resolvePromise({ code, stdout, stderr, output: `${stdout}${stderr}`, timedOut, ms: Date.now() - started });
      });
      child.stdin?.on("error", () => {});
      child.stdin?.end(opts.input ?? "");
    });
  }

  /** The built CLI: `node dist/amux.js ...args`. */
  amux(args: string[], opts: RunOptions = {}): Promise<RunResult> {
    return this.run(process.execPath, [AMUX_BIN, ...args], opts);
  }

  /** tmux on this test's socket only. */
  tmux(args: string[]): Promise<RunResult> {
    return this.run("tmux", ["-L", this.socket, ...args]);
  }

  /** Names of the sessions alive on this test's server, sorted (none when no server runs). */
  async liveSessions(): Promise<string[]> {
    const r = await this.tmux(["list-sessions", "-F", "#{session_name}"]);
    if (r.code !== 0) return [];
    return r.stdout.split("\n").filter(Boolean).sort();
  }

  /** The pid of the process in the session's pane. */
  async panePid(session: string): Promise<number | undefined> {
    const r = await this.tmux(["display-message", "-p", "-t", `=${session}:`, "#{pane_pid}"]);
    const n = Number(r.stdout.trim());
    return r.code === 0 && n > 0 ? n : undefined;
  }

  /** A session's user option (`@amux-hash` etc.), undefined when unset. */
  async option(session: string, name: string): Promise<string | undefined> {
    const r = await this.tmux(["show-options", "-t", `=${session}:`, "-v", name]);
    const v = r.stdout.replace(/\n$/, "");
    return r.code === 0 && v !== "" ? v : undefined;
  }

  /**
   * A scratch git repo with one commit holding README.md, `files` and (unless `fixtureAgents` is
   * false) an .amux/config.yaml defining every fake agent by absolute path.
   */
  async newRepo(name: string, files: Record<string, string> = {}, opts: { fixtureAgents?: boolean } = {}): Promise<Repo> {
    const dir = join(this.tmp, name);
    mkdirSync(dir, { recursive: true });
    const repo = new Repo(this, dir);
    repo.write("README.md", "# demo\n");
    if (opts.fixtureAgents !== false) repo.write(".amux/config.yaml", fixtureAgentsYaml());
    for (const [rel, text] of Object.entries(files)) repo.write(rel, text);
    for (const args of [
      ["init", "-q"],
      ["add", "-A"],
      ["commit", "-qm", "init"],
    ]) {
      const r = await repo.git(args);
      if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.output}`);
    }
    return repo;
  }

  /** Kills this test's tmux server (waiting until its pid is gone), its socket file and temp dirs. */
  async dispose(): Promise<void> {
    for (const child of this.children) child.kill("SIGKILL");
    try {
      const r = await this.tmux(["display-message", "-p", "#{pid}"]);
      const pid = r.code === 0 ? Number(r.stdout.trim()) : 0;
      await this.tmux(["kill-server"]);
      if (pid > 0) await waitFor(() => !alive(pid), 10_000, `tmux server ${pid} of ${this.socket} to exit`, 50);
    } finally {
      rmSync(this.socketPath, { force: true });
      rmSync(this.tmp, { recursive: true, force: true });
    }
  }
}

/** Asserts a timestamp is ISO 8601 as JSON.stringify(Date) writes it (with a zone). */
export function isIsoDate(s: unknown): boolean {
  return typeof s === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s));
}

/** vitest's `test` with an `e2e` fixture: a fresh world per test, torn down after it. */
export const test = base.extend<{ e2e: E2E }>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern
  e2e: async ({}, use) => {
    const e2e = new E2E();
    try {
      await use(e2e);
    } finally {
      await e2e.dispose();
    }
  },
});
