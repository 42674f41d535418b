import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { claudeSettings, codexNotify, reportLine, withReporting } from "../../../src/agents/hooks.js";

describe("agent hooks that report to amux", () => {
  it("the report line sets the pane option on this pane, quietly, whatever happens", () => {
    expect(reportLine("waiting")).toBe('tmux set-option -p -t "$TMUX_PANE" @amux-reported "waiting $(date +%s)" >/dev/null 2>&1 || true');
  });

  it("Claude Code settings: every hook event maps to a state", () => {
    const s = JSON.parse(claudeSettings()) as { hooks: Record<string, { matcher?: string; hooks: { type: string; command: string }[] }[]> };
    const states = Object.fromEntries(
      Object.entries(s.hooks).map(([event, groups]) => [
        event,
        groups.map((g) => `${g.matcher ?? ""}=${/@amux-reported "(\w+)/.exec(g.hooks[0]?.command ?? "")?.[1]}`).join(","),
      ]),
    );
    expect(states).toEqual({
      UserPromptSubmit: "=running",
      PreToolUse: "*=running",
      PostToolUse: "*=running",
      PermissionRequest: "*=waiting",
      Notification: "permission_prompt=waiting,elicitation_dialog=waiting,idle_prompt=idle",
      Stop: "=idle",
    });
  });

  it("options go right after the program word, survive the shell as one word each, and leave other commands alone", () => {
    const line = withReporting("claude --continue", "claude", "claude");
    expect(line.startsWith("claude --settings '")).toBe(true);
    expect(line.endsWith("' --continue")).toBe(true);
    const argv = JSON.parse(
      execFileSync("/bin/sh", ["-c", `node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- ${line.slice("claude ".length)}`]).toString(),
    ) as string[];
    expect(argv).toEqual(["--settings", claudeSettings(), "--continue"]);
    expect(withReporting("codex resume --last", "codex", "codex")).toBe(`codex -c '${codexNotify()}' resume --last`);
    expect(withReporting("npx claude", "claude", "claude")).toBe("npx claude");
    expect(withReporting("claude", undefined, "claude")).toBe("claude");
  });

  it("the codex notify value is a TOML array of strings", () => {
    expect(codexNotify()).toMatch(
      /^notify=\["sh","-c","tmux set-option -p -t \\"\$TMUX_PANE\\" @amux-reported \\"idle \$\(date \+%s\)\\" >\/dev\/null 2>&1 \|\| true","amux-notify"\]$/,
    );
  });
});
