/**
 * The baseline of every agent's environment, taken from the invoking environment (SPEC "Agents'
 * environment"): nothing else of whoever runs amux, or of whoever started the tmux server,
 * reaches an agent. The agent's own variables, its service's, `-e`/MCP ones and AMUX_* follow.
 */
export const BASELINE_KEYS = ["PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TERM", "TZ", "TMPDIR", "COLORTERM"] as const;

export function isBaselineKey(k: string): boolean {
  return (BASELINE_KEYS as readonly string[]).includes(k) || k.startsWith("LC_");
}

/** The baseline variables of an environment. */
export function baselineOf(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && isBaselineKey(k)) out[k] = v;
  return out;
}

/**
 * Variables a pane gets from tmux or its shell rather than from amux: TERM inside tmux is tmux's
 * terminal, not the invoking one, and the exit wrapper needs TMUX and TMUX_PANE to report back.
 */
export const PANE_KEYS = ["TMUX", "TMUX_PANE", "TERM", "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "PWD", "OLDPWD", "SHLVL"] as const;
