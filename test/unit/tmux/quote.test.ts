/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { describe, expect, it } from "vitest";
import { commandLine, escapeFormat, escapeTimeFormat, groupLine, quoteArg, sessionTarget, shQuote } from "../../../src/tmux/quote.js";

describe("quoteArg", () => {
  it.each([
    ["plain", '"plain"'],
    ["", '""'],
    ["with space", '"with space"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["C:\\path", '"C:\\\\path"'],
    ["$HOME and ${USER}", '"\\$HOME and \\${USER}"'],
    ["line1\nline2", '"line1\\nline2"'],
    ["a\rb\tc", '"a\\rb\\tc"'],
    ["bell\x07esc\x1b", '"bell\\007esc\\033"'],
    ["nul\x00del\x7f", '"nul\\000del\\177"'],
    ["semi;colon", '"semi;colon"'],
    ["#{pane_id} ~/x 'single'", "\"#{pane_id} ~/x 'single'\""],
    ["naïve ❯ ✻", '"naïve ❯ ✻"'],
  ])("%j → %s", (input, quoted) => {
    expect(quoteArg(input)).toBe(quoted);
  });
});

describe("commandLine", () => {
  it("leaves plain words bare", () => {
    expect(commandLine(["new-session", "-d", "-s", "acme-auth-1", "-c", "/srv/acme", "-e", "MODE=fast", "-t", "=acme-auth-1:", "%3"])).toBe(
      "new-session -d -s acme-auth-1 -c /srv/acme -e MODE=fast -t =acme-auth-1: %3",
    );
  });

  it.each([
    ["a value ending in ';' (tmux would split the command there)", "X=a;", '"X=a;"'],
    ["a lone ';'", ";", '";"'],
    ["spaces", "/srv/my project", '"/srv/my project"'],
    ["a shell line", "claude code --resume", '"claude code --resume"'],
    ["a brace", "{", '"{"'],
    ["a #", "a#b", '"a#b"'],
    ["an empty string", "", '""'],
    ["a dollar", "$X", '"\\$X"'],
  ])("quotes %s", (_what, arg, out) => {
    expect(commandLine(["set-option", arg])).toBe(`set-option ${out}`);
  });
});

describe("groupLine", () => {
  it("joins commands with ' ; '", () => {
    expect(
      groupLine([
        ["kill-session", "-t", "=a"],
        ["display-message", "-p", "@@amux-ok a"],
      ]),
    ).toBe('kill-session -t =a ; display-message -p "@@amux-ok a"');
  });
});

describe("escapeFormat", () => {
  it.each([
    ["no hashes", "no hashes"],
    ["#", "##"],
    ["log #1.txt", "log ##1.txt"],
    ["#{pane_id}", "##{pane_id}"],
    ["##", "####"],
  ])("%j → %j", (input, out) => {
    expect(escapeFormat(input)).toBe(out);
  });

  it("leaves % alone (-c and -n are not strftime'd)", () => {
    expect(escapeFormat("/w/%Y %42")).toBe("/w/%Y %42");
  });
});

describe("escapeTimeFormat", () => {
  it.each([
    ["plain", "plain"],
    ["/p/%Y/#1 %%", "/p/%%Y/##1 %%%%"],
    ["%42 #{pane_id}", "%%42 ##{pane_id}"],
  ])("%j → %j", (input, out) => {
    expect(escapeTimeFormat(input)).toBe(out);
  });
});

describe("shQuote", () => {
  it.each([
    ["plain", "'plain'"],
    ["it's", "'it'\\''s'"],
    ['$HOME `x` "y"', "'$HOME `x` \"y\"'"],
  ])("%j → %s", (input, out) => {
    expect(shQuote(input)).toBe(out);
  });
});

describe("sessionTarget", () => {
  it("targets the session by exact name", () => {
    expect(sessionTarget("acme-auth-1")).toBe("=acme-auth-1:");
  });
});

describe("quoteArg keeps a leading ~ literal (tmux expands it even inside double quotes)", () => {
  it.each([
    ["~/notes are here", '"\\~/notes are here"'],
    ["~root/x", '"\\~root/x"'],
    ["a ~ b", '"a ~ b"'],
  ])("%j", (input, want) => {
    expect(quoteArg(input)).toBe(want);
  });
});

describe("quoteArg against its definition, character by character", () => {
  /** The rule as written: `\`, `"`, `$` and a leading `~` escaped, \n \r \t by name, other controls in octal. */
  function byCharacter(s: string): string {
    let out = '"';
    for (const ch of s) {
      const c = ch.codePointAt(0) as number;
      if (ch === "\\" || ch === '"' || ch === "$" || (ch === "~" && out === '"')) out += `\\${ch}`;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (c < 0x20 || c === 0x7f) out += `\\${c.toString(8).padStart(3, "0")}`;
      else out += ch;
    }
    return `${out}"`;
  }

  it("agrees on every string of up to 3 characters from the characters that matter, and on long mixed ones", () => {
    const alphabet = ["a", "~", "\\", '"', "$", "\n", "\r", "\t", "\x00", "\x01", "\x1f", "\x7f", "é", "\u{1F600}", "\ud800", "#", "%", " ", ";", "'", "{"];
    const strings = [""];
    for (let len = 1; len <= 3; len++) for (const s of strings.filter((x) => [...x].length === len - 1)) for (const ch of alphabet) strings.push(s + ch);
    strings.push(alphabet.join("").repeat(50), `~${alphabet.join("")}~`);
    for (const s of strings) expect(quoteArg(s)).toBe(byCharacter(s));
    expect(strings.length).toBeGreaterThan(9000);
  });
});
