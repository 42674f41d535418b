import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { q, SLOW, test } from "./harness.js";

// A prompt given to `run --prompt` or a service's `prompt:` is delivered, or the command says it
// was not and exits 1; while it waits, it says on what.

describe.concurrent("prompt delivery", { timeout: SLOW }, () => {
  test("run --prompt to an agent that never gets ready: says what it waits on, exits 1 after --prompt-timeout", async ({ e2e }) => {
    const repo = await e2e.newRepo("pd");
    const r = await repo.amux(["run", "prints-forever", "--prompt", "do it", "--prompt-timeout", "3s", "--no-attach"]);
    expect(r.code, r.output).toBe(1);
    expect(r.stdout.trim()).toBe("prints-forever-1");
    expect(r.stderr).toMatch(/waiting for prints-forever-1 to be ready for input \(status: running: printing\)/);
    // Said once per status, not once per poll.
    expect(r.stderr.match(/waiting for prints-forever-1/g)).toHaveLength(1);
    expect(r.stderr).toMatch(/not ready for input after 3s; prompt not sent/);
    expect(r.stderr).toMatch(/the prompt was not delivered to prints-forever-1/);
    expect(r.ms).toBeLessThan(15_000);
    // The agent still runs: only the prompt failed.
    expect(await e2e.liveSessions()).toEqual(["prints-forever-1"]);
  });

  test("the waiting line is said again when the status changes", async ({ e2e }) => {
    const agent = join(e2e.tmp, "prints-then-asks");
    writeFileSync(
      agent,
      "#!/bin/sh\ni=0; while [ $i -lt 8 ]; do i=$((i+1)); echo step $i; sleep 0.2; done\nprintf 'Do you want to proceed? [y/N] '\nsleep 100000\n",
    );
    chmodSync(agent, 0o755);
    const repo = await e2e.newRepo("pd", {
      "amux.compose.yaml": `name: pd\nagents:\n  asker:\n    params: { command: ${q(agent)} }\n    status: { idleAfter: 1s }\nservices: {}\n`,
    });
    const r = await repo.amux(["run", "asker", "--prompt", "go", "--prompt-timeout", "5s"]);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toMatch(
      /waiting for asker-1 to be ready for input \(status: running: printing\)[\s\S]*waiting for asker-1 to be ready for input \(status: waiting: /,
    );
  });

  test("run --prompt to an agent that gets ready: delivered, exit 0", async ({ e2e }) => {
    const repo = await e2e.newRepo("pd");
    const r = await repo.amux(["run", "waits-at-prompt", "--prompt", "hello agent", "--json"]);
    expect(r.code, r.output).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ session: "waits-at-prompt-1", promptSent: true });
    expect(r.stderr).toMatch(/waits-at-prompt-1: prompt sent/);
    await repo.waitForLog("waits-at-prompt-1", "got: hello agent");
  });

  test("up: a service prompt not delivered is a failure in the summary and exit 1", async ({ e2e }) => {
    const repo = await e2e.newRepo("pd", {
      "amux.compose.yaml": "name: pd\nservices:\n  busy: { agent: prints-forever, prompt: do it }\n  ok: { agent: waits-at-prompt, prompt: hi }\n",
    });
    const r = await repo.amux(["up", "--prompt-timeout", "3s"]);
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toMatch(/waiting for pd-busy-1 to be ready for input/);
    expect(r.stderr).toMatch(/amux: pd-busy-1: prompt not delivered/);
    expect(r.stderr).not.toMatch(/pd-ok-1: prompt not delivered/);
    expect(r.stdout).toMatch(/pd: 2 created, 1 prompt not delivered/);
    await repo.waitForLog("pd-ok-1", "got: hi");
  });

  test("run --attach without a terminal says it did not attach, and exits 0 with the session name", async ({ e2e }) => {
    const repo = await e2e.newRepo("pd");
    const r = await repo.amux(["run", "waits-at-prompt", "--attach"]);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim()).toBe("waits-at-prompt-1");
    expect(r.stderr).toContain("amux: not a terminal, so not attached; to follow its output: amux logs -f waits-at-prompt-1");
  });
});
