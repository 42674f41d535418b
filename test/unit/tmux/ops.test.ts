/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { describe, expect, it } from "vitest";
import { escapeTimeFormat } from "../../../src/tmux/args.js";
import { logWriterCommand } from "../../../src/tmux/log-writer.js";
import { confirmedLine, createLine, killLine, labelLine, parseOk, respawnLine, SERVER_OPTIONS } from "../../../src/tmux/ops.js";
import { commandLine, quoteArg } from "../../../src/tmux/quote.js";
import type { SessionCreate } from "../../../src/tmux/types.js";
import { parseTmuxLine } from "./parse-tmux-line.js";

const BASE: SessionCreate = {
  name: "acme-auth-1",
  cwd: "/srv/acme",
  argv: ["/bin/sh", "-c", "claude code"],
  env: { MODE: "fast" },
  labels: { root: "/srv/acme", service: "auth" },
  logFile: "/srv/acme/.amux/logs/acme-auth-1.log",
};

describe("createLine", () => {
  it("is one group: new-session with env, remain-on-exit, labels, output capture", () => {
    const c: SessionCreate = {
      ...BASE,
      env: { MODE: "fast", NOTE: "ends with;" },
      windowName: "claude-dev",
      logFile: "/srv/my acme/.amux/logs/it's #1.log",
    };
    expect(createLine(c)).toBe(
      [
        'new-session -d -s acme-auth-1 -x 200 -y 50 -c /srv/acme -n claude-dev -e MODE=fast -e "NOTE=ends with;" -- /bin/sh -c "claude code"',
        "set-option -w -t =acme-auth-1: remain-on-exit on",
        "set-option -t =acme-auth-1: @amux-root /srv/acme",
        "set-option -t =acme-auth-1: @amux-service auth",
        `pipe-pane -o -t =acme-auth-1: ${quoteArg(escapeTimeFormat(logWriterCommand("/srv/my acme/.amux/logs/it's #1.log")))}`,
      ].join(" ; "),
    );
  });

  it("parses back into the intended commands and arguments", () => {
    const c: SessionCreate = { ...BASE, env: { A: "x", B: "y z" }, width: 120, height: 40 };
    expect(parseTmuxLine(createLine(c))).toEqual([
      ["new-session", "-d", "-s", "acme-auth-1", "-x", "120", "-y", "40", "-c", "/srv/acme", "-e", "A=x", "-e", "B=y z", "--", "/bin/sh", "-c", "claude code"],
      ["set-option", "-w", "-t", "=acme-auth-1:", "remain-on-exit", "on"],
      ["set-option", "-t", "=acme-auth-1:", "@amux-root", "/srv/acme"],
      ["set-option", "-t", "=acme-auth-1:", "@amux-service", "auth"],
      ["pipe-pane", "-o", "-t", "=acme-auth-1:", logWriterCommand("/srv/acme/.amux/logs/acme-auth-1.log")],
    ]);
  });

  it.each([
    ["a trailing ';'", "x;"],
    ["a lone ';'", ";"],
    ["a dollar", "$HOME ${USER}"],
    ["quotes and backslashes", 'say "hi" \\o/'],
    ["a newline", "two\nlines"],
    ["control characters", "bell\x07 esc\x1b del\x7f"],
    ["a format", "#{pane_id}"],
    ["a leading ~", "~/secret"],
  ])("passes an environment value with %s through unchanged", (_what, value) => {
    const parsed = parseTmuxLine(createLine({ ...BASE, env: { V: value } }));
    expect(parsed).toHaveLength(5);
    expect(parsed[0]).toContain(`V=${value}`);
    expect(parsed[0]?.slice(-4)).toEqual(["--", "/bin/sh", "-c", "claude code"]);
  });

  it("shell-quotes the log path and doubles # and % for pipe-pane (formats, then strftime)", () => {
    const parsed = parseTmuxLine(createLine({ ...BASE, logFile: "/tmp/a b/$x #2;%Y.log" }));
    expect(parsed[4]?.slice(0, 4)).toEqual(["pipe-pane", "-o", "-t", "=acme-auth-1:"]);
    expect(parsed[4]?.[4]).toMatch(/^exec sh -c '.*' amux-log '\/tmp\/a b\/\$x ##2;%%Y\.log' 10485760 2$/s);
    expect(parsed[4]?.[4]).toBe(escapeTimeFormat(logWriterCommand("/tmp/a b/$x #2;%Y.log")));
  });

  it("doubles # in the start directory and the window name, which tmux expands as formats", () => {
    const parsed = parseTmuxLine(createLine({ ...BASE, cwd: "/w/#{pane_id} %Y #(id)", windowName: "w#{session_name}" }));
    expect(parsed[0]).toEqual(expect.arrayContaining(["-c", "/w/##{pane_id} %Y ##(id)", "-n", "w##{session_name}"]));
    expect(parseTmuxLine(respawnLine({ ...BASE, cwd: "/w/#x" }, {})).find((c) => c[0] === "respawn-pane")).toEqual(expect.arrayContaining(["-c", "/w/##x"]));
  });

  it("passes no name through display-message (a format with strftime)", () => {
    for (const line of [createLine(BASE), respawnLine(BASE, {}), killLine("a-1"), labelLine("a-1", { hash: "x" })])
      expect(line).not.toContain("display-message");
  });

  it("adds no window name when none is given", () => {
    expect(createLine(BASE)).not.toContain(" -n ");
  });
});

