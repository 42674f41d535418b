import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import { type E2E, test, waitFor } from "../e2e/harness.js";
import { findCli, startStandIn, until } from "./helpers.js";

// Opt-in (npm run test:agents): the real Codex CLI, talking to a stand-in OpenAI Responses API on
// loopback (fixtures/api/openai-stand-in.mjs), driven through idle -> running -> waiting ->
// idle -> running -> stuck, then a lost session re-created resuming its conversation. It checks
// that the notify program amux adds through `-c notify=[...]` reports through the pane option at
// each turn's end, and that the status truth holds against the real screen.
// Codex runs with approval_policy "on-request" and sandbox_mode "read-only": the stand-in's
// command asks to run outside the sandbox (sandbox_permissions "require_escalated"), which Codex
// puts to the user as an approval question.
// Codex is found as $AMUX_TEST_CODEX, else `codex` on PATH, else in npm's npx cache.

/** Codex's config in the test's HOME: the stand-in as its provider, approvals on request, the repo trusted. */
function codexHome(e2e: E2E, repoDir: string, port: number): void {
  mkdirSync(join(e2e.home, ".codex"), { recursive: true });
  writeFileSync(
    join(e2e.home, ".codex", "config.toml"),
    [
      'model = "stand-in"',
      'model_provider = "standin"',
      'approval_policy = "on-request"',
      'sandbox_mode = "read-only"',
      "check_for_update_on_startup = false",
      "[model_providers.standin]",
      'name = "stand-in"',
      `base_url = "http://127.0.0.1:${port}/v1"`,
      'env_key = "OPENAI_API_KEY"',
      'wire_api = "responses"',
      "request_max_retries = 0",
      "stream_max_retries = 0",
      `[projects.${JSON.stringify(repoDir)}]`,
      'trust_level = "trusted"',
      "",
    ].join("\n"),
  );
}

test("real Codex CLI: notify-reported and screen status through a turn, an approval question, a stalled stream, and a resumed re-creation", async ({ e2e }) => {
  const codex = findCli("codex", "AMUX_TEST_CODEX", "npx -y @openai/codex --help");
  const log = join(e2e.tmp, "standin.log");
  const { port, child } = await startStandIn("openai-stand-in.mjs", log);
  try {
    const repo = await e2e.newRepo("rx", { "amux.compose.yaml": "name: rx\nservices:\n  c:\n    agent: codex\n    stuckAfter: 5s\n" });
    codexHome(e2e, repo.dir, port);
    const env = { PATH: `${dirname(codex)}:${process.env.PATH}`, OPENAI_API_KEY: "dummy" };
    const amux = (args: string[]) => repo.amuxOk(args, { env });
    const send = (text: string) => amux(["send", "rx-c-1", text]);
    const reported = async () => (await e2e.tmux(["show-options", "-p", "-v", "-t", "=rx-c-1:", "@amux-reported"])).stdout.trim();

    await amux(["up"]);
    await until(repo, "rx-c-1", (r) => r.status === "idle", "idle at its prompt");
    expect(await reported()).toBe("");

    await send("SLOW please");
    await until(repo, "rx-c-1", (r) => r.status === "running", "running while the reply streams");
    // Codex's notify program runs when the turn completes: the pane option says idle.
    const idle = await until(repo, "rx-c-1", (r) => r.status === "idle" && r.statusSource === "reported", "idle, reported (notify)");
    expect(idle.statusReason).toMatch(/^reported idle/);
    const first = await reported();
    expect(first).toMatch(/^idle \d+$/);
    expect(readFileSync(log, "utf8")).toContain("SLOW please");

    await send("TOOL now");
    const waiting = await until(repo, "rx-c-1", (r) => r.status === "waiting", "waiting at the approval question");
    // Codex's notify fires at a turn's end only: the question is the screen's finding.
    expect(waiting.statusSource).toBe("screen");
    expect(String(waiting.statusReason)).toMatch(/question on screen/);
    // "y": yes, proceed. A key that lands while the question is still settling may be dropped:
    // press it again until the command has run.
    await waitFor(
      async () => {
        await e2e.tmux(["send-keys", "-t", "=rx-c-1:", "y"]);
        await new Promise((r) => setTimeout(r, 1500));
        return existsSync(join(repo.dir, "amux-touched.txt")) || undefined;
      },
      30_000,
      "the approval answered",
      0,
    );
    await until(repo, "rx-c-1", (r) => r.status === "idle" && r.statusSource === "reported", "idle after the command ran, reported");
    // A report of its own (the first turn's is seconds older).
    const second = await reported();
    expect(second).toMatch(/^idle \d+$/);
    expect(Number(second.split(" ")[1])).toBeGreaterThan(Number(first.split(" ")[1]));

    await send("STALL now");
    await until(repo, "rx-c-1", (r) => r.status === "running", "running while the stream stalls");
    const stuck = await until(repo, "rx-c-1", (r) => r.status === "stuck", "stuck: timer only", 30_000);
    expect(String(stuck.statusReason)).toMatch(/without progress/);

    // The tmux server goes away; `up` re-creates the replica with `codex resume --last`.
    await e2e.tmux(["kill-server"]);
    await waitFor(async () => (await e2e.liveSessions()).length === 0 || undefined, 10_000, "the server gone");
    await new Promise((r) => setTimeout(r, 1000));
    const plan = await repo.plan();
    expect(plan).toEqual([expect.objectContaining({ action: "create", session: "rx-c-1", resume: true, command: "codex resume --last" })]);
    await amux(["up"]);
    const back = await until(repo, "rx-c-1", (r) => r.status === "idle", "idle after the resumed start");
    expect(back.resumed).toEqual(expect.any(String));
    expect((await repo.amuxOk(["ps", "--wide"], { env })).stdout).toMatch(/rx-c-1 .*resumed /);
    // The pane runs the resume command with the notify option after the program word.
    const started = (await e2e.tmux(["list-panes", "-t", "=rx-c-1:", "-F", "#{pane_start_command}"])).stdout;
    expect(started).toMatch(/codex -c .*notify=.* resume --last/);
    await send("hello again");
    await until(repo, "rx-c-1", (r) => r.status === "idle" && readFileSync(log, "utf8").includes("hello again"), "the next turn answered");
    // The call after the resume carries the earlier turns: the conversation continued.
    const last = readFileSync(log, "utf8").trim().split("\n").pop() ?? "";
    expect(Number(last.split(" ")[0])).toBeGreaterThan(1);
  } finally {
    child.kill("SIGKILL");
  }
});
