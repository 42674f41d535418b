import { describe, expect } from "vitest";
import { test } from "./harness-extra.js";

// `-f` is follow for `logs` and the compose file everywhere else, before or after the command.

describe("logs -f and the global flags", () => {
  test("logs -f prints new output as it comes and ends cleanly on Ctrl-C", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("lf");
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "w1", "--no-attach"]);
    await repo.waitForLog("w1", "fake agent ready");
    const f = procs.start(["logs", "w1", "-f"], repo.dir);
    await f.waitUntil((p) => p.stdout.includes("fake agent ready"), 10_000, "the history");
    await repo.amuxOk(["send", "w1", "followed line"]);
    await f.waitUntil((p) => p.stdout.includes("got: followed line"), 10_000, "the new line");
    f.signal("SIGINT");
    expect(await f.waitExit(5000), f.output).toEqual({ code: 0, signal: null });
  });

  test("a service's logs -f picks up a replica that appears later, with its prefix", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("lf", { "amux.compose.yaml": "name: lf\nservices:\n  a: { agent: waits-at-prompt }\n" });
    await repo.amuxOk(["up"]);
    await repo.waitForLog("lf-a-1", "fake agent ready");
    const f = procs.start(["logs", "a", "-f"], repo.dir);
    await f.waitUntil((p) => p.stdout.includes("lf-a-1 | fake agent ready"), 10_000, "replica 1's history");
    repo.write("amux.compose.yaml", "name: lf\nservices:\n  a: { agent: waits-at-prompt, replicas: 2 }\n");
    await repo.amuxOk(["up"]);
    await f.waitUntil((p) => p.stdout.includes("lf-a-2 | fake agent ready"), 10_000, "replica 2, picked up while following");
  });

  test("-f FILE, -C DIR and -p work after the command name", async ({ e2e }) => {
    const repo = await e2e.newRepo("lf", { "fleet/other.yaml": "name: other\nservices:\n  a: { agent: waits-at-prompt }\n" });
    // Agents come from the compose file's own folder: give it the fixture agents too.
    repo.write("fleet/.amux/config.yaml", repo.read(".amux/config.yaml"));
    await repo.amuxOk(["up", "-f", "fleet/other.yaml"]);
    const rows = await repo.ps(["-f", "fleet/other.yaml"]);
    expect(rows.map((r) => r.name)).toEqual(["other-a-1"]);
    const viaC = await e2e.amux(["ps", "--json", "-C", `${repo.dir}/fleet`, "--file", "other.yaml"], { cwd: e2e.tmp });
    expect(JSON.parse(viaC.stdout).map((r: { name: string }) => r.name)).toEqual(["other-a-1"]);
    const bad = await repo.amux(["ps", "-p", "Not Valid"]);
    expect(bad.code).toBe(2);
    await repo.amuxOk(["down", "-f", "fleet/other.yaml"]);
    expect(await e2e.liveSessions()).toEqual([]);
  });
});
