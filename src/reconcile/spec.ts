import { createHash } from "node:crypto";

/** Version of the hash recipe; bump when what goes into it changes. */
export const SPEC_VERSION = 1;

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

function sha(s: string): string {
  return createHash("sha256").update(s).digest("hex");
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

export function hashSpec(spec: SpawnSpec): string {
  return `v${SPEC_VERSION}:${sha(canonicalJson({ v: SPEC_VERSION, ...spec })).slice(0, 16)}`;
}

/**
 * A flat, shareable picture of a spec (kept in the `@amux-spec` label) from which a later plan
 * names what changed. Secret values and prompts appear only as short digests.
 */
export function summarizeSpec(spec: SpawnSpec, secretKeys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {
    command: spec.command,
    shell: spec.shell,
    workspace: spec.cwd,
    windowName: spec.windowName ?? "",
    prompt: spec.prompt === null ? "" : `sha:${sha(spec.prompt).slice(0, 12)}`,
  };
  for (const [k, v] of Object.entries(spec.env)) out[`environment.${k}`] = secretKeys.includes(k) ? `sha:${sha(`${k}=${v}`).slice(0, 12)}` : v;
  return out;
}
