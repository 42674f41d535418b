import { createHash } from "node:crypto";
import { type DigestKey, digest } from "../secrets.js";

/** Version of the hash recipe; bump when what goes into it changes. */
export const SPEC_VERSION = 2;

/**
 * What is fixed when a session is spawned. Its hash (`@amux-hash`) decides recreation, so it
 * holds only declared things: not replicas or restart policy, not the invoking shell's
 * environment, and the shell as declared (not $SHELL, which varies between terminals).
 */
export interface SpawnSpec {
  command: string;
  /** The declared shell, or "default". */
  shell: string;
  /** Absolute working directory. */
  cwd: string;
  /** Only declared environment (agent, then service or `run -e`), without AMUX_* variables. */
  env: Record<string, string>;
  prompt: string | null;
  windowName: string | null;
}

/** Which parts of a spec are secret: env keys, and the strings as they may be shown (`${VAR}` pieces masked). */
export interface SpecSecrets {
  secretKeys: readonly string[];
  shown: { command: string; shell: string; windowName: string | null };
}

/** JSON with sorted keys at every level. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** A string with masked pieces: the masked text and a keyed digest of the real one, so a change still shows. */
function shownWithDigest(key: DigestKey, field: string, real: string, shown: string): string {
  return real === shown ? real : `${shown} (${digest(key, `${field}=${real}`)})`;
}

/**
 * A flat, shareable picture of a spec (kept in the `@amux-spec` label) from which a later plan
 * names what changed. Secret values, `${VAR}` pieces and prompts appear only masked or as keyed
 * digests: nothing in it gives a secret back, not even by guessing short ones.
 */
export function summarizeSpec(spec: SpawnSpec, secrets: SpecSecrets, key: DigestKey): Record<string, string> {
  const out: Record<string, string> = {
    command: shownWithDigest(key, "command", spec.command, secrets.shown.command),
    shell: shownWithDigest(key, "shell", spec.shell, secrets.shown.shell),
    workspace: spec.cwd,
    windowName: shownWithDigest(key, "windowName", spec.windowName ?? "", secrets.shown.windowName ?? ""),
    prompt: spec.prompt === null ? "" : digest(key, `prompt=${spec.prompt}`),
  };
  for (const [k, v] of Object.entries(spec.env)) out[`environment.${k}`] = secrets.secretKeys.includes(k) ? digest(key, `${k}=${v}`) : v;
  return out;
}

/**
 * The spec's hash: of its summary, which holds every part of the spec (the secret ones as keyed
 * digests), so that the hash, too, is keyed wherever a secret went into it.
 */
export function hashSummary(summary: Record<string, string>): string {
  return `v${SPEC_VERSION}:${createHash("sha256")
    .update(canonicalJson({ v: SPEC_VERSION, ...summary }))
    .digest("hex")
    .slice(0, 16)}`;
}

/** The hash of a spec (of its summary). */
export function hashSpec(spec: SpawnSpec, secrets: SpecSecrets, key: DigestKey): string {
  return hashSummary(summarizeSpec(spec, secrets, key));
}

/** The secrets of a spec that has none: no secret keys, every string shown as it is. */
export function noSecrets(spec: SpawnSpec): SpecSecrets {
  return { secretKeys: [], shown: { command: spec.command, shell: spec.shell, windowName: spec.windowName } };
}
