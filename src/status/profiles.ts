import { parseDuration } from "../duration.js";
import type { StatusProfile } from "./types.js";
import { enableLinearFallback } from "./user-regex.js";

/** How many non-blank rows from the bottom a question may stand in (full-screen agents). */
export const WAITING_ROWS = 20;

export const DEFAULT_IDLE_AFTER_MS = 3_000;
export const DEFAULT_STUCK_AFTER_MS = 600_000;

interface ProfileSource {
  busy: string[];
  waiting: string[];
  prompt: string[];
  questionAtCursor?: boolean;
  /** Rows from the bottom a question may stand in: line-based programs scroll answered questions up. */
  waitingRows?: number;
  busyTitle?: string[];
  waitingTitle?: string[];
}

/** A question or numbered menu any terminal program may show. */
const GENERIC_WAITING = ["\\[[yY]/[nN]\\]|\\([yY]/[nN]\\)|\\[[yY]es/[nN]o\\]|\\(yes/no\\)", "(?i:press enter to continue)"];

/** Braille spinner characters that agents put in their pane title while they work. */
const SPINNER_TITLE = "^[\\u2801-\\u28ff]";

/**
 * Built-in profiles, from the screens the real CLIs show (Claude Code 2.1, Codex CLI 0.169,
 * Gemini CLI 0.61 captured here; aider from its source): busy footers and spinners, permission,
 * trust and sign-in questions, input prompts, and the pane titles they set.
 */
export const BUILTIN_PROFILES: Record<string, ProfileSource> = {
  generic: {
    busy: [],
    waiting: GENERIC_WAITING,
    prompt: ["^\\s*[>$%#❯›»]\\s*$"],
    questionAtCursor: true,
    waitingRows: 1,
  },
  claude: {
    busy: ["[Ee]sc to interrupt", "[Cc]trl\\+c to interrupt", "^\\s*[·✢*✳✶✻✽]\\s+\\S+…"],
    waiting: [
      "^\\s*Do you want to .+\\?\\s*$",
      "^\\s*Would you like to .+\\?\\s*$",
      "Enter to confirm · Esc to cancel",
      "Esc to cancel · Tab to amend",
      "Enter to select · ↑/↓ to navigate",
      "No, and tell Claude what to do differently",
      "Do you trust the files in this folder\\?",
      "Yes, I trust this folder",
      "Select login method",
      "Press Enter to continue",
      "\\d+\\.\\s*Deny \\(esc\\)",
    ],
    prompt: ["^\\s*\\? for shortcuts", "\\(shift\\+tab to cycle\\)", "^❯(?:\\s|$)", "^│ > "],
    busyTitle: [SPINNER_TITLE],
  },
  codex: {
    busy: ["[Ee]sc to interrupt\\)", "[Cc]trl\\+[Cc] to interrupt"],
    waiting: [
      "^\\s*Would you like to .+\\?\\s*$",
      "[Pp]ress enter to confirm or esc to cancel",
      "enter to submit answer",
      "Yes, proceed \\(y\\)",
      "No, and tell Codex what to do differently",
      "Trust this folder\\?",
      "allow Codex to work in this folder",
      "enter continue · esc back",
      "^\\s*Press enter to (?:continue|save)\\s*$",
      "Allow command\\?",
      "Sign in with ChatGPT",
    ],
    prompt: ["^›(?:\\s|$)", "^\\s*(?:← for agents · )?\\? for shortcuts"],
    busyTitle: [SPINNER_TITLE],
    waitingTitle: ["Action Required"],
  },
  gemini: {
    busy: ["\\(esc to cancel, \\d"],
    waiting: [
      "Allow execution of",
      "Apply this change\\?",
      "Do you want to proceed\\?",
      "(?:Yes, a|A)llow once",
      "No, suggest changes \\(esc\\)",
      "Waiting for user confirmation",
      "Do you trust the files in this folder\\?",
      "How would you like to authenticate",
      "\\(Use Enter to select\\)",
      "Press Enter to submit, Esc to cancel",
      "Enter to select · ↑/↓ to navigate",
    ],
    prompt: ["^\\s*>\\s+Type your message or @path/to/file", "^\\s*>(?:\\s|$)", "^\\s*\\? for shortcuts\\s*$"],
    busyTitle: ["Working…"],
    waitingTitle: ["Action Required"],
  },
  aider: {
    busy: ["^[░█#= ]{6,}\\s*Waiting for \\S", "^\\s*Waiting for (?:LLM|\\S+)$", "Updating repo map", "Scanning repo"],
    waiting: ["\\(Y\\)es/\\(N\\)o", "\\[(?:Yes|No)\\]: ?$"],
    waitingRows: 1,
    prompt: ["^(?:[a-z][a-z-]*(?: multi)?|multi)?>(?:\\s|$)"],
  },
};

