/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { describe, expect, it } from "vitest";
import { logWriterCommand } from "../../../src/tmux/log-writer.js";
import { captureLine, createLine, killLine, labelLine, parseCaptures, parseOk, respawnLine, SERVER_OPTIONS } from "../../../src/tmux/ops.js";
import { commandLine } from "../../../src/tmux/quote.js";
import type { SessionCreate } from "../../../src/tmux/types.js";

/**
 * Splits one line of tmux's command language into commands and their arguments, the way tmux's
 * parser does for what amux writes: bare words, double-quoted words with backslash escapes
 * (\n \r \t, \ooo octal, otherwise the character itself), and `;` between commands, also when
 * glued to the end of a bare word. It refuses what tmux would expand: `$` in quotes, a leading `~`.
 */
function parseTmuxLine(line: string): string[][] {
  const commands: string[][] = [[]];
  const push = (w: string) => (commands[commands.length - 1] as string[]).push(w);
  let i = 0;
  while (i < line.length) {
    const ch = line[i] as string;
    if (ch === " ") {
      i++;
      continue;
    }
    if (ch === "~" || (ch === '"' && line[i + 1] === "~")) throw new Error(`a word starting with ~ would be expanded to a home directory: ${line}`);
    if (ch === '"') {
      let w = "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\") {
          const n = line[i + 1] as string;
          const octal = /^[0-7]{3}/.exec(line.slice(i + 1));
          if (octal) {
            w += String.fromCharCode(Number.parseInt(octal[0], 8));
            i += 4;
            continue;
          }
          w += ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[n] ?? n;
          i += 2;
          continue;
        }
        if (line[i] === "$") throw new Error(`unescaped $ in quotes would be expanded: ${line}`);
        w += line[i];
        i++;
      }
      if (line[i] !== '"') throw new Error(`unterminated quote: ${line}`);
      i++;
      push(w);
      continue;
    }
    let w = "";
    while (i < line.length && line[i] !== " ") w += line[i++];
    if (w === ";") commands.push([]);
    else if (w.endsWith(";")) {
      push(w.slice(0, -1));
      commands.push([]);
    } else push(w);
  }
  return commands;
}

const BASE: SessionCreate = {
  name: "acme-auth-1",
  cwd: "/srv/acme",
  argv: ["/bin/sh", "-c", "claude code"],
  env: { MODE: "fast" },
  labels: { root: "/srv/acme", service: "auth" },
  logFile: "/srv/acme/.amux/logs/acme-auth-1.log",
};

describe("createLine", () => {
  it("is one group: new-session with env, remain-on-exit, labels, output capture, then the marker", () => {
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
        `pipe-pane -o -t =acme-auth-1: ${commandLine([logWriterCommand("/srv/my acme/.amux/logs/it's #1.log")])}`,
        'display-message -p "@@amux-ok acme-auth-1"',
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
      ["display-message", "-p", "@@amux-ok acme-auth-1"],
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
    expect(parsed).toHaveLength(6);
    expect(parsed[0]).toContain(`V=${value}`);
    expect(parsed[0]?.slice(-4)).toEqual(["--", "/bin/sh", "-c", "claude code"]);
  });

  it("shell-quotes the log path and doubles # for pipe-pane", () => {
    const parsed = parseTmuxLine(createLine({ ...BASE, logFile: "/tmp/a b/$x #2;.log" }));
    expect(parsed[4]?.slice(0, 4)).toEqual(["pipe-pane", "-o", "-t", "=acme-auth-1:"]);
    expect(parsed[4]?.[4]).toMatch(/^exec sh -c '.*' amux-log '\/tmp\/a b\/\$x ##2;\.log' 10485760 2$/s);
    expect(parsed[4]?.[4]).not.toMatch(/[^#]#[^#]/);
  });

  it("ends with the marker naming the session", () => {
    expect(createLine(BASE).endsWith('display-message -p "@@amux-ok acme-auth-1"')).toBe(true);
  });

  it("adds no window name when none is given", () => {
    expect(createLine(BASE)).not.toContain(" -n ");
  });
});

describe("respawnLine", () => {
  it("restarts the pane in place: old exit code cleared, fresh labels, the pipe reopened, marker", () => {
    expect(parseTmuxLine(respawnLine(BASE, { restarts: "2" }))).toEqual([
      ["set-option", "-p", "-u", "-t", "=acme-auth-1:", "@amux-exit"],
      ["respawn-pane", "-k", "-t", "=acme-auth-1:", "-c", "/srv/acme", "-e", "MODE=fast", "--", "/bin/sh", "-c", "claude code"],
      ["set-option", "-t", "=acme-auth-1:", "@amux-restarts", "2"],
      ["pipe-pane", "-t", "=acme-auth-1:"],
      ["pipe-pane", "-o", "-t", "=acme-auth-1:", logWriterCommand("/srv/acme/.amux/logs/acme-auth-1.log")],
      ["display-message", "-p", "@@amux-ok acme-auth-1"],
    ]);
  });
});

describe("killLine and labelLine", () => {
  it("kill the exact session, then confirm", () => {
    expect(killLine("acme-auth-1")).toBe('kill-session -t =acme-auth-1 ; display-message -p "@@amux-ok acme-auth-1"');
  });

  it("set each label, then confirm", () => {
    expect(parseTmuxLine(labelLine("a-1", { hash: "v1:abc", state: "stopped" }))).toEqual([
      ["set-option", "-t", "=a-1:", "@amux-hash", "v1:abc"],
      ["set-option", "-t", "=a-1:", "@amux-state", "stopped"],
      ["display-message", "-p", "@@amux-ok a-1"],
    ]);
  });
});

describe("SERVER_OPTIONS", () => {
  it("keep dead panes and enough history whatever ~/.tmux.conf says", () => {
    expect(SERVER_OPTIONS.map((c) => commandLine(c))).toEqual(["set-option -g history-limit 5000", "set-option -g remain-on-exit on"]);
  });
});

describe("parseOk", () => {
  it("collects the names whose marker printed", () => {
    const out = ["@@amux-ok acme-auth-1", "some other output", "@@amux-ok acme-auth-3", "", "  @@amux-ok indented-is-not-a-marker"].join("\n");
    expect([...parseOk(out)].sort()).toEqual(["acme-auth-1", "acme-auth-3"]);
  });

  it("is empty for empty output", () => {
    expect(parseOk("").size).toBe(0);
  });
});

describe("captures", () => {
  it("captureLine prints the marker, then the screen", () => {
    expect(parseTmuxLine(captureLine("%12"))).toEqual([
      ["display-message", "-p", "@@amux-cap %12"],
      ["capture-pane", "-p", "-t", "%12"],
    ]);
  });

  it("parseCaptures splits screens at their markers and drops trailing blank rows", () => {
    const out = ["ignored before any marker", "@@amux-cap %1", "line a", "", "line b", "", "", "@@amux-cap %2", "$ ", "", "", ""].join("\n");
    const m = parseCaptures(out);
    expect([...m.keys()]).toEqual(["%1", "%2"]);
    expect(m.get("%1")).toEqual(["line a", "", "line b"]);
    expect(m.get("%2")).toEqual(["$ "]);
  });

  it("parseCaptures gives an empty screen for a blank pane", () => {
    expect(parseCaptures("@@amux-cap %5\n\n\n").get("%5")).toEqual([]);
  });
});
