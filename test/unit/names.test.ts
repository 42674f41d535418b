import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { assertName, checkName, deriveProjectName, type NameKind, suggestName } from "../../src/names.js";

describe("checkName", () => {
  it.each<[NameKind, string]>([
    ["project", "acme"],
    ["project", "0day"],
    ["project", "my_project-2"],
    ["project", "a".repeat(63)],
    ["service", "auth"],
    ["agent", "Claude_2"],
    ["agent", "9lives"],
    ["session", "acme-auth-1"],
    ["session", "MySession"],
    ["workspace", "feature-auth"],
    ["workspace", "release.1.2"],
    ["workspace", "Feature_X"],
    ["envKey", "ANTHROPIC_API_KEY"],
    ["envKey", "_private"],
  ])("accepts %s %j", (kind, value) => {
    expect(checkName(kind, value)).toBeUndefined();
  });

  it.each<[NameKind, string]>([
    ["project", ""],
    ["project", "Acme"],
    ["project", "my project"],
    ["project", "-acme"],
    ["project", "_acme"],
    ["project", "acme.dev"],
    ["project", "a".repeat(64)],
    ["service", "Auth"],
    ["service", "auth;rm -rf /"],
    ["agent", "-claude"],
    ["agent", "claude code"],
    ["agent", "claude.dev"],
    ["session", "a:b"],
    ["session", "a.b"],
    ["session", "=a"],
    ["session", "x".repeat(64)],
    ["workspace", "..."],
    ["workspace", "a..b"],
    ["workspace", ".hidden"],
    ["workspace", "a/b"],
    ["workspace", "x".repeat(64)],
    ["envKey", "1ABC"],
    ["envKey", "A-B"],
  ])("rejects %s %j", (kind, value) => {
    expect(checkName(kind, value)).toMatch(/^invalid /);
  });

  it("says what is wrong, what is allowed, and a valid form", () => {
    expect(checkName("project", "Acme")).toBe(
      'invalid project name "Acme": must match ^[a-z0-9][a-z0-9_-]{0,62}$ (lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters); did you mean acme?',
    );
    expect(checkName("workspace", "a..b")).toBe(
      'invalid workspace name "a..b": must not contain ".." (letters, digits, ., - and _, starting with a letter or digit, at most 63 characters, no ..); did you mean a.b?',
    );
    expect(checkName("session", "code review")).toMatch(/; did you mean code-review\?$/);
    expect(checkName("session", "---")).not.toMatch(/did you mean/);
  });
});

describe("suggestName", () => {
  it.each<[NameKind, string, string | undefined]>([
    ["session", "code review", "code-review"],
    ["session", "a:b", "a-b"],
    ["session", "a.b", "a-b"],
    ["session", "=a", "a"],
    ["session", "x".repeat(64), "x".repeat(63)],
    ["session", "-", undefined],
    ["session", "", undefined],
    ["agent", "claude code", "claude-code"],
    ["agent", "-claude", "claude"],
    ["agent", "Claude Code!", "Claude-Code"],
    ["project", "My Project", "my-project"],
    ["project", "acme.dev", "acme-dev"],
    ["service", "Auth Service", "auth-service"],
    ["service", "auth;rm -rf /", "auth-rm-rf"],
    ["workspace", "feature/auth", "feature-auth"],
    ["workspace", ".hidden", "hidden"],
    ["workspace", "a..b", "a.b"],
    ["workspace", "...", undefined],
    ["envKey", "1ABC", "_1ABC"],
    ["envKey", "A-B", "A_B"],
    ["session", "ok-name", undefined],
  ])("%s %j -> %j", (kind, value, want) => {
    expect(suggestName(kind, value)).toBe(want);
    if (want !== undefined) expect(checkName(kind, want)).toBeUndefined();
  });
});

describe("assertName", () => {
  it("returns a good name", () => {
    expect(assertName("service", "auth")).toBe("auth");
  });

  it("throws a usage error (exit 2) for a bad one", () => {
    expect(() => assertName("session", "bad name")).toThrow(UsageError);
    try {
      assertName("session", "bad name");
    } catch (e) {
      expect((e as UsageError).exitCode).toBe(2);
    }
  });
});

describe("deriveProjectName", () => {
  it.each([
    ["acme", "acme"],
    ["Acme", "acme"],
    ["My Project", "my-project"],
    ["my.project.dev", "my-project-dev"],
    ["foo__bar", "foo__bar"],
    ["--Foo--", "foo"],
    ["__init__", "init"],
    ["Ünïcödé", "n-c-d"],
    ["日本語", "amux"],
    ["...", "amux"],
    ["", "amux"],
  ])("%j → %j", (dir, name) => {
    expect(deriveProjectName(dir)).toBe(name);
  });

  it("keeps at most 63 characters and does not end on a separator", () => {
    expect(deriveProjectName(`${"a".repeat(62)}-bcd`)).toBe("a".repeat(62));
    expect(deriveProjectName("b".repeat(100))).toBe("b".repeat(63));
  });

  it.each(["My Project", "  spaces  ", "-_-x-_-", "A".repeat(80), "x.y.z", "ÄÖÜ-123"])("gives a valid project name for %j", (dir) => {
    expect(checkName("project", deriveProjectName(dir))).toBeUndefined();
  });
});
