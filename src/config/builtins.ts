import type { ReportKind } from "../agents/hooks.js";
import type { ResolvedAgent } from "./agent.js";

/** Where a built-in agent is said to be defined (`config show`'s definedIn). */
export const BUILTIN_SOURCE = "(built-in)";

/**
 * Agents defined out of the box, so that `amux run claude` works with no configuration: the
 * command is the program of that name (as its installer puts it on PATH), and the status profile
 * is picked by id (claude, codex, gemini and aider have their own; the others get generic rules).
 * `.amux/config.yaml` or the compose file's `agents:` replaces one by defining the same id.
 */
export const BUILTIN_AGENTS: Readonly<Record<string, { name: string; command: string; passEnv: readonly string[]; resume: string; report?: ReportKind }>> = {
  // resume: each checked against the CLI's --help (claude 2.1 -c/--continue; codex `resume --last`,
  // which filters by the current directory; gemini `-r latest`; qwen and opencode -c/--continue),
  // except aider's, from its documentation.
  claude: {
    name: "Claude Code",
    command: "claude",
    passEnv: ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"],
    resume: "claude --continue",
    report: "claude",
  },
  codex: { name: "Codex CLI", command: "codex", passEnv: ["OPENAI_API_KEY", "OPENAI_BASE_URL", "CODEX_HOME"], resume: "codex resume --last", report: "codex" },
  gemini: {
    name: "Gemini CLI",
    command: "gemini",
    passEnv: ["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_CLOUD_PROJECT", "GOOGLE_GENAI_USE_VERTEXAI"],
    resume: "gemini --resume latest",
  },
  aider: {
    name: "Aider",
    command: "aider",
    passEnv: ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY", "DEEPSEEK_API_KEY"],
    resume: "aider --restore-chat-history",
  },
  opencode: {
    name: "opencode",
    command: "opencode",
    passEnv: ["ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY", "OPENROUTER_API_KEY"],
    resume: "opencode --continue",
  },
  qwen: { name: "Qwen Code", command: "qwen", passEnv: ["DASHSCOPE_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"], resume: "qwen --continue" },
};

/** Every variable some built-in agent takes from the invoking environment (snapshot keys hash them). */
export const BUILTIN_PASS_ENV: readonly string[] = [...new Set(Object.values(BUILTIN_AGENTS).flatMap((b) => b.passEnv))].sort();

/**
 * The built-in agents, resolved (a fresh copy each call: callers may replace entries). Each takes
 * its provider's variables (API keys, endpoints) from the invoking environment when they are set,
 * as `environment: { KEY: }` would; all of them count as secret, like any value from `${VAR}`.
 */
export function builtinAgents(env: Record<string, string | undefined> = process.env): Record<string, ResolvedAgent> {
  const out: Record<string, ResolvedAgent> = {};
  for (const [id, b] of Object.entries(BUILTIN_AGENTS)) {
    const environment: Record<string, string> = {};
    for (const k of b.passEnv) {
      const v = env[k];
      if (v !== undefined && v !== "") environment[k] = v;
    }
    out[id] = {
      id,
      name: b.name,
      command: b.command,
      shell: undefined,
      windowName: undefined,
      autoAttach: false,
      resume: b.resume,
      report: b.report,
      environment,
      secretKeys: Object.keys(environment),
      shown: { name: b.name, command: b.command, shell: undefined, windowName: undefined },
      statusSource: {},
      definedIn: BUILTIN_SOURCE,
      builtIn: true,
    };
  }
  return out;
}
