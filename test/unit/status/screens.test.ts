import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyPane, isReadyForInput } from "../../../src/status/classify.js";
import { buildProfile } from "../../../src/status/profiles.js";
import type { PaneSample, Status } from "../../../src/status/types.js";

// Screens captured from the real CLIs with `tmux capture-pane -p` (`.ansi.txt`: with `-e`).
const SCREENS = join(import.meta.dirname, "../../../fixtures/screens");

const S = 1_000;
const M = 60 * S;

/** The profile amux picks for each CLI from a typical command line (not from the agent id). */
const PROFILES = {
  claude: buildProfile("main", "npx @anthropic-ai/claude-code"),
  codex: buildProfile("reviewer", "codex --model gpt-5.1-codex"),
  gemini: buildProfile("helper", "/usr/local/bin/gemini"),
};

function sample(file: string, quietMs: number): PaneSample {
  return { dead: false, exitCode: null, quietMs, screen: readFileSync(join(SCREENS, file), "utf8").split("\n") };
}

function profileFor(file: string) {
  const name = file.split("-")[0] as keyof typeof PROFILES;
  const p = PROFILES[name];
  if (!p) throw new Error(`no profile for ${file}`);
  return p;
}

it("picks the built-in profile from the command line", () => {
  expect([PROFILES.claude.base, PROFILES.codex.base, PROFILES.gemini.base]).toEqual(["claude", "codex", "gemini"]);
});

describe("real screens are classified as a person would", () => {
  it.each<[file: string, quietMs: number, status: Status]>([
    // Questions: sign-in, trust, permission, menus. Waiting however long they stay.
    ["claude-t08.txt", 8 * S, "waiting"],
    ["claude-trust.ansi.txt", 30 * M, "waiting"],
    ["claude-apikey-up.txt", 8 * S, "waiting"],
    ["claude-perm-bash.txt", 20 * S, "waiting"],
    ["claude-perm-edit.txt", 20 * M, "waiting"],
    ["claude-askq.txt", 20 * S, "waiting"],
    ["codex-t08.txt", 8 * S, "waiting"],
    ["codex-login-other.txt", 8 * S, "waiting"],
    ["codex-apikey-entry.txt", 20 * M, "waiting"],
    ["codex-p-t08.txt", 8 * S, "waiting"],
    ["codex-perm-bash.txt", 20 * S, "waiting"],
    ["codex-askq.txt", 20 * S, "waiting"],
    ["gemini-t08.txt", 8 * S, "waiting"],
    ["gemini-after-trust-8s.txt", 20 * M, "waiting"],
    ["gemini-apikey-dialog.txt", 8 * S, "waiting"],
    ["gemini-perm-bash.txt", 20 * S, "waiting"],
    ["gemini-perm-bash.ansi.txt", 20 * S, "waiting"],
    ["gemini-perm-edit.txt", 20 * S, "waiting"],
    ["gemini-askq.txt", 20 * M, "waiting"],
    // Busy markers: running even when the screen has been still for a while.
    ["claude-busy-9s.txt", 30 * S, "running"],
    ["claude-tool-running-8s.txt", 30 * S, "running"],
    ["codex-tool-running-10s.txt", 30 * S, "running"],
    ["codex-wait-8s.txt", 30 * S, "running"],
    ["gemini-busy-stream-9s.txt", 30 * S, "running"],
    ["gemini-wait-12s.txt", 30 * S, "running"],
    // Output still streaming.
    ["codex-busy.ansi.txt", 500, "running"],
    // A busy marker frozen past stuckAfter.
    ["claude-busy-9s.txt", 11 * M, "stuck"],
    ["codex-wait-8s.txt", 11 * M, "stuck"],
    ["gemini-wait-12s.txt", 11 * M, "stuck"],
    // At the input prompt: idle, also long after stuckAfter.
    ["claude-idle-final.txt", 20 * M, "idle"],
    ["claude-idle.ansi.txt", 20 * M, "idle"],
    ["claude-mode-plan.txt", 20 * M, "idle"],
    ["claude-interrupted.txt", 20 * M, "idle"],
    ["claude-typing.txt", 20 * M, "idle"],
    ["codex-hello-4s.txt", 20 * M, "idle"],
    ["codex-interrupted.txt", 20 * M, "idle"],
    ["gemini-idle.txt", 20 * M, "idle"],
    ["gemini-cancelled.txt", 20 * M, "idle"],
  ])("%s, quiet %i ms → %s", (file, quietMs, status) => {
    expect(classifyPane(sample(file, quietMs), profileFor(file)).status).toBe(status);
  });
});

describe("readiness for a prompt on real screens", () => {
  it.each<[file: string, ready: boolean]>([
    ["claude-idle-final.txt", true],
    ["codex-hello-4s.txt", true],
    ["gemini-idle.txt", true],
    ["claude-t08.txt", false],
    ["codex-t08.txt", false],
    ["gemini-t08.txt", false],
    ["claude-busy-9s.txt", false],
    ["codex-tool-running-10s.txt", false],
    ["gemini-busy-stream-9s.txt", false],
  ])("%s → %s", (file, ready) => {
    expect(isReadyForInput(sample(file, 5 * S), profileFor(file))).toBe(ready);
  });
});
