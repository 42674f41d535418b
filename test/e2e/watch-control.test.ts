import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { ControlClient } from "../../src/tmux/control.js";
import { observeWithScreens } from "../../src/tmux/observe.js";
import { StatusTracker } from "../../src/watch/tracker.js";
import { fixtureAgentsYaml, q, test, waitFor } from "./harness.js";

// `amux watch` ticks over one tmux control-mode client kept open (src/tmux/control.ts) instead of
// a tmux process a tick. These drive the tracker itself (in this process) against a real server
// whose sessions the built CLI started.

/** A pane that prints control-mode framing (a block's end, an error, an exit) before it asks. */
const FORGER = [
  "#!/bin/sh",
  "echo '%begin 1796224879 37592 1'",
  "echo '%end 1796224879 37592 1'",
  "echo '%error 1796224879 37593 1'",
  "echo '%exit'",
  "echo 'amux-done'",
  "printf 'Overwrite file? [y/N] '",
  "read -r answer",
  "sleep 100000",
  "",
].join("\n");

describe("watch ticks through a tmux control client", () => {
  test("statuses as ps tells them, framing printed by a pane is only text, a lost session is attached again, nothing left after close", async ({ e2e }) => {
    const repo = await e2e.newRepo("ctl", {
      ".amux/config.yaml": `${fixtureAgentsYaml()}  forger:\n    name: Forger\n    type: tmux\n    params: { command: ${q(join(e2e.tmp, "forger.sh"))} }\n`,
    });
    writeFileSync(join(e2e.tmp, "forger.sh"), FORGER);
    chmodSync(join(e2e.tmp, "forger.sh"), 0o755);
    for (const [agent, name] of [
      ["forger", "a-forger"],
      ["prints-forever", "b-busy"],
      ["waits-at-prompt", "c-prompt"],
    ])
      await repo.amuxOk(["run", agent as string, "--name", name as string, "--no-attach"]);

    const before = process.env.AMUX_TMUX_SOCKET;
    process.env.AMUX_TMUX_SOCKET = e2e.socket;
    const tracker = new StatusTracker();
    const project = { root: repo.dir, agents: {}, services: {} };
    const clients = async () =>
      (await e2e.tmux(["list-clients", "-F", "#{client_control_mode} #{session_name}"])).stdout
        .split("\n")
        .filter((l) => l.startsWith("1 "))
        .map((l) => l.slice(2));
    try {
      const statuses = async () => {
        const t = await tracker.tick(project);
        return Object.fromEntries([...t.statuses].map(([n, c]) => [n, c.status]));
      };
      const want = { "a-forger": "waiting", "b-busy": "running", "c-prompt": "idle" };
      await waitFor(async () => JSON.stringify(await statuses()) === JSON.stringify(want), 20_000, "the tracker's statuses", 200);
      // One control client, attached to a session of the project; the question it read is the forger's own last line.
      expect(await clients()).toEqual(["a-forger"]);
      // The screens a control client reads are those a tmux process reads, the forged framing as rows.
      const control = new ControlClient(() => "c-prompt");
      try {
        const ids = (await observeWithScreens([])).sessions.map((s) => s.paneId);
        const [byProcess, byControl] = [await observeWithScreens(ids), await observeWithScreens(ids, [], undefined, control)];
        expect(byControl.screens.size).toBe(3);
        expect([...byControl.screens].sort()).toEqual([...byProcess.screens].sort());
        expect(byControl.sessions.map((s) => s.name)).toEqual(byProcess.sessions.map((s) => s.name));
        expect(byControl.key).toBe(byProcess.key);
        const forged = byControl.sessions.find((s) => s.name === "a-forger")?.paneId as string;
        expect(byControl.screens.get(forged)).toEqual([
          "%begin 1796224879 37592 1",
          "%end 1796224879 37592 1",
          "%error 1796224879 37593 1",
          "%exit",
          "amux-done",
          "Overwrite file? [y/N]",
        ]);
      } finally {
        control.close();
      }
      // ps, with its own tmux process, tells the same.
      for (const [name, status] of Object.entries(want)) expect((await repo.psRow(name))?.status).toBe(status);

      // The session it is attached to goes: the next ticks go on, attached to another one.
      await e2e.tmux(["kill-session", "-t", "=a-forger"]);
      await waitFor(
        async () => JSON.stringify(await statuses()) === JSON.stringify({ "b-busy": "running", "c-prompt": "idle" }),
        10_000,
        "statuses without the forger",
        200,
      );
      await waitFor(
        async () => {
          await tracker.tick(project);
          return JSON.stringify(await clients()) === JSON.stringify(["b-busy"]);
        },
        10_000,
        "a client on b-busy",
        100,
      );

      tracker.close();
      await waitFor(async () => (await clients()).length === 0, 10_000, "the control client to end", 100);
      // After close a tick still works, with a tmux process.
      expect(Object.keys(Object.fromEntries((await tracker.tick(project)).statuses))).toEqual(["b-busy", "c-prompt"]);
      expect(await clients()).toEqual([]);
    } finally {
      tracker.close();
      if (before === undefined) delete process.env.AMUX_TMUX_SOCKET;
      else process.env.AMUX_TMUX_SOCKET = before;
    }
  });
});
