import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { test } from "./harness.js";

// The user's ~/.tmux.conf is read by amux's server (a person who attaches keeps their look and
// bindings), but the options amux depends on are set explicitly whatever it says.

const HOSTILE_CONF = ["set -g remain-on-exit off", "set -g history-limit 7", "set -g base-index 5", "set -g status-left 'MINE'", ""].join("\n");

describe("a hostile ~/.tmux.conf", () => {
  test("exit codes still survive, history-limit is amux's, the user's own options stay", async ({ e2e }) => {
    const repo = await e2e.newRepo("conf");
    writeFileSync(join(e2e.home, ".tmux.conf"), HOSTILE_CONF);
    await repo.amux(["run", "exits-3", "--name", "x3", "--no-attach"]);
    const row = await repo.waitForStatus("x3", "exited", 10_000);
    expect(row.exitCode).toBe(3);
    // The server did read the user's file: their status-left is there…
    expect((await e2e.tmux(["show-options", "-g", "-v", "status-left"])).stdout.trim()).toBe("MINE");
    // …but amux's history-limit and remain-on-exit won.
    expect(Number((await e2e.tmux(["show-options", "-g", "-v", "history-limit"])).stdout.trim())).toBeGreaterThanOrEqual(2000);
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "p1", "--no-attach"]);
    expect((await e2e.tmux(["show-options", "-w", "-t", "=p1:", "-v", "remain-on-exit"])).stdout.trim()).toBe("on");
    expect((await repo.logs("x3")).includes("fatal: cannot reach the model")).toBe(true);
  });
});
