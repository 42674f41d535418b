import { describe, expect, it } from "vitest";
import { labelNumber, replicaOf, restartsOf } from "../../../src/tmux/labels.js";
import { PANE_FORMAT, parsePanes } from "../../../src/tmux/observe.js";
import { LABEL_KEYS, type Labels } from "../../../src/tmux/types.js";

// Labels are tmux user options: anyone with access to the server can set them to anything.
const HOSTILE: [string | undefined, number | null][] = [
  [undefined, null],
  ["", null],
  ["0", 0],
  ["3", 3],
  ["007", 7],
  ["123456789012345", 123456789012345],
  ["1234567890123456", null],
  ["99999999999999999999999999", null],
  ["-1", null],
  ["+2", null],
  ["1.5", null],
  ["1e3", null],
  ["0x10", null],
  [" 2", null],
  ["2 ", null],
  ["2\n", null],
  ["Infinity", null],
  ["NaN", null],
  ["٣", null],
  ["3; rm -rf /", null],
  ["#{pane_pid}", null],
  ["__proto__", null],
];

describe("labelNumber: digits only, a safe integer; anything else is no number", () => {
  it.each(HOSTILE)("%j → %j", (v, want) => {
    expect(labelNumber(v)).toBe(want);
  });
});

describe("replicaOf and restartsOf read the same way", () => {
  it.each(HOSTILE)("%j", (v, want) => {
    const labels: Labels = v === undefined ? {} : { replica: v, restarts: v };
    expect(replicaOf({ labels })).toBe(want);
    expect(restartsOf({ labels })).toBe(want ?? 0);
  });
});

describe("parsePanes reads the exit label with the same rule", () => {
  const line = (exit: string) =>
    ["s", "1700000000", "%1", "42", "1", "", "", "", "1700000100", "/srv", ...LABEL_KEYS.map((k) => (k === "exit" ? exit : "")), ""].join("\t");

  it("uses the format's field count", () => {
    expect(line("0").split("\t")).toHaveLength(PANE_FORMAT.split("\t").length);
  });

  it.each([
    ["3", 3],
    ["0", 0],
    ["-1", null],
    ["1e3", null],
    [" 3", null],
    ["abc", null],
  ])("@amux-exit %j → exit code %j", (exit, code) => {
    expect(parsePanes(line(exit))[0]?.exitCode).toBe(code);
  });
});
