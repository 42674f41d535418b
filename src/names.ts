import { UsageError } from "./errors.js";

/** The name patterns of the contract: everything that reaches tmux or git passes one of these. */
export const NAME_PATTERNS = {
  project: /^[a-z0-9][a-z0-9_-]{0,62}$/,
  service: /^[a-z0-9][a-z0-9_-]{0,62}$/,
  agent: /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/,
  session: /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/,
  workspace: /^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$/,
  host: /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/,
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
  host: "host id",
  envKey: "environment variable name",
};

/** What each pattern allows, in words. */
const ALLOWED_TEXT: Record<NameKind, string> = {
  project: "lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters",
  service: "lower-case letters, digits, - and _, starting with a letter or digit, at most 63 characters",
  agent: "letters, digits, - and _, starting with a letter or digit, at most 63 characters",
  session: "letters, digits, - and _, starting with a letter or digit, at most 63 characters",
  workspace: "letters, digits, ., - and _, starting with a letter or digit, at most 63 characters, no ..",
  host: "letters, digits, - and _, starting with a letter or digit, at most 63 characters",
  envKey: "letters, digits and _, not starting with a digit",
};

/** Returns an error message for a bad name (what is allowed, and a valid form when one exists), or undefined when it is fine. */
export function checkName(kind: NameKind, value: string): string | undefined {
  const ok = NAME_PATTERNS[kind].test(value) && !(kind === "workspace" && value.includes(".."));
  if (ok) {
    const reserved = reservedNameProblem(value);
    return reserved ? `invalid ${KIND_TEXT[kind]}: ${reserved}` : undefined;
  }
  const why =
    kind === "workspace" && value.includes("..") && NAME_PATTERNS[kind].test(value) ? 'must not contain ".."' : `must match ${NAME_PATTERNS[kind].source}`;
  const hint = suggestName(kind, value);
  return `invalid ${KIND_TEXT[kind]} ${JSON.stringify(value)}: ${why} (${ALLOWED_TEXT[kind]})${hint ? `; did you mean ${hint}?` : ""}`;
}

/**
 * A valid name close to a bad one (`code review` → `code-review`), or undefined when nothing
 * sensible is left. Pure; checkName offers it in its message.
 */
export function suggestName(kind: NameKind, value: string): string | undefined {
  let n = value.trim();
  if (kind === "envKey") {
    n = n.replace(/[^A-Za-z0-9_]+/g, "_").replace(/^_+(?=[^_])/, "");
    if (/^[0-9]/.test(n)) n = `_${n}`;
  } else {
    if (kind === "project" || kind === "service") n = n.toLowerCase();
    const bad = kind === "workspace" ? /[^A-Za-z0-9._-]+/g : kind === "project" || kind === "service" ? /[^a-z0-9_-]+/g : /[^A-Za-z0-9_-]+/g;
    n = n.replace(bad, "-");
    if (kind === "workspace") n = n.replace(/\.{2,}/g, ".");
    n = n
      .replace(/-{2,}/g, "-")
      .replace(/^[^A-Za-z0-9]+/, "")
      .slice(0, 63)
      .replace(/[-_.]+$/, "");
  }
  if (!n || n === value) return undefined;
  return NAME_PATTERNS[kind].test(n) && !(kind === "workspace" && n.includes("..")) ? n : undefined;
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

/**
 * Why `s` is not a ref name by git's rules (git check-ref-format, one level allowed), or
 * undefined. Stricter in one point: no leading `-`, so it can never reach git as an option.
 */
function refNameProblem(s: string): string | undefined {
  if (s === "") return "must not be empty";
  if (s.startsWith("-")) return 'must not start with "-"';
  if (s === "@") return 'must not be "@"';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what git forbids
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(s)) return "must not contain spaces, control characters or any of ~ ^ : ? * [ \\";
  if (s.includes("..")) return 'must not contain ".."';
  if (s.includes("@{")) return 'must not contain "@{"';
  if (s.startsWith("/") || s.endsWith("/") || s.includes("//")) return 'must not start or end with "/" or contain "//"';
  if (s.endsWith(".")) return 'must not end with "."';
  for (const part of s.split("/")) {
    if (part.startsWith(".")) return 'no part may start with "."';
    if (part.endsWith(".lock")) return 'no part may end with ".lock"';
  }
  return undefined;
}

const BRANCH_ALLOWED = "a branch name git accepts, e.g. feature/login";
const BASE_ALLOWED = "a branch, tag or commit, e.g. main, origin/main, v1.2, 3f2a9c1, HEAD~2";

/** Returns why `value` is not a valid branch name (`git check-ref-format --branch`), or undefined. */
export function checkBranch(value: string): string | undefined {
  const problem = value === "HEAD" ? 'must not be "HEAD"' : refNameProblem(value);
  return problem && `invalid branch ${JSON.stringify(value)}: ${problem} (${BRANCH_ALLOWED})`;
}

/**
 * Returns why `value` is not a valid start point, or undefined: a ref name (a branch, a remote
 * branch, a tag, a commit id, HEAD) optionally followed by `~n` / `^n` steps.
 */
export function checkBase(value: string): string | undefined {
  const ref = value.replace(/([~^]\d*)+$/, "");
  const problem = ref === "" && value !== "" ? "must start with a ref name" : refNameProblem(ref);
  return problem && `invalid base ${JSON.stringify(value)}: ${problem} (${BASE_ALLOWED})`;
}

export function assertBranch(value: string): string {
  const problem = checkBranch(value);
  if (problem) throw new UsageError(problem);
  return value;
}

export function assertBase(value: string): string {
  const problem = checkBase(value);
  if (problem) throw new UsageError(problem);
  return value;
}

/**
 * A host's ssh destination and root, by one rule for the compose file (config/schema.ts) and
 * amux's records (state/records.ts): each check with the message the schema gives.
 */
export const HOST_RULES = {
  ssh: [
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    { ok: (s: string) => !/[\s\x00-\x1f\x7f]/.test(s), message: "an ssh destination has no spaces or control characters" },
    { ok: (s: string) => !s.startsWith("-"), message: "an ssh destination must not start with - (ssh would read it as an option)" },
  ],
  root: [{ ok: (s: string) => s.startsWith("/"), message: "must be an absolute path on that host, e.g. /srv/acme" }],
} as const;

/** Whether a host's ssh destination and root pass HOST_RULES (and are not empty). */
export function hostReachOk(h: { ssh: string; root: string }): boolean {
  return h.ssh.length > 0 && HOST_RULES.ssh.every((r) => r.ok(h.ssh)) && HOST_RULES.root.every((r) => r.ok(h.root));
}
