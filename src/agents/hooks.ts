/**
 * How the built-in agents tell amux their state (see status/reported.ts). Each agent CLI gets a
 * way to run a command on its own events, given on its command line at spawn time (never in the
 * user's own settings files, and outside the spawn hash: upgrading amux recreates nothing):
 * - Claude Code: `--settings <json>` adds hooks (UserPromptSubmit, PreToolUse, PostToolUse →
 *   running; Notification permission_prompt / elicitation_dialog and PermissionRequest → waiting;
 *   Notification idle_prompt and Stop → idle).
 * - Codex: `-c notify=[...]` runs a program when a turn completes → idle.
 * The command is plain `tmux set-option -p -t "$TMUX_PANE" @amux-reported "<state> <seconds>"`:
 * inside the pane, $TMUX names amux's server, on this machine or any other host.
 */

export type ReportKind = "claude" | "codex";

/** The shell line an agent runs to report a state (prints nothing: Claude adds a hook's output to its context). */
export function reportLine(state: "running" | "waiting" | "idle"): string {
  return `tmux set-option -p -t "$TMUX_PANE" @amux-reported "${state} $(date +%s)" >/dev/null 2>&1 || true`;
}

function hook(state: "running" | "waiting" | "idle", matcher?: string) {
  return { ...(matcher !== undefined ? { matcher } : {}), hooks: [{ type: "command", command: reportLine(state) }] };
}

/** Claude Code settings (for `--settings`) that report through hooks. */
export function claudeSettings(): string {
  return JSON.stringify({
    hooks: {
      UserPromptSubmit: [hook("running")],
      PreToolUse: [hook("running", "*")],
      PostToolUse: [hook("running", "*")],
      PermissionRequest: [hook("waiting", "*")],
      Notification: [hook("waiting", "permission_prompt"), hook("waiting", "elicitation_dialog"), hook("idle", "idle_prompt")],
      Stop: [hook("idle")],
    },
  });
}

/** The Codex `notify` setting (TOML, for `-c`): a program run with the event's JSON appended. */
export function codexNotify(): string {
  const argv = ["sh", "-c", reportLine("idle"), "amux-notify"];
  return `notify=[${argv.map((a) => JSON.stringify(a)).join(",")}]`;
}

/** Single-quotes a word for the agent's shell. */
function shWord(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** The options that make an agent report, to put right after its program name. */
export function reportArgs(kind: ReportKind): string {
  return kind === "claude" ? `--settings ${shWord(claudeSettings())}` : `-c ${shWord(codexNotify())}`;
}

/**
 * A built-in agent's command line with its reporting options after the program word
 * (`claude --settings '…' --continue`). A command line that does not start with that program is
 * left as it is: the options would land in the wrong place.
 */
export function withReporting(commandLine: string, kind: ReportKind | undefined, program: string): string {
  if (!kind) return commandLine;
  const m = /^(\s*)(\S+)(.*)$/s.exec(commandLine);
  if (!m || m[2] !== program) return commandLine;
  return `${m[1]}${m[2]} ${reportArgs(kind)}${m[3]}`;
}
