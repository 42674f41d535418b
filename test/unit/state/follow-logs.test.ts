import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { followLogs, type Liveness, type LogLine } from "../../../src/state/logs.js";
import { logFile } from "../../../src/state/paths.js";

// followLogs over real files: what the writer does (append, rotate) and how sessions end.

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function scratchRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "amux-follow-"));
  roots.push(root);
  mkdirSync(join(root, ".amux", "logs"), { recursive: true });
  return root;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => boolean, what: string, ms = 5000): Promise<void> {
  for (const end = Date.now() + ms; !pred(); await tick(20)) if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
}

describe("followLogs", () => {
  it("follows across a rotation (the rest of <log>.1, then the new file), and ends when the session exits", async () => {
    const root = scratchRoot();
    const f = logFile(root, "s1");
    appendFileSync(f, "history\n");
    const got: LogLine[] = [];
    const ends: [string, unknown][] = [];
    let state: Liveness | undefined = { dead: false, exitCode: null };
    const done = followLogs(
      root,
      async () => [],
      ["s1"],
      (l) => got.push(l),
      new AbortController().signal,
      false,
      async () => new Map(state ? [["s1", state]] : []),
      (s, code) => ends.push([s, code]),
    );
    appendFileSync(f, "one\n");
    await until(() => got.length === 1, "line one");
    // The writer reaches its cap: the tail goes to the old file, which moves to .1; a new file starts.
    appendFileSync(f, "two\n");
    renameSync(f, `${f}.1`);
    appendFileSync(f, "three\n");
    await until(() => got.length === 3, "lines two and three");
    appendFileSync(f, "last words, no newline");
    state = { dead: true, exitCode: 3 };
    await done;
    expect(got.map((l) => l.text)).toEqual(["one", "two", "three", "last words, no newline"]);
    expect(ends).toEqual([["s1", 3]]);
  });

  it("ends at once for a session that is gone, saying so", async () => {
    const root = scratchRoot();
    appendFileSync(logFile(root, "old"), "from before\n");
    const ends: [string, unknown][] = [];
    const started = Date.now();
    await followLogs(
      root,
      async () => [],
      ["old"],
      () => {},
      new AbortController().signal,
      false,
      async () => new Map(),
      (s, code) => ends.push([s, code]),
    );
    expect(ends).toEqual([["old", "gone"]]);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
