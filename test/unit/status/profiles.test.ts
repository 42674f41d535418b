import { describe, expect, it } from "vitest";
import { buildProfile, compilePattern, DEFAULT_IDLE_AFTER_MS, DEFAULT_STUCK_AFTER_MS, pickBuiltin } from "../../../src/status/profiles.js";

describe("pickBuiltin", () => {
  it.each([
    // by agent id
    ["claude", "anything", "claude"],
    ["codex", "./run.sh", "codex"],
    ["gemini", "node cli.js", "gemini"],
    ["aider", "python -m something", "aider"],
    // by the command's program name
    ["main", "claude code", "claude"],
    ["main", "npx @anthropic-ai/claude-code", "claude"],
    ["main", "npx -y @anthropic-ai/claude-code@latest", "claude"],
    ["main", "claude-code --resume", "claude"],
    ["reviewer", "codex", "codex"],
    ["reviewer", "npx @openai/codex", "codex"],
    ["reviewer", "codex --model o3", "codex"],
    ["helper", "/usr/local/bin/gemini", "gemini"],
    ["helper", "npx @google/gemini-cli", "gemini"],
    ["pair", "aider --model x", "aider"],
    ["pair", "env AIDER_DARK=1 aider", "aider"],
    ["pair", "OPENAI_API_KEY=x aider --no-git", "aider"],
    // anything else
    ["sleeper", "sleep 5", "generic"],
    ["shell", "bash", "generic"],
    ["script", "python3 claude_helper.py", "generic"],
    ["empty", "", "generic"],
    ["generic", "claude", "claude"],
  ])("agent %j with command %j → %s", (agent, command, profile) => {
    expect(pickBuiltin(agent, command)).toBe(profile);
  });
});

describe("buildProfile", () => {
  it("starts from the built-in profile with the default thresholds", () => {
    const p = buildProfile("claude", "claude code");
    expect(p.base).toBe("claude");
    expect(p.idleAfterMs).toBe(DEFAULT_IDLE_AFTER_MS);
    expect(p.stuckAfterMs).toBe(DEFAULT_STUCK_AFTER_MS);
    expect(DEFAULT_IDLE_AFTER_MS).toBe(3_000);
    expect(DEFAULT_STUCK_AFTER_MS).toBe(600_000);
    expect(p.questionAtCursor).toBe(false);
    expect(p.busy.some((re) => re.test("  esc to interrupt"))).toBe(true);
  });

  it("asks only generic programs to treat a trailing '?' as a question", () => {
    expect(buildProfile("worker", "sleep 5").questionAtCursor).toBe(true);
    for (const id of ["claude", "codex", "gemini", "aider"]) expect(buildProfile(id, id).questionAtCursor).toBe(false);
  });

  it("takes durations and patterns from the status block", () => {
    const p = buildProfile("bot", "./bot", { idleAfter: "1500ms", stuckAfter: "2m", busyPatterns: ["^working"], promptPatterns: ["^ready>"] });
    expect(p.base).toBe("generic");
    expect(p.idleAfterMs).toBe(1_500);
    expect(p.stuckAfterMs).toBe(120_000);
    expect(p.busy.map((r) => r.source)).toEqual(["^working"]);
    expect(p.prompt.map((r) => r.source)).toEqual(["^ready>"]);
    expect(p.waiting.length).toBeGreaterThan(0);
  });

  it("lets a service's stuckAfter win over the agent's", () => {
    expect(buildProfile("bot", "./bot", { stuckAfter: "2m" }, "30s").stuckAfterMs).toBe(30_000);
  });

  it("uses the profile named in the status block over the guess", () => {
    const p = buildProfile("bot", "./wrapper.sh", { profile: "codex" });
    expect(p.base).toBe("codex");
    expect(p.busy.some((re) => re.test("• Working (3s • esc to interrupt)"))).toBe(true);
  });
});

describe("compilePattern", () => {
  it("compiles a JavaScript regular expression", () => {
    const re = compilePattern("^\\s*>\\s*$");
    expect(re.test("  > ")).toBe(true);
    expect(re.test("a >")).toBe(false);
  });

  it("accepts (?i:…) for a case-insensitive pattern", () => {
    const re = compilePattern("(?i:press enter)");
    expect(re.test("PRESS ENTER to go")).toBe(true);
    expect(re.flags).toContain("i");
  });
});
