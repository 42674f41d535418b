import { describe, expect, it } from "vitest";
import { escapeFormat, escapeTimeFormat, literalArgs, literalArgv, TMUX_COMMANDS } from "../../../src/tmux/args.js";
import { commandLine } from "../../../src/tmux/quote.js";

const HOSTILE = "#(touch /tmp/C)#{pane_id}";
const ESCAPED = "##(touch /tmp/C)##{pane_id}";

describe("literalArgs: the arguments tmux 3.3a expands as formats are escaped, the rest untouched", () => {
  it.each([
    ["new-session -s", ["new-session", "-d", "-s", HOSTILE], ["new-session", "-d", "-s", ESCAPED]],
    ["new-session -n", ["new-session", "-n", HOSTILE], ["new-session", "-n", ESCAPED]],
    ["new-session -c", ["new-session", "-c", `/srv/${HOSTILE}`], ["new-session", "-c", `/srv/${ESCAPED}`]],
    ["new-session -e (literal)", ["new-session", "-e", `K=${HOSTILE}`], ["new-session", "-e", `K=${HOSTILE}`]],
    ["new-session argv (literal)", ["new-session", "-d", "--", "sh", "-c", HOSTILE], ["new-session", "-d", "--", "sh", "-c", HOSTILE]],
    ["new-session argv without --", ["new-session", "-d", "sh", "-n", HOSTILE], ["new-session", "-d", "sh", "-n", HOSTILE]],
    ["a value attached to its flag", ["new-session", `-c/srv/${HOSTILE}`], ["new-session", `-c/srv/${ESCAPED}`]],
    ["a flag cluster ending in a value flag", ["new-session", "-dPn", HOSTILE], ["new-session", "-dPn", ESCAPED]],
    ["a value that looks like a flag", ["new-session", "-n", "-c", "-s", HOSTILE], ["new-session", "-n", "-c", "-s", ESCAPED]],
    ["-x/-y (literal)", ["new-session", "-x", "200", "-y", "50", "-n", "#"], ["new-session", "-x", "200", "-y", "50", "-n", "##"]],
    ["new-window -n -c", ["new-window", "-n", HOSTILE, "-c", HOSTILE], ["new-window", "-n", ESCAPED, "-c", ESCAPED]],
    ["split-window -c", ["split-window", "-c", HOSTILE], ["split-window", "-c", ESCAPED]],
    [
      "respawn-pane -c, not -e or argv",
      ["respawn-pane", "-k", "-c", HOSTILE, "-e", `K=${HOSTILE}`, "--", HOSTILE],
      ["respawn-pane", "-k", "-c", ESCAPED, "-e", `K=${HOSTILE}`, "--", HOSTILE],
    ],
    [
      "pipe-pane's command (strftime too)",
      ["pipe-pane", "-o", "-t", "=a:", `cat >> '/x/${HOSTILE}%Y'`],
      ["pipe-pane", "-o", "-t", "=a:", `cat >> '/x/${ESCAPED}%%Y'`],
    ],
    ["new-session -c (no strftime)", ["new-session", "-c", "/x/%Y"], ["new-session", "-c", "/x/%Y"]],
    ["rename-window", ["rename-window", "-t", "=a:", HOSTILE], ["rename-window", "-t", "=a:", ESCAPED]],
    ["set-option value (literal)", ["set-option", "-t", "=a:", "@amux-root", HOSTILE], ["set-option", "-t", "=a:", "@amux-root", HOSTILE]],
    ["set-option -F value", ["set-option", "-F", "-t", "=a:", "@x", HOSTILE], ["set-option", "-F", "-t", "=a:", "@x", ESCAPED]],
    ["set-environment value (literal)", ["set-environment", "-t", "=a:", "K", HOSTILE], ["set-environment", "-t", "=a:", "K", HOSTILE]],
    ["set-buffer data (literal)", ["set-buffer", "-b", "b", "--", HOSTILE], ["set-buffer", "-b", "b", "--", HOSTILE]],
    ["send-keys -l text (literal)", ["send-keys", "-t", "=a:", "-l", "--", HOSTILE], ["send-keys", "-t", "=a:", "-l", "--", HOSTILE]],
    ["list-panes -F (amux's own format)", ["list-panes", "-a", "-F", "#{pane_id}"], ["list-panes", "-a", "-F", "#{pane_id}"]],
    ["display-message (amux's own format)", ["display-message", "-p", "#{socket_path}"], ["display-message", "-p", "#{socket_path}"]],
    ["-t targets (literal)", ["kill-session", "-t", "=a"], ["kill-session", "-t", "=a"]],
  ])("%s", (_what, argv, want) => {
    expect(literalArgs(argv)).toEqual(want);
  });

  it("refuses a command it has no table for", () => {
    expect(() => literalArgs(["run-shell", HOSTILE])).toThrow(/run-shell.*TMUX_COMMANDS/);
  });

  it("every command's getopt template is well formed", () => {
    for (const [name, c] of Object.entries(TMUX_COMMANDS)) {
      expect(c.flags, name).toMatch(/^([A-Za-z]:?)*$/);
      for (const letter of c.expanded ?? "") expect(c.flags, `${name} -${letter}`).toContain(`${letter}:`);
    }
  });
});

describe("literalArgv: process arguments with lone ';' between commands", () => {
  it("escapes each command and keeps a trailing ';' of a value", () => {
    expect(literalArgv(["new-session", "-n", "#x;", ";", "send-keys", "-l", "--", "ls;", ";", "start-server"])).toEqual([
      "new-session",
      "-n",
      "##x\\;",
      ";",
      "send-keys",
      "-l",
      "--",
      "ls\\;",
      ";",
      "start-server",
    ]);
  });
});

describe("escapeFormat and escapeTimeFormat", () => {
  it.each([
    ["#", "##", "##"],
    ["%Y", "%Y", "%%Y"],
    ["@@amux-cap %12", "@@amux-cap %12", "@@amux-cap %%12"],
    ["#{a}%d", "##{a}%d", "##{a}%%d"],
    ["plain", "plain", "plain"],
  ])("%j", (input, format, text) => {
    expect(escapeFormat(input)).toBe(format);
    expect(escapeTimeFormat(input)).toBe(text);
  });
});

describe("commandLine: the whole line tmux reads", () => {
  it.each([
    [
      "a window name and directory with formats",
      ["new-session", "-d", "-s", "a-1", "-c", "/p/#(x)", "-n", "#{pane_id}"],
      'new-session -d -s a-1 -c "/p/##(x)" -n "##{pane_id}"',
    ],
    ["a directive-like word", ["set-option", "-t", "=a:", "@amux-spec", "%if"], 'set-option -t =a: @amux-spec "%if"'],
    ["a pane id stays bare", ["capture-pane", "-p", "-t", "%12"], "capture-pane -p -t %12"],
    ["a leading dash value", ["new-session", "-n", "-m", "-e", "K=--detach"], "new-session -n -m -e K=--detach"],
    ["a leading ~ and $ in a directory", ["respawn-pane", "-c", "~/$HOME;", "--", "sh"], 'respawn-pane -c "\\~/\\$HOME;" -- sh'],
    ["a newline and quotes", ["set-buffer", "--", "a\n'\"\\"], 'set-buffer -- "a\\n\'\\"\\\\"'],
  ])("%s", (_what, argv, line) => {
    expect(commandLine(argv)).toBe(line);
  });
});
