import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { expect } from "vitest";
import { type E2E, test, waitFor } from "../e2e/harness.js";
import { findCli, startStandIn, until } from "./helpers.js";

// Opt-in (npm run test:agents): the real Claude Code, talking to a stand-in Anthropic API on
// loopback (fixtures/api/anthropic-stand-in.mjs), driven through idle -> running -> waiting ->
// idle -> running -> stuck, then a lost session re-created resuming its conversation. It checks
// that the hooks amux adds through --settings report through the pane option, and that the
// status truth holds against the real screen.
// Claude Code is found as $AMUX_TEST_CLAUDE, else `claude` on PATH, else in npm's npx cache.

const KEY = "sk-ant-api03-standin-0123456789abcdefghij";

/** Claude Code's own files in the test's HOME: onboarding done, the key approved, the repo trusted, permissions asked. */
function claudeHome(e2e: E2E, repoDir: string): void {
  writeFileSync(
    join(e2e.home, ".claude.json"),
    JSON.stringify({
      hasCompletedOnboarding: true,
      customApiKeyResponses: { approved: [KEY.slice(-20)], rejected: [] },
      projects: { [repoDir]: { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true } },
    }),
  );
  mkdirSync(join(e2e.home, ".claude"), { recursive: true });
  writeFileSync(join(e2e.home, ".claude", "settings.json"), JSON.stringify({ permissions: { defaultMode: "default" } }));
}

test("real Claude Code: reported and screen status through a turn, a permission question, a stalled call, and a resumed re-creation", async ({ e2e }) => {
  const claude = findCli("claude", "AMUX_TEST_CLAUDE", "npx -y @anthropic-ai/claude-code --help");
  const log = join(e2e.tmp, "standin.log");
  const { port, child } = await startStandIn("anthropic-stand-in.mjs", log);
  try {
    const repo = await e2e.newRepo("rc", { "amux.compose.yaml": "name: rc\nservices:\n  c:\n    agent: claude\n    stuckAfter: 5s\n" });
    claudeHome(e2e, repo.dir);
    const env = { PATH: `${dirname(claude)}:${process.env.PATH}`, ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` };
    const amux = (args: string[]) => repo.amuxOk(args, { env });
    const send = (text: string) => amux(["send", "rc-c-1", text]);

    await amux(["up"]);
    await until(repo, "rc-c-1", (r) => r.status === "idle", "idle at its prompt");

    await send("SLOW please");
    await until(repo, "rc-c-1", (r) => r.status === "running" && r.statusSource === "reported", "running, reported by its hooks");
    await until(repo, "rc-c-1", (r) => r.status === "idle" && r.statusSource === "reported", "idle, reported (Stop hook)");

    await send("TOOL now");
    // The hook may report a moment before the dialog is drawn; then the screen agrees.
    const waiting = await until(
      repo,
      "rc-c-1",
      (r) => r.status === "waiting" && !/disagrees/.test(String(r.statusReason)),
      "waiting at the permission question, hooks and screen agreeing",
    );
    expect(waiting.statusSource).toBe("reported");
    // "1. Yes". A key that lands while the dialog is still settling may be dropped: press it
    // again until the question is gone.
    await waitFor(
      async () => {
        await e2e.tmux(["send-keys", "-t", "=rc-c-1:", "1"]);
        await new Promise((r) => setTimeout(r, 1500));
        return existsSync(join(repo.dir, "amux-touched.txt")) || undefined;
      },
      30_000,
      "the permission answered",
      0,
    );
    await until(repo, "rc-c-1", (r) => r.status === "idle", "idle after the tool ran");
    expect(existsSync(join(repo.dir, "amux-touched.txt"))).toBe(true);

    await send("STALL now");
    await until(repo, "rc-c-1", (r) => r.status === "running", "running while the call stalls");
    const stuck = await until(repo, "rc-c-1", (r) => r.status === "stuck", "stuck: spinner and counter only", 30_000);
    expect(String(stuck.statusReason)).toMatch(/without progress/);

    // The tmux server goes away; `up` re-creates the replica with `claude --continue`.
    await e2e.tmux(["kill-server"]);
    await waitFor(async () => (await e2e.liveSessions()).length === 0 || undefined, 10_000, "the server gone");
    await new Promise((r) => setTimeout(r, 1000));
    const plan = await repo.plan();
    expect(plan).toEqual([expect.objectContaining({ action: "create", session: "rc-c-1", resume: true, command: "claude --continue" })]);
    await amux(["up"]);
    const back = await until(repo, "rc-c-1", (r) => r.status === "idle", "idle after the resumed start");
    expect(back.resumed).toEqual(expect.any(String));
    await send("hello again");
    await until(repo, "rc-c-1", (r) => r.status === "idle" && readFileSync(log, "utf8").includes("hello again"), "the next turn answered");
    // The call after the resume carries the earlier turns: the conversation continued.
    const last = readFileSync(log, "utf8").trim().split("\n").pop() ?? "";
    expect(Number(last.split(" ")[0])).toBeGreaterThan(1);
  } finally {
    child.kill("SIGKILL");
  }
});
