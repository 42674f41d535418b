import { describe, expect, it } from "vitest";
import { cameFromEnvironment, digest, isSecret, MASK, maskEnv, runtimeSecretKeys, secretKeysOf, serverKey, shownEnv, throwawayKey } from "../../src/secrets.js";

describe("the one secret rule", () => {
  it.each([
    // key, came from the environment, secret
    ["API_KEY", false, true],
    ["ANTHROPIC_API_KEY", false, true],
    ["gh_token", false, true],
    ["GITHUB_TOKEN", false, true],
    ["CLIENT_SECRET", false, true],
    ["MY_SECRET", false, true],
    ["DB_PASSWORD", false, true],
    ["password", false, true],
    ["GOOGLE_APPLICATION_CREDENTIALS", false, true],
    ["AWS_CREDENTIAL_FILE", false, true],
    ["KEYBOARD", false, true],
    ["MODEL", false, false],
    ["PORT", false, false],
    ["AWS_PROFILE", false, false],
    ["AWS_PROFILE", true, true],
    ["MODEL", true, true],
    ["X", true, true],
  ])("%s (from the environment: %s) → secret %s", (key, fromEnv, secret) => {
    expect(isSecret(key, fromEnv)).toBe(secret);
  });

  it("lists the secret keys of an environment", () => {
    expect(secretKeysOf({ MODEL: "opus", API_TOKEN: "t", PROFILE: "p" }, ["PROFILE"]).sort()).toEqual(["API_TOKEN", "PROFILE"]);
  });

  it.each([
    ["canary-123", { SOME: "canary-123" }, true],
    ["canary-123", { SOME: "canary-1234" }, false],
    ["", { EMPTY: "" }, false],
    ["plain", {}, false],
  ] as [string, Record<string, string>, boolean][])("a runtime value %j with env %j came from the environment: %s", (value, env, from) => {
    expect(cameFromEnvironment(value, env)).toBe(from);
  });

  it("masks secret values and leaves the others", () => {
    expect(maskEnv({ MODEL: "opus", API_KEY: "sk-1" }, ["API_KEY"])).toEqual({ MODEL: "opus", API_KEY: MASK });
  });

  it("shows an environment masked unless secrets are asked for", () => {
    const env = { MODEL: "opus", API_KEY: "sk-1", FROM: "canary" };
    expect(shownEnv(env, ["API_KEY", "FROM"], false)).toEqual({ MODEL: "opus", API_KEY: MASK, FROM: MASK });
    expect(shownEnv(env, ["API_KEY", "FROM"], true)).toEqual(env);
  });

  it.each([
    // values, passed through by name (-e K), invoking environment, secret keys
    [{ MODEL: "opus" }, [], {}, []],
    [{ API_TOKEN: "t" }, [], {}, ["API_TOKEN"]],
    [{ HOME_DIR: "/home/ada" }, ["HOME_DIR"], { HOME_DIR: "/home/ada" }, ["HOME_DIR"]],
    [{ PLAIN: "canary-1" }, [], { ANY: "canary-1" }, ["PLAIN"]],
    [{ PLAIN: "canary-1", MODE: "x" }, [], { ANY: "canary-1" }, ["PLAIN"]],
    [{ EMPTY: "" }, [], { ANY: "" }, []],
  ] as [Record<string, string>, string[], Record<string, string>, string[]][])(
    "runtime values %j (passed %j, env %j) → secret %j",
    (values, passed, env, secret) => {
      expect(runtimeSecretKeys(values, new Set(passed), env).sort()).toEqual(secret);
    },
  );
});

describe("digest", () => {
  const key = serverKey("a".repeat(64));

  it("is a keyed HMAC: same text and key, same digest; another key, another digest", () => {
    expect(digest(key, "K=v")).toMatch(/^hmac:[0-9a-f]{16}$/);
    expect(digest(key, "K=v")).toBe(digest(serverKey("a".repeat(64)), "K=v"));
    expect(digest(key, "K=v")).not.toBe(digest(serverKey("b".repeat(64)), "K=v"));
    expect(digest(key, "K=v")).not.toBe(digest(key, "K=w"));
  });

  it("names a server key by an id that is not the key, and a throwaway key by none", () => {
    expect(key.id).toMatch(/^[0-9a-f]{16}$/);
    expect("a".repeat(64)).not.toContain(key.id as string);
    expect(throwawayKey().id).toBeNull();
  });
});
