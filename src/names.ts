import { UsageError } from "./errors.js";

/** The name patterns of the contract: everything that reaches tmux or git passes one of these. */
export const NAME_PATTERNS = {
  project: /^[a-z0-9][a-z0-9_-]{0,62}$/,
  service: /^[a-z0-9][a-z0-9_-]{0,62}$/,
  agent: /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/,
  session: /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/,
  workspace: /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/,
  envKey: /^[A-Za-z_][A-Za-z0-9_]*$/,
} as const;

export type NameKind = keyof typeof NAME_PATTERNS;

/**
 * Names that mean something to every JavaScript object: as a key they would be dropped or read
 * from the prototype instead of the user's data, so they are refused wherever a name is a key.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * A record's own value for a key the user (or a tmux label) named: `agents["constructor"]` must
 * be "no such agent", not Object's constructor.
 */
export function own<T>(rec: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

export function reservedNameProblem(value: string): string | undefined {
  return RESERVED_NAMES.has(value) ? `${JSON.stringify(value)} is reserved (it names a part of every JavaScript object)` : undefined;
}

const KIND_TEXT: Record<NameKind, string> = {
  project: "project name",
  service: "service name",
  agent: "agent id",
  session: "session name",
  workspace: "workspace name",
  envKey: "environment variable name",
};

/** Returns an error message for a bad name, or undefined when it is fine. */
export function checkName(kind: NameKind, value: string): string | undefined {
  if (!NAME_PATTERNS[kind].test(value)) {
    return `invalid ${KIND_TEXT[kind]} ${JSON.stringify(value)}: must match ${NAME_PATTERNS[kind].source}`;
  }
  const reserved = reservedNameProblem(value);
  if (reserved) return `invalid ${KIND_TEXT[kind]}: ${reserved}`;
  if (kind === "workspace" && value.includes("..")) {
    return `invalid ${KIND_TEXT[kind]} ${JSON.stringify(value)}: must not contain ".."`;
  }
  return undefined;
}

export function assertName(kind: NameKind, value: string): string {
  const problem = checkName(kind, value);
  if (problem) throw new UsageError(problem);
  return value;
}

/** The project name derived from a directory name: lower-cased and reduced to [a-z0-9_-]. */
export function deriveProjectName(dirName: string): string {
  let n = dirName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+/, "")
    .slice(0, 63);
  n = n.replace(/[-_]+$/, "");
  return n || "amux";
}