describe("respawnLine", () => {
  it("restarts the pane in place: old exit code, report and progress cleared, fresh labels, the pipe reopened, marker", () => {
    expect(parseTmuxLine(respawnLine(BASE, { restarts: "2" }))).toEqual([
      ["set-option", "-p", "-u", "-t", "=acme-auth-1:", "@amux-exit"],
      ["set-option", "-p", "-u", "-t", "=acme-auth-1:", "@amux-reported"],
      ["set-option", "-p", "-u", "-t", "=acme-auth-1:", "@amux-progress"],
      ["respawn-pane", "-k", "-t", "=acme-auth-1:", "-c", "/srv/acme", "-e", "MODE=fast", "--", "/bin/sh", "-c", "claude code"],
      ["set-option", "-t", "=acme-auth-1:", "@amux-restarts", "2"],
      ["pipe-pane", "-t", "=acme-auth-1:"],
      ["pipe-pane", "-o", "-t", "=acme-auth-1:", logWriterCommand("/srv/acme/.amux/logs/acme-auth-1.log")],
    ]);
  });
});

describe("killLine and labelLine", () => {
  it("kill the exact session", () => {
    expect(killLine("acme-auth-1")).toBe("kill-session -t =acme-auth-1");
  });

  it("set each label", () => {
    expect(parseTmuxLine(labelLine("a-1", { hash: "v1:abc", spec: "s" }))).toEqual([
      ["set-option", "-t", "=a-1:", "@amux-hash", "v1:abc"],
      ["set-option", "-t", "=a-1:", "@amux-spec", "s"],
    ]);
  });

  it("confirmedLine ends a line with a marker carrying the line's number only", () => {
    expect(parseTmuxLine(confirmedLine(killLine("a-1"), 7))).toEqual([
      ["kill-session", "-t", "=a-1"],
      ["display-message", "-p", "@@amux-ok 7"],
    ]);
  });
});

describe("SERVER_OPTIONS", () => {
  it("keep dead panes and enough history whatever ~/.tmux.conf says", () => {
    expect(SERVER_OPTIONS.map((c) => commandLine(c))).toEqual(["set-option -g history-limit 5000", "set-option -g remain-on-exit on"]);
  });
});

describe("parseOk", () => {
  it("collects the line numbers whose marker printed", () => {
    const out = ["@@amux-ok 0", "some other output", "@@amux-ok 12", "", "  @@amux-ok 3", "@@amux-ok acme-1", "@@amux-ok 4x"].join("\n");
    expect([...parseOk(out)].sort((a, b) => a - b)).toEqual([0, 12]);
  });

  it("is empty for empty output", () => {
    expect(parseOk("").size).toBe(0);
  });
});

describe("every value reaches tmux literally (formats, and strftime for pipe-pane, escaped where tmux expands them)", () => {
  const hostile: SessionCreate = {
    name: "acme-auth-1",
    cwd: "/srv/#(touch C)/~;x",
    argv: ["/bin/sh", "-c", "#(touch C) $(touch C)"],
    env: { K: "#(touch C)#{pane_id}", L: "-rf" },
    windowName: "#{pane_id}%Y -m",
    labels: { root: "/srv/#(touch C)" },
    logFile: "/srv/#(touch C) %Y/.amux/logs/acme-auth-1.log",
  };

  it("createLine: -s, -c and -n doubled, -e, argv and labels as given, pipe-pane's command doubled (# and %)", () => {
    expect(createLine(hostile)).toBe(
      [
        'new-session -d -s acme-auth-1 -x 200 -y 50 -c "/srv/##(touch C)/~;x" -n "##{pane_id}%Y -m" -e "K=#(touch C)#{pane_id}" -e L=-rf -- /bin/sh -c "#(touch C) \\$(touch C)"',
        "set-option -w -t =acme-auth-1: remain-on-exit on",
        'set-option -t =acme-auth-1: @amux-root "/srv/#(touch C)"',
        `pipe-pane -o -t =acme-auth-1: ${quoteArg(escapeTimeFormat(logWriterCommand("/srv/#(touch C) %Y/.amux/logs/acme-auth-1.log")))}`,
      ].join(" ; "),
    );
  });

  it("respawnLine: -c doubled, -e and argv as given", () => {
    expect(respawnLine(hostile, { restarts: "1" })).toBe(
      [
        "set-option -p -u -t =acme-auth-1: @amux-exit",
        "set-option -p -u -t =acme-auth-1: @amux-reported",
        "set-option -p -u -t =acme-auth-1: @amux-progress",
        'respawn-pane -k -t =acme-auth-1: -c "/srv/##(touch C)/~;x" -e "K=#(touch C)#{pane_id}" -e L=-rf -- /bin/sh -c "#(touch C) \\$(touch C)"',
        "set-option -t =acme-auth-1: @amux-restarts 1",
        "pipe-pane -t =acme-auth-1:",
        `pipe-pane -o -t =acme-auth-1: ${quoteArg(escapeTimeFormat(logWriterCommand("/srv/#(touch C) %Y/.amux/logs/acme-auth-1.log")))}`,
      ].join(" ; "),
    );
  });

  it("a directory starting with ~ is not taken for a home directory", () => {
    expect(createLine({ ...hostile, cwd: "~/x", windowName: "~" })).toContain('-c "\\~/x" -n "\\~"');
  });
});
