import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { literalArgv } from "./args.js";
import { newNonce } from "./capture.js";
import { clientEnv, socketName, type TmuxResult, tmuxRaw } from "./client.js";
import { commandLine } from "./quote.js";
import type { TmuxRunner } from "./runner.js";

/** How long one batch may take over the control client before it is given up (and run as a process). */
const BATCH_TIMEOUT_MS = 10_000;

interface Pending {
  done: string;
  stdout: string[];
  stderr: string[];
  resolve: (r: TmuxResult) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A tmux control-mode client (`tmux -C`) kept open by a long-running watcher, so that its status
 * tick is one round trip on an open connection rather than a tmux process started each second
 * (a process start is most of a tick's time at 100 agents). It runs `source-file -` batches only,
 * line by line, with the same semantics (each line one group: a failure skips the rest of its
 * line); anything else, and any batch it cannot carry, goes to a tmux process as before.
 *
 * A control client must be attached to a session: it attaches to one the caller names, without
 * output (`no-output`) and without a say in window sizes (`ignore-size`), and never to one that
 * tmux would destroy when it detaches (`destroy-unattached`). When that session goes, the client
 * ends, and the next batch attaches again (to a session that exists then).
 *
 * Replies: each command's output is framed by `%begin T N F` and `%end T N F` (`%error` when it
 * failed) with the same three numbers; notifications between blocks are ignored. A batch ends
 * with a display-message of a fresh nonce: its block, and only it, says the batch is complete,
 * so no text a pane printed (captures are inside blocks) can end a batch early or be read as
 * another batch's reply.
 */
export class ControlClient implements TmuxRunner {
  readonly host = null;
  private child: ChildProcessWithoutNullStreams | undefined;
  private partial = "";
  private block: { end: string; error: string; lines: string[] } | undefined;
  private pending: Pending | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** `session`: the session to attach to (by name), undefined when there is none. */
  constructor(private readonly session: () => string | undefined) {}

  raw(args: readonly string[], input?: string): Promise<TmuxResult> {
    if (this.closed || args.length !== 2 || args[0] !== "source-file" || args[1] !== "-" || input === undefined) return tmuxRaw(args, input);
    const run = this.chain.then(() => this.batch(args, input));
    this.chain = run.catch(() => {});
    return run;
  }

  /** Ends the client for good (the watcher stops): later batches run as processes. */
  close(): void {
    this.closed = true;
    this.reset();
  }

  /** Ends this connection; the next batch makes a new one. */
  private reset(): void {
    const c = this.child;
    this.child = undefined;
    this.fail(new Error("tmux control client closed"));
    if (c) {
      c.stdin.end();
      c.kill();
    }
  }

  private async batch(args: readonly string[], input: string): Promise<TmuxResult> {
    try {
      return await this.send(input);
    } catch {
      // The client could not carry it (no session to attach to, the session or server gone):
      // a process runs it, as without the client. Batches here only read and set options, so
      // running one again is harmless.
      this.reset();
      return tmuxRaw(args, input);
    }
  }

  private async connect(): Promise<ChildProcessWithoutNullStreams | undefined> {
    if (this.child || this.closed) return this.child;
    const name = this.session();
    if (name === undefined) return undefined;
    // A session with destroy-unattached set would be destroyed when this client detaches from it:
    // such a session is never attached to. (tmux 3.3a destroys an unattached one at once when the
    // option is set, so none can be there; a later tmux's keep-last/keep-group can leave one.)
    const r = await tmuxRaw(["display-message", "-p", "-t", `=${name}:`, "#{destroy-unattached}"]);
    // A flag reads 0 or 1 in a format (tmux 3.3a); a later tmux's choice reads off/on/keep-last…
    if (r.code !== 0 || !["0", "off"].includes(r.stdout.trim()) || this.child || this.closed) return this.child;
    const child = spawn("tmux", ["-u", "-L", socketName(), "-C", ...literalArgv(["attach-session", "-f", "no-output,ignore-size", "-t", `=${name}`])], {
      env: clientEnv(),
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child = child;
    this.partial = "";
    this.block = undefined;
    // It never keeps the watcher alive by itself.
    child.unref();
    for (const s of [child.stdin, child.stdout, child.stderr] as unknown as { unref?: () => void }[]) s.unref?.();
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => this.onData(child, d));
    child.stderr.on("data", () => {});
    child.stdin.on("error", () => {});
    // Only the current client's end fails the batch in flight: one already replaced says nothing.
    const gone = () => {
      if (this.child !== child) return;
      this.child = undefined;
      this.fail(new Error("tmux control client ended"));
    };
    child.on("error", gone);
    child.on("close", gone);
    return child;
  }

  private async send(input: string): Promise<TmuxResult> {
    const child = await this.connect();
    if (!child) throw new Error("no session to attach to");
    const done = `${newNonce()} amux-done`;
    return new Promise<TmuxResult>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new Error("tmux control client did not answer")), BATCH_TIMEOUT_MS);
      this.pending = { done, stdout: [], stderr: [], resolve, reject, timer };
      // One command list per line, as source-file reads them; the marker last.
      const lines = input.endsWith("\n") ? input : `${input}\n`;
      child.stdin.write(`${lines}${commandLine(["display-message", "-p", done])}\n`);
    });
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    clearTimeout(p.timer);
    p.reject(e);
  }

  private onData(child: ChildProcessWithoutNullStreams, data: string): void {
    if (child !== this.child) return;
    const text = this.partial + data;
    const lines = text.split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.onLine(line);
  }

  private onLine(line: string): void {
    const b = this.block;
    if (b) {
      if (line === b.end || line === b.error) {
        this.block = undefined;
        this.onBlock(b.lines, line === b.error);
      } else b.lines.push(line);
      return;
    }
    const m = /^%begin (\d+ \d+ \d+)$/.exec(line);
    if (m) this.block = { end: `%end ${m[1]}`, error: `%error ${m[1]}`, lines: [] };
    // Anything else between blocks is a notification (%exit included: the close event follows).
  }

  private onBlock(lines: string[], failed: boolean): void {
    const p = this.pending;
    if (!p) return;
    if (!failed && lines.length === 1 && lines[0] === p.done) {
      this.pending = undefined;
      clearTimeout(p.timer);
      p.resolve({
        stdout: p.stdout.length ? `${p.stdout.join("\n")}\n` : "",
        stderr: p.stderr.length ? `${p.stderr.join("\n")}\n` : "",
        code: p.stderr.length ? 1 : 0,
      });
      return;
    }
    (failed ? p.stderr : p.stdout).push(...lines);
  }
}
