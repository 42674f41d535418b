import { readFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { fixture, q, SLOW } from "./harness.js";
import { type EventLine, test } from "./harness-extra.js";

// `up` tells the truth about agents that die at once: a failed start names the replica with its
// last output, after everything else was done, and exits 1 — with or without --wait, and in watch.

const GHOST = `agents:\n  ghost:\n    params: { command: "no-such-agent-command-xyz --flag" }\n`;

describe.concurrent("a failed start", { timeout: SLOW }, () => {
  test("an agent whose command does not exist: up exits 1 naming it with its last output; the rest is still started", async ({ e2e }) => {
    const repo = await e2e.newRepo("tu", { "amux.compose.yaml": `name: tu\n${GHOST}services:\n  a: { agent: waits-at-prompt }\n  g: { agent: ghost }\n` });
    const r = await repo.amux(["up"]);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toMatch(/tu-g-1 exited at once with code 127/);
    expect(r.stderr).toMatch(/no-such-agent-command-xyz.*not found/);
    // The healthy replica was created all the same, and counted as such.
    expect(r.stdout).toMatch(/tu: 1 created, 1 failed/);
    expect(r.stdout).toMatch(/create tu-a-1 .*: done/);
    expect(r.stdout).toMatch(/create tu-g-1 .*FAILED: exited at once with code 127/);
    expect(r.stdout).not.toMatch(/create tu-g-1 .*: done/);
    expect((await repo.psRow("tu-a-1"))?.status).not.toMatch(/exited|failed/);
  });

  test("exits-3 with up --wait: the same words, exit 1, and not called merely 'not ready'", async ({ e2e }) => {
    const repo = await e2e.newRepo("tu", { "amux.compose.yaml": "name: tu\nservices:\n  x: { agent: exits-3 }\n" });
    const r = await repo.amux(["up", "--wait", "--wait-timeout", "20s"]);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toMatch(/tu-x-1 exited at once with code 3; its last output:\n {2}fatal: cannot reach the model/);
    expect(r.stderr).not.toMatch(/not ready: tu-x-1/);
    expect(r.ms).toBeLessThan(15_000);
  });

  test("up --wait holds new agents through their whole first second: one that dies at 0.6 s is a failed start", async ({ e2e }) => {
    const late = `agents:\n  late:\n    params: { command: ${q("sleep 0.6; echo giving up now; exit 4")} }\n`;
    const repo = await e2e.newRepo("tu", { "amux.compose.yaml": `name: tu\n${late}services:\n  l: { agent: late }\n  a: { agent: waits-at-prompt }\n` });
    const r = await repo.amux(["up", "--wait", "--wait-timeout", "20s"]);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toMatch(/tu-l-1 exited at once with code 4; its last output:\n {2}giving up now/);
    expect(r.stdout).toMatch(/tu: 1 created, 1 failed/);
  });

  test("an agent that lives past its first second is a good start", async ({ e2e }) => {
    const repo = await e2e.newRepo("tu", { "amux.compose.yaml": "name: tu\nservices:\n  a: { agent: prints-forever }\n" });
    const r = await repo.amux(["up"]);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/tu: 1 created$/m);
  });

  test("watch: a replica that dies at once is an event with its last output; its restart policy goes on", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("tu", {
      "amux.compose.yaml": "name: tu\nservices:\n  crash:\n    agent: exits-3\n    restart: on-failure\n    maxRestarts: 1\n",
    });
    const w = procs.start(["watch", "--json"], repo.dir);
    const starts = () => w.json<EventLine>().filter((e) => e.type === "action" && e.action === "start" && e.session === "tu-crash-1");
    await w.waitUntil(() => starts().length >= 2, 30_000, "two failed-start events (first start and its restart)");
    const first = starts()[0] as EventLine;
    expect(first.exitCode).toBe(3);
    expect(first.error).toMatch(/exited at once with code 3: fatal: cannot reach the model/);
    expect(w.json<EventLine>().some((e) => e.type === "action" && e.action === "restart" && e.session === "tu-crash-1")).toBe(true);
    await repo.waitForStatus("tu-crash-1", "failed", 15_000);
  });
});

describe.concurrent("ps PID", { timeout: SLOW }, () => {
  test("is the agent's own process, not the wrapper shell's, for a simple and a compound command", async ({ e2e }) => {
    const repo = await e2e.newRepo("pid", {
      "amux.compose.yaml": `name: pid\nagents:\n  compound:\n    params: { command: ${q(`cd / && ${fixture("waits-at-prompt")}`)} }\nservices:\n  a: { agent: waits-at-prompt }\n  b: { agent: compound }\n`,
    });
    await repo.amuxOk(["up"]);
    await repo.waitForLog("pid-a-1", "fake agent ready");
    await repo.waitForLog("pid-b-1", "fake agent ready");
    for (const name of ["pid-a-1", "pid-b-1"]) {
      const row = await repo.psRow(name);
      const pane = await e2e.panePid(name);
      expect(row?.pid, name).toBeGreaterThan(0);
      expect(row?.pid, name).not.toBe(pane);
      const argv = readFileSync(`/proc/${row?.pid}/cmdline`, "utf8").split("\0");
      expect(argv.join(" "), name).toContain(fixture("waits-at-prompt"));
      expect(argv[1], name).not.toBe("-c");
    }
  });
});
