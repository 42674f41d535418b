import { createHmac, randomBytes } from "node:crypto";

/**
 * The one rule for what is secret, used by the config loader, `run -e`, MCP and compose alike:
 * a value is secret when its key looks like a credential, or when it came from the invoking
 * environment (`${VAR}` expansion, a pass-through key, `-e K` with no value, or a runtime value
 * equal to one of the invoking environment's). Secret values are never shown or stored: they are
 * masked for display and appear in labels and state only as keyed digests (HMAC-SHA256 with a
 * random key that lives in the tmux server, `@amux-key`), never as a plain hash a short secret
 * could be guessed back from.
 */
export const SECRET_KEY = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/** What a secret value (or a secret piece of a string) is shown as. */
export const MASK = "********";

/** Whether the value of `key` is secret; `fromEnvironment`: it came from the invoking environment. */
export function isSecret(key: string, fromEnvironment: boolean): boolean {
  return fromEnvironment || SECRET_KEY.test(key);
}

/**
 * Whether a value given at runtime (`run -e K=V`, MCP `environment`) came from the invoking
 * environment: `-e K=$VAR` reaches amux already expanded, so a value equal to one of the
 * environment's own counts as coming from it.
 */
export function cameFromEnvironment(value: string, env: Record<string, string | undefined>): boolean {
  if (value === "") return false;
  for (const v of Object.values(env)) if (v === value) return true;
  return false;
}

/** The keys of `env` that are secret by the rule, given the keys whose values came from the environment. */
export function secretKeysOf(env: Record<string, string>, fromEnvironment: ReadonlySet<string> | readonly string[]): string[] {
  const from = new Set(fromEnvironment);
  return Object.keys(env).filter((k) => isSecret(k, from.has(k)));
}

/**
 * The secret keys of variables given at runtime (`run -e`, MCP `environment`): `passedThrough`
 * names those whose value was taken from the invoking environment by key (`-e K`); any other
 * value counts as from it when it equals one of its values (see cameFromEnvironment).
 */
export function runtimeSecretKeys(values: Record<string, string>, passedThrough: ReadonlySet<string>, env: Record<string, string | undefined>): string[] {
  return secretKeysOf(
    values,
    Object.keys(values).filter((k) => passedThrough.has(k) || cameFromEnvironment(values[k] as string, env)),
  );
}

/** A copy of `env` with secret values masked. */
export function maskEnv(env: Record<string, string>, secretKeys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = secretKeys.includes(k) ? MASK : v;
  return out;
}

/** An environment as it may be shown: masked, unless the user asked to see secrets (`--show-secrets`). */
export function shownEnv(env: Record<string, string>, secretKeys: readonly string[], reveal: boolean): Record<string, string> {
  return reveal ? env : maskEnv(env, secretKeys);
}

/** The key of keyed digests; `id` names it without revealing it (null: a throwaway key). */
export interface DigestKey {
  secret: string;
  id: string | null;
}

/** A new random key, as stored in the tmux server's `@amux-key`. */
export function newKeySecret(): string {
  return randomBytes(32).toString("hex");
}

/** The key a tmux server holds. */
export function serverKey(secret: string): DigestKey {
  return { secret, id: createHmac("sha256", secret).update("amux-key-id").digest("hex").slice(0, 16) };
}

/** A key for this process only, when no server holds one yet: its digests match nothing stored. */
export function throwawayKey(): DigestKey {
  return { secret: newKeySecret(), id: null };
}

/** A short keyed digest of a value: `hmac:` and 16 hex digits. */
export function digest(key: DigestKey, text: string): string {
  return `hmac:${createHmac("sha256", key.secret).update(text).digest("hex").slice(0, 16)}`;
}
