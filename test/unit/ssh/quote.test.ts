/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { remoteCommandLine, shQuote } from "../../../src/ssh/quote.js";

/** Values that would do something if a shell read them unquoted. */
const HOSTILE: readonly [string, string][] = [
  ["", "''"],
  ["plain", "'plain'"],
  ["two words", "'two words'"],
  ["'", "''\\'''"],
  ["it's", "'it'\\''s'"],
  ["''", "''\\'''\\'''"],
  ['"double"', "'\"double\"'"],
  ["back\\slash", "'back\\slash'"],
  ["$(touch pwned)", "'$(touch pwned)'"],
  ["`touch pwned`", "'`touch pwned`'"],
  ["; touch pwned", "'; touch pwned'"],
  ["'; touch pwned; '", "''\\''; touch pwned; '\\'''"],
  ["a\ntouch pwned\n", "'a\ntouch pwned\n'"],
  ["| touch pwned && x > y < z &", "'| touch pwned && x > y < z &'"],
  ["$HOME ${HOME} $((1+1)) $1 $@ $*", "'$HOME ${HOME} $((1+1)) $1 $@ $*'"],
  ["*", "'*'"],
  ["[a-z]* ?", "'[a-z]* ?'"],
  ["~", "'~'"],
  ["~root/x", "'~root/x'"],
  ["-n", "'-n'"],
  ["--help", "'--help'"],
  ["#comment", "'#comment'"],
  ["a\tb\rc", "'a\tb\rc'"],
  ["ünïcödé ❯ 日本語 🙂", "'ünïcödé ❯ 日本語 🙂'"],
  ["\x1b[31mred\x1b[0m", "'\x1b[31mred\x1b[0m'"],
  ["{a,b} !! %s", "'{a,b} !! %s'"],
];

describe("shQuote", () => {
  it.each(HOSTILE)("%j → %s", (input, quoted) => {
    expect(shQuote(input)).toBe(quoted);
  });

  it("refuses a NUL byte, which no argv can carry", () => {
    expect(() => shQuote("a\0b")).toThrow(/NUL/);
  });

  it("every hostile value reaches a program through a real sh literally", () => {
    const values = HOSTILE.map(([v]) => v);
    const line = remoteCommandLine(["printf", "%s\\0", ...values]);
    const r = spawnSync("/bin/sh", ["-c", line], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout.split("\0").slice(0, -1)).toEqual(values);
  });
});

describe("remoteCommandLine", () => {
  it("quotes every word, the program too", () => {
    expect(remoteCommandLine(["tmux", "-L", "amux", "list-sessions", "-F", "#{session_name}"])).toBe(
      "'tmux' '-L' 'amux' 'list-sessions' '-F' '#{session_name}'",
    );
  });

  it("runs in a clean environment keeping only the named variables when set", () => {
    const line = remoteCommandLine(["printenv"], ["KEEP", "UNSET_HERE"]);
    expect(line).toBe(`exec env -i \${KEEP+"KEEP=$KEEP"} \${UNSET_HERE+"UNSET_HERE=$UNSET_HERE"} 'printenv'`);
    const r = spawnSync("/bin/sh", ["-c", line], { encoding: "utf8", env: { KEEP: "a b $(x) 'q'", DROP: "secret", PATH: process.env.PATH } });
    expect(r.stdout).toBe("KEEP=a b $(x) 'q'\n");
  });

  it("refuses a variable name that is not one, and an empty command", () => {
    expect(() => remoteCommandLine(["x"], ["A;rm"])).toThrow(/not a variable name/);
    expect(() => remoteCommandLine([])).toThrow(/no remote command/);
  });
});
