import { createHash, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { canonicalJson, hashSpec, noSecrets, type SpawnSpec, type SpecSecrets, summarizeSpec } from "../../../src/desired/spec.js";
import { serverKey } from "../../../src/secrets.js";

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

const KEY = serverKey("1".repeat(64));
const OTHER_KEY = serverKey("2".repeat(64));
const SECRETS: SpecSecrets = {
  secretKeys: ["ANTHROPIC_API_KEY"],
  shown: { command: "claude code", shell: "default", windowName: null },
};
const hash = (s: SpawnSpec, key = KEY) =>
  hashSpec(s, { ...SECRETS, shown: { ...SECRETS.shown, command: s.command, shell: s.shell, windowName: s.windowName } }, key);

describe("hashSpec", () => {
  it("is versioned and short", () => {
    expect(hash(spec())).toMatch(/^v2:[0-9a-f]{16}$/);
  });

  it("does not depend on the order of environment keys", () => {
    const a = spec({ env: { A: "1", B: "2", C: "3" } });
    const b = spec({ env: { C: "3", A: "1", B: "2" } });
    expect(hash(a)).toBe(hash(b));
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
    expect(hash(spec(over))).not.toBe(hash(spec()));
  });

  it("changes with a masked piece of the command, which the summary does not show", () => {
    const a = spec({ command: "claude --key k-one" });
    const b = spec({ command: "claude --key k-two" });
    const shown = { command: "claude --key ********", shell: "default", windowName: null };
    expect(hashSpec(a, { secretKeys: [], shown }, KEY)).not.toBe(hashSpec(b, { secretKeys: [], shown }, KEY));
  });

  it("is keyed where a secret goes into it: another server key, another hash", () => {
    expect(hash(spec(), KEY)).not.toBe(hash(spec(), OTHER_KEY));
  });
});

describe("summarizeSpec", () => {
  it("lists command, shell, workspace, window name and each variable", () => {
    const s = summarizeSpec(spec({ prompt: null, env: { MODE: "fast" } }), SECRETS, KEY);
    expect(s).toEqual({ command: "claude code", shell: "default", workspace: "/srv/acme", windowName: "", prompt: "", "environment.MODE": "fast" });
  });

  it("hides secret values behind a keyed digest that still changes with the value", () => {
    const s = summarizeSpec(spec(), SECRETS, KEY);
    expect(s["environment.ANTHROPIC_API_KEY"]).toMatch(/^hmac:[0-9a-f]{16}$/);
    expect(JSON.stringify(s)).not.toContain("sk-ant-secret-value");
    const other = summarizeSpec(spec({ env: { MODE: "fast", ANTHROPIC_API_KEY: "sk-ant-other" } }), SECRETS, KEY);
    expect(other["environment.ANTHROPIC_API_KEY"]).not.toBe(s["environment.ANTHROPIC_API_KEY"]);
    expect(s["environment.MODE"]).toBe("fast");
  });

  it("never holds a plain sha256 of a secret, only an HMAC under the server's key", () => {
    const s = summarizeSpec(spec(), SECRETS, KEY);
    const plain = createHash("sha256").update("ANTHROPIC_API_KEY=sk-ant-secret-value").digest("hex");
    const plainValue = createHash("sha256").update("sk-ant-secret-value").digest("hex");
    for (const v of Object.values(s).filter((x) => x.length >= 8)) {
      expect(plain).not.toContain(v.replace(/^hmac:/, ""));
      expect(plainValue).not.toContain(v.replace(/^hmac:/, ""));
    }
    const keyed = createHmac("sha256", KEY.secret).update("ANTHROPIC_API_KEY=sk-ant-secret-value").digest("hex").slice(0, 16);
    expect(s["environment.ANTHROPIC_API_KEY"]).toBe(`hmac:${keyed}`);
    expect(summarizeSpec(spec(), SECRETS, OTHER_KEY)["environment.ANTHROPIC_API_KEY"]).not.toBe(s["environment.ANTHROPIC_API_KEY"]);
  });

  it("shows a variable in clear when it is not listed as secret", () => {
    expect(summarizeSpec(spec(), noSecrets(spec()), KEY)["environment.ANTHROPIC_API_KEY"]).toBe("sk-ant-secret-value");
  });

  it("shows masked strings masked, with a keyed digest of the real text so that a change shows", () => {
    const real = spec({ command: "claude --key sk-live-123", shell: "/bin/zsh", windowName: "w-sk-live-123" });
    const shown = { command: "claude --key ********", shell: "/bin/zsh", windowName: "w-********" };
    const s = summarizeSpec(real, { secretKeys: [], shown }, KEY);
    expect(s.command).toMatch(/^claude --key \*{8} \(hmac:[0-9a-f]{16}\)$/);
    expect(s.windowName).toMatch(/^w-\*{8} \(hmac:[0-9a-f]{16}\)$/);
    expect(s.shell).toBe("/bin/zsh");
    expect(JSON.stringify(s)).not.toContain("sk-live-123");
    const changed = summarizeSpec(spec({ command: "claude --key sk-live-456" }), { secretKeys: [], shown }, KEY);
    expect(changed.command).not.toBe(s.command);
  });

  it("hides the prompt behind a keyed digest", () => {
    const s = summarizeSpec(spec(), SECRETS, KEY);
    expect(s.prompt).toMatch(/^hmac:[0-9a-f]{16}$/);
    expect(JSON.stringify(s)).not.toContain("OAuth");
    expect(summarizeSpec(spec({ prompt: "Implement SAML login" }), SECRETS, KEY).prompt).not.toBe(s.prompt);
  });
});
