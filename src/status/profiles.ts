import { parseDuration } from "../duration.js";
import type { StatusProfile } from "./types.js";

export const DEFAULT_IDLE_AFTER_MS = 3_000;
export const DEFAULT_STUCK_AFTER_MS = 600_000;

interface ProfileSource {
  busy: string[];
  waiting: string[];
  prompt: string[];
  questionAtCursor?: boolean;
}

/** A question or numbered menu any terminal program may show. */
const GENERIC_WAITING = [
  "\\[[yY]/[nN]\\]|\\([yY]/[nN]\\)|\\[[yY]es/[nN]o\\]|\\(yes/no\\)",
  "^\\s*(❯|›|>|→|▶)\\s*\\d+[.)]\\s+\\S",
  "(?i:press enter to continue)",
];

/**
 * Built-in profiles, from the screens the real CLIs show (busy footers, permission and trust
 * questions, sign-in menus, input prompts).
 */
export const BUILTIN_PROFILES: Record<string, ProfileSource> = {
  generic: {
    busy: [],
    waiting: GENERIC_WAITING,
    prompt: ["^\\s*[>$%#❯›»]\\s*$"],
    questionAtCursor: true,
  },
  claude: {
    busy: ["esc to interrupt", "^\\s*[✻✽✶✳✢·*⏺]\\s+\\w+…\\s*\\("],
    waiting: [
      "Do you want to (proceed|make this edit|create|run|allow)",
      "No, and tell Claude what to do differently",
      "Do you trust the files in this folder\\?",
      "Yes, proceed",
      "Select login method",
      "Choose the text style",
      "Press Enter to continue",
      "Esc to cancel",
      ...GENERIC_WAITING,
    ],
    prompt: ["^\\s*│\\s*>\\s", "^>\\s", "\\? for shortcuts"],
  },
  codex: {
    busy: ["[Ee]sc to interrupt", "ctrl\\+c to interrupt", "Working \\(\\d+s"],
    waiting: [
      "Allow command\\?",
      "Yes, allow|Yes, proceed",
      "Sign in with ChatGPT",
      "Provide your own API key",
      "Do you trust|allow Codex to work in this folder",
      "Press enter to continue",
      ...GENERIC_WAITING,
    ],
    prompt: ["^\\s*[▌›]\\s", "send\\s+\\S*\\s*newline|to send", "Ask Codex to do anything"],
  },
  gemini: {
    busy: ["esc to cancel", "^\\s*[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]\\s"],
    waiting: [
      "Allow execution",
      "Yes, allow once",
      "Do you want to proceed",
      "How would you like to authenticate",
      "Do you trust this folder",
      "Get started",
      ...GENERIC_WAITING,
    ],
    prompt: ["Type your message", "^\\s*│\\s*>\\s", "^>\\s"],
  },
  aider: {
    busy: ["Waiting for .*\\.\\.\\.", "^\\s*[░█▁▂▃▄▅▆▇]+\\s"],
    waiting: ["\\(Y\\)es/\\(N\\)o", "Add .* to the chat\\?", "Open URL for more info", ...GENERIC_WAITING],
    prompt: ["^(\\w+\\s)?>\\s*$", "^(architect|ask|code|help|multi)?>\\s*$"],
  },
};

/** Picks the built-in profile by agent id, else the command's program name; generic otherwise. */
export function pickBuiltin(agentId: string, command: string): string {
  if (agentId in BUILTIN_PROFILES && agentId !== "generic") return agentId;
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

/** JavaScript regexes written as source; `(?i:…)` groups are accepted for case-insensitive parts. */
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
  const src = BUILTIN_PROFILES[base] ?? (BUILTIN_PROFILES.generic as ProfileSource);
  const dur = (s: string | undefined, d: number) => (s === undefined ? d : (parseDuration(s) ?? d));
  return {
    base,
    idleAfterMs: dur(o.idleAfter, DEFAULT_IDLE_AFTER_MS),
    stuckAfterMs: dur(stuckAfter ?? o.stuckAfter, DEFAULT_STUCK_AFTER_MS),
    busy: (o.busyPatterns ?? src.busy).map(compilePattern),
    waiting: (o.waitingPatterns ?? src.waiting).map(compilePattern),
    prompt: (o.promptPatterns ?? src.prompt).map(compilePattern),
    questionAtCursor: src.questionAtCursor ?? false,
  };
}
