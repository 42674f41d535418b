import { describe, expect, it } from "vitest";
import { canonicalJson, hashSpec, type SpawnSpec, summarizeSpec } from "../../../src/reconcile/spec.js";

function spec(over: Partial<SpawnSpec> = {}): SpawnSpec {
  return {
    command: "claude code",
    shell: "default",
    cwd: "/srv/acme",
    env: { MODE: "fast", ANTHROPIC_API_KEY: "sk-ant-secret-value" },
    prompt: "Implement OAuth login",
    windowName: null,
    ...over,
  };
}

describe("canonicalJson", () => {
  it("sorts keys at every level, inside arrays too", () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it("gives the same text whatever the key order", () => {
    expect(canonicalJson({ x: { q: 1, p: 2 }, w: [3] })).toBe(canonicalJson({ w: [3], x: { p: 2, q: 1 } }));
  });

  it("drops undefined members like JSON.stringify", () => {
    expect(canonicalJson({ a: undefined, b: "x" })).toBe('{"b":"x"}');
  });

  it.each([
    ["a string", '"a string"'],
    [42, "42"],
    [true, "true"],
    [null, "null"],
    [[], "[]"],
    [{}, "{}"],
    ['quote " and \\', '"quote \\" and \\\\"'],
  ])("encodes %j as %s", (value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });
});

describe("hashSpec", () => {
  it("is versioned and short", () => {
    expect(hashSpec(spec())).toMatch(/^v1:[0-9a-f]{16}$/);
  });

  it("does not depend on the order of environment keys", () => {
    const a = spec({ env: { A: "1", B: "2", C: "3" } });
    const b = spec({ env: { C: "3", A: "1", B: "2" } });
    expect(hashSpec(a)).toBe(hashSpec(b));
  });

  it.each([
    ["an environment value", { env: { MODE: "slow", ANTHROPIC_API_KEY: "sk-ant-secret-value" } }],
    ["an added variable", { env: { MODE: "fast", ANTHROPIC_API_KEY: "sk-ant-secret-value", EXTRA: "1" } }],
    ["a secret value", { env: { MODE: "fast", ANTHROPIC_API_KEY: "sk-ant-other" } }],
    ["the command", { command: "claude code --verbose" }],
    ["the shell", { shell: "/bin/zsh" }],
    ["the working directory", { cwd: "/srv/acme.worktrees/feature-auth" }],
    ["the prompt", { prompt: "Implement SAML login" }],
    ["no prompt", { prompt: null }],
    ["the window name", { windowName: "claude-dev" }],
  ] as [string, Partial<SpawnSpec>][])("changes when %s changes", (_what, over) => {
    expect(hashSpec(spec(over))).not.toBe(hashSpec(spec()));
  });
});

describe("summarizeSpec", () => {
  it("lists command, shell, workspace, window name and each variable", () => {
    const s = summarizeSpec(spec({ prompt: null, env: { MODE: "fast" } }), []);
    expect(s).toEqual({ command: "claude code", shell: "default", workspace: "/srv/acme", windowName: "", prompt: "", "environment.MODE": "fast" });
  });

  it("hides secret values behind a digest that still changes with the value", () => {
    const s = summarizeSpec(spec(), ["ANTHROPIC_API_KEY"]);
    expect(s["environment.ANTHROPIC_API_KEY"]).toMatch(/^sha:[0-9a-f]{12}$/);
    expect(JSON.stringify(s)).not.toContain("sk-ant-secret-value");
    const other = summarizeSpec(spec({ env: { MODE: "fast", ANTHROPIC_API_KEY: "sk-ant-other" } }), ["ANTHROPIC_API_KEY"]);
    expect(other["environment.ANTHROPIC_API_KEY"]).not.toBe(s["environment.ANTHROPIC_API_KEY"]);
    expect(s["environment.MODE"]).toBe("fast");
  });

  it("shows a variable in clear when it is not listed as secret", () => {
    expect(summarizeSpec(spec(), [])["environment.ANTHROPIC_API_KEY"]).toBe("sk-ant-secret-value");
  });

  it("hides the prompt behind a digest", () => {
    const s = summarizeSpec(spec(), ["ANTHROPIC_API_KEY"]);
    expect(s.prompt).toMatch(/^sha:[0-9a-f]{12}$/);
    expect(JSON.stringify(s)).not.toContain("OAuth");
    expect(summarizeSpec(spec({ prompt: "Implement SAML login" }), []).prompt).not.toBe(s.prompt);
  });
});
