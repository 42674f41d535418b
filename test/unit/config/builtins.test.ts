import { describe, expect, it } from "vitest";
import { BUILTIN_AGENTS, BUILTIN_PASS_ENV, builtinAgents } from "../../../src/config/builtins.js";
import { agentProfile } from "../../../src/desired/profiles.js";

describe("built-in agents", () => {
  it("defines the six agents, each running the program of its name", () => {
    const a = builtinAgents({});
    expect(Object.keys(a).sort()).toEqual(["aider", "claude", "codex", "gemini", "opencode", "qwen"]);
    for (const [id, agent] of Object.entries(a)) {
      expect(agent).toMatchObject({ id, command: id, builtIn: true, definedIn: "(built-in)", autoAttach: false, environment: {} });
    }
  });

  it.each([
    ["claude", "claude"],
    ["codex", "codex"],
    ["gemini", "gemini"],
    ["aider", "aider"],
    ["opencode", "generic"],
    ["qwen", "generic"],
  ])("%s uses the %s status profile", (id, profile) => {
    const a = builtinAgents({})[id];
    expect(a && agentProfile(a).base).toBe(profile);
  });

  it("passes its provider's variables through when set, all of them secret", () => {
    const a = builtinAgents({ ANTHROPIC_API_KEY: "sk-1", ANTHROPIC_BASE_URL: "https://x", OPENAI_API_KEY: "", HOME: "/h" });
    expect(a.claude?.environment).toEqual({ ANTHROPIC_API_KEY: "sk-1", ANTHROPIC_BASE_URL: "https://x" });
    expect(a.claude?.secretKeys.sort()).toEqual(["ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL"]);
    expect(a.codex?.environment).toEqual({});
    expect(a.aider?.environment).toEqual({ ANTHROPIC_API_KEY: "sk-1" });
  });

  it("returns a fresh copy each time", () => {
    const one = builtinAgents({});
    delete one.claude;
    expect(builtinAgents({}).claude).toBeDefined();
  });

  it("lists every passed-through variable once", () => {
    expect(new Set(BUILTIN_PASS_ENV).size).toBe(BUILTIN_PASS_ENV.length);
    for (const b of Object.values(BUILTIN_AGENTS)) for (const k of b.passEnv) expect(BUILTIN_PASS_ENV).toContain(k);
  });
});
