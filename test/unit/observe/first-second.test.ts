import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { describeFailedStart, failedStarts } from "../../../src/observe/first-second.js";
import type { ObservedSession } from "../../../src/tmux/types.js";

describe("describeFailedStart", () => {
  test.each([
    [
      { session: "acme-g-1", exitCode: 127, lastLines: ["sh: 1: nosuch: not found"] },
      "acme-g-1 exited at once with code 127; its last output:\n  sh: 1: nosuch: not found\n  (amux logs acme-g-1 shows all of it)",
    ],
    [{ session: "x-1", exitCode: null, lastLines: [] }, "x-1 exited at once with code ?\n  (amux logs x-1 shows all of it)"],
  ])("%j", (f, want) => {
    expect(describeFailedStart(f)).toBe(want);
  });
});

describe("failedStarts with a look already taken", () => {
  const session = (name: string, dead: boolean, exitCode: number | null): ObservedSession => ({
    name,
    createdAt: 0,
    paneId: "%1",
    pid: dead ? null : 42,
    dead,
    exitCode,
    deadAt: dead ? 0 : null,
    activityAt: 0,
    cwd: "/",
    labels: {},
  });

  test("a look taken past the window answers without another: the dead are named, the live pass", async () => {
    // A socket no server listens on: a look at tmux would find neither session.
    const before = process.env.AMUX_TMUX_SOCKET;
    process.env.AMUX_TMUX_SOCKET = `amux-unit-none-${process.pid}`;
    const root = mkdtempSync(join(tmpdir(), "amux-first-"));
    try {
      const startedAt = Date.now() - 1000;
      const seen = { at: startedAt + 400, sessions: [session("a-1", true, 3), session("a-2", false, null)] };
      const out = await failedStarts(root, ["a-1", "a-2"], startedAt, 300, seen);
      expect(out.map((f) => [f.session, f.exitCode])).toEqual([["a-1", 3]]);
    } finally {
      if (before === undefined) delete process.env.AMUX_TMUX_SOCKET;
      else process.env.AMUX_TMUX_SOCKET = before;
      rmSync(root, { recursive: true, force: true });
    }
  });
});
