import { describe, expect, it } from "vitest";
import { cleanLog } from "../../../src/state/logs.js";

describe("cleanLog", () => {
  it.each([
    ["plain lines", "one\ntwo", ["one", "two"]],
    ["CRLF line ends", "one\r\ntwo\r\n", ["one", "two", ""]],
    ["a progress bar redrawn with CR", "downloading 10%\rdownloading 55%\rdownloading 100%\ndone", ["downloading 100%", "done"]],
    ["colours", "\x1b[32m✓\x1b[0m 12 tests passed", ["✓ 12 tests passed"]],
    ["a spinner that clears its line", "⠋ working\r\x1b[2K⠙ working\r\x1b[2Kfinished\n", ["finished", ""]],
    ["a title escape", "\x1b]0;claude\x07> hello", ["> hello"]],
    ["a bell", "ding\x07!", ["ding!"]],
    ["an empty log", "", [""]],
  ])("resolves %s", (_what, raw, lines) => {
    expect(cleanLog(raw)).toEqual(lines);
  });

  it("keeps tabs and unicode", () => {
    expect(cleanLog("a\tb ❯ ✻ é")).toEqual(["a\tb ❯ ✻ é"]);
  });
});

describe("cleanLog resolves carriage returns as a terminal does", () => {
  it.each([
    ["a line ending in CR CR LF keeps its text", "abc\r\r\ndef\r\n", ["abc", "def", ""]],
    ["a bare CR erases nothing", "abc\r", ["abc"]],
    ["shorter text overwrites from the left", "abcdef\rXY", ["XYcdef"]],
    ["erase-line clears what was there", "abcdef\r\x1b[KXY", ["XY"]],
  ])("%s", (_name, raw, want) => {
    expect(cleanLog(raw)).toEqual(want);
  });
});