/** Picks the built-in profile by agent id, else the command's program name; generic otherwise. */
export function pickBuiltin(agentId: string, command: string): string {
  // Own keys only: an agent called "constructor" is not a built-in profile.
  if (Object.hasOwn(BUILTIN_PROFILES, agentId) && agentId !== "generic") return agentId;
  const words = command
    .trim()
    .split(/\s+/)
    .filter((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
  const runners = new Set(["npx", "bunx", "pnpx", "exec", "env", "uvx", "pipx", "run", "dlx", "pnpm", "yarn"]);
  for (const w of words) {
    const base = (w.split("/").pop() ?? w).replace(/^@/, "");
    if (runners.has(base) || base.startsWith("-")) continue;
    for (const name of ["claude", "codex", "gemini", "aider"]) {
      if (base === name || base.startsWith(`${name}-`) || base.startsWith(`${name}@`) || w.includes(`/${name}-`)) return name;
    }
    if (w.includes("anthropic-ai/claude-code")) return "claude";
    if (w.includes("openai/codex")) return "codex";
    if (w.includes("google/gemini-cli")) return "gemini";
    return "generic";
  }
  return "generic";
}

/**
 * JavaScript regexes written as source; `(?i:…)` groups are accepted for case-insensitive parts.
 * A user's patterns (buildProfile) turn on V8's linear fallback before they are compiled.
 */
export function compilePattern(source: string): RegExp {
  if (source.startsWith("(?i:") && source.endsWith(")")) return new RegExp(source.slice(4, -1), "i");
  return new RegExp(source);
}

export interface StatusOverrides {
  profile?: string | undefined;
  idleAfter?: string | undefined;
  stuckAfter?: string | undefined;
  busyPatterns?: string[] | undefined;
  waitingPatterns?: string[] | undefined;
  promptPatterns?: string[] | undefined;
}

/** Built-in profile + the agent's `status:` overrides (+ a service's stuckAfter). */
export function buildProfile(agentId: string, command: string, o: StatusOverrides = {}, stuckAfter?: string): StatusProfile {
  const base = o.profile ?? pickBuiltin(agentId, command);
  const src = (Object.hasOwn(BUILTIN_PROFILES, base) ? BUILTIN_PROFILES[base] : undefined) ?? (BUILTIN_PROFILES.generic as ProfileSource);
  const dur = (s: string | undefined, d: number) => (s === undefined ? d : (parseDuration(s) ?? d));
  // A user's pattern may backtrack badly on some line: V8 switches it to the linear engine then.
  if (o.busyPatterns || o.waitingPatterns || o.promptPatterns) enableLinearFallback();
  return {
    base,
    idleAfterMs: dur(o.idleAfter, DEFAULT_IDLE_AFTER_MS),
    stuckAfterMs: dur(stuckAfter ?? o.stuckAfter, DEFAULT_STUCK_AFTER_MS),
    busy: (o.busyPatterns ?? src.busy).map(compilePattern),
    waiting: (o.waitingPatterns ?? src.waiting).map(compilePattern),
    prompt: (o.promptPatterns ?? src.prompt).map(compilePattern),
    questionAtCursor: src.questionAtCursor ?? false,
    waitingRows: src.waitingRows ?? WAITING_ROWS,
    busyTitle: (src.busyTitle ?? []).map(compilePattern),
    waitingTitle: (src.waitingTitle ?? []).map(compilePattern),
  };
}
