import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LOG_WRITER, logWriterCommand } from "../../../src/tmux/log-writer.js";

// The writer tmux's pipe-pane runs, run here for real with /bin/sh on a byte stream.

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), "amux-logw-"));
  dirs.push(d);
  return d;
}

/**
 * The writer as pipe-pane gets it: carried inline, or sourced from the script file beside the
 * logs (what `up` names). Every test runs both.
 */
let form: "inline" | "file" = "inline";

function writerCommand(file: string, maxBytes: number, keep: number): string {
  let script: string | undefined;
  if (form === "file") {
    script = join(scratch(), "it's the $writer #1.sh");
    writeFileSync(script, LOG_WRITER, { mode: 0o600 });
  }
  return logWriterCommand(file, { maxBytes, keep }, script).replace(/##/g, "#");
}

/** Runs the command pipe-pane would run (tmux turns ## back into #), feeding it `chunks`. */
function runWriter(file: string, maxBytes: number, keep: number, chunks: Buffer[], env: NodeJS.ProcessEnv = process.env): Promise<number | null> {
  const cmd = writerCommand(file, maxBytes, keep);
  const child = spawn("/bin/sh", ["-c", cmd], { stdio: ["pipe", "ignore", "pipe"], env });
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise((resolve, reject) => {
    child.on("close", (code) => (err ? reject(new Error(err)) : resolve(code)));
    (async () => {
      for (const c of chunks) {
        if (!child.stdin.write(c)) await new Promise((r) => child.stdin.once("drain", r));
      }
      child.stdin.end();
    })().catch(reject);
  });
}

/** Numbered lines, `n` of them, as one stream. */
function lines(n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, (_, i) => `line ${i + 1}\n`).join(""));
}

describe.each(["inline", "file"] as const)("the capped log writer (%s)", (f0) => {
  beforeEach(() => {
    form = f0;
  });

  it("writes everything when under the cap", async () => {
    const f = join(scratch(), "a.log");
    const data = lines(100);
    expect(await runWriter(f, 64 * 1024, 2, [data])).toBe(0);
    expect(readFileSync(f)).toEqual(data);
    expect(existsSync(`${f}.1`)).toBe(false);
  });

  it("rotates at the cap, keeps `keep` files, and loses nothing of what it keeps", async () => {
    const f = join(scratch(), "b.log");
    const data = lines(20_000); // ~208 KB through a 16 KB cap
    const chunks = Array.from({ length: Math.ceil(data.length / 4096) }, (_, i) => data.subarray(i * 4096, (i + 1) * 4096));
    expect(await runWriter(f, 16 * 1024, 3, chunks)).toBe(0);
    for (const g of [`${f}.1`, `${f}.2`, `${f}.3`]) expect(statSync(g).size).toBe(16 * 1024);
    expect(existsSync(`${f}.4`)).toBe(false);
    expect(statSync(f).size).toBeLessThanOrEqual(16 * 1024);
    // Oldest to newest, the kept files are exactly the tail of the stream.
    const kept = Buffer.concat([`${f}.3`, `${f}.2`, `${f}.1`, f].map((g) => readFileSync(g)));
    expect(kept).toEqual(data.subarray(data.length - kept.length));
  });

  it("with keep 0 truncates instead of rotating", async () => {
    const f = join(scratch(), "c.log");
    const data = lines(5_000);
    expect(await runWriter(f, 4096, 0, [data])).toBe(0);
    expect(existsSync(`${f}.1`)).toBe(false);
    expect(statSync(f).size).toBeLessThanOrEqual(4096);
    expect(data.subarray(data.length - statSync(f).size)).toEqual(readFileSync(f));
  });

  it("appends to a log that is already there, counting it toward the cap", async () => {
    const f = join(scratch(), "d.log");
    await runWriter(f, 4096, 1, [Buffer.alloc(3000, 0x61)]);
    await runWriter(f, 4096, 1, [Buffer.alloc(2000, 0x62)]);
    expect(statSync(`${f}.1`).size).toBe(4096);
    expect(readFileSync(f).toString()).toBe("b".repeat(904));
  });

  it("writes each chunk as it arrives: the log never lags its pane while the pipe stays open", async () => {
    const f = join(scratch(), "e.log");
    const cmd = writerCommand(f, 1 << 20, 1);
    const child = spawn("/bin/sh", ["-c", cmd], { stdio: ["pipe", "ignore", "ignore"] });
    try {
      child.stdin.write("first line\n");
      const deadline = Date.now() + 3000;
      while (!(existsSync(f) && readFileSync(f, "utf8") === "first line\n")) {
        if (Date.now() > deadline) throw new Error(`the first line did not reach ${f} while the pipe was open`);
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      child.stdin.end();
      await new Promise((r) => child.on("close", r));
    }
  });

  it("falls back to an uncapped copy where dd has no count_bytes (BSD, macOS): the log is kept", async () => {
    const d = scratch();
    const bin = join(d, "bin");
    mkdirSync(bin);
    // A dd that refuses GNU operands, as BSD's does.
    writeFileSync(join(bin, "dd"), '#!/bin/sh\necho "dd: unknown operand iflag" >&2\nexit 1\n', { mode: 0o755 });
    const f = join(d, "f.log");
    const data = lines(2_000);
    expect(await runWriter(f, 4096, 1, [data], { ...process.env, PATH: `${bin}:${process.env.PATH}` })).toBe(0);
    expect(readFileSync(f)).toEqual(data);
  });

  it("takes any path literally (spaces, quotes, $, #, ;)", async () => {
    const f = join(scratch(), "it's a $x #2; log.log");
    const data = lines(10);
    expect(await runWriter(f, 4096, 1, [data])).toBe(0);
    expect(readFileSync(f)).toEqual(data);
  });
});
