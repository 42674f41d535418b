import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countLines, filesOf, parseLeftRight, parseLog, parseNameStatusZ, parseNumstatZ, totals } from "../../../src/workspace/diff.js";

describe("parseNumstatZ", () => {
  it.each([
    ["counts", "3\t1\ta.txt\0", [["a.txt", { additions: 3, deletions: 1 }]]],
    ["binary", "-\t-\timg.png\0", [["img.png", null]]],
    ["tabs and newlines in a path", "1\t0\tweird\tname\nx\0", [["weird\tname\nx", { additions: 1, deletions: 0 }]]],
    [
      "several",
      "1\t2\ta\0" + "0\t5\tb/c\0",
      [
        ["a", { additions: 1, deletions: 2 }],
        ["b/c", { additions: 0, deletions: 5 }],
      ],
    ],
    ["empty", "", []],
  ])("%s", (_what, text, want) => {
    expect([...parseNumstatZ(text)]).toEqual(want);
  });
});

describe("parseNameStatusZ", () => {
  it("reads letter and path pairs", () => {
    expect(parseNameStatusZ("M\0a.txt\0A\0new dir/b\0D\0gone\0T\0link\0")).toEqual([
      { letter: "M", path: "a.txt" },
      { letter: "A", path: "new dir/b" },
      { letter: "D", path: "gone" },
      { letter: "T", path: "link" },
    ]);
    expect(parseNameStatusZ("")).toEqual([]);
  });
});

describe("parseLeftRight", () => {
  it.each([
    ["0\t0", { behind: 0, ahead: 0 }],
    ["2\t5\n", { behind: 2, ahead: 5 }],
    ["12 3", { behind: 12, ahead: 3 }],
    ["", undefined],
    ["x\t1", undefined],
    ["1", undefined],
  ])("%j", (text, want) => {
    expect(parseLeftRight(text)).toEqual(want);
  });
});

describe("parseLog", () => {
  it("reads the unit- and record-separated format, subjects with any punctuation", () => {
    const rec = (sha: string, subject: string) => `${sha}\x1f${subject}\x1fA U <a@u>\x1f2026-01-02T03:04:05+00:00\x1e`;
    expect(parseLog(`${rec("a".repeat(40), "fix: a | b")}\n${rec("b".repeat(40), "")}\n`)).toEqual([
      { sha: "a".repeat(40), subject: "fix: a | b", author: "A U <a@u>", date: "2026-01-02T03:04:05+00:00" },
      { sha: "b".repeat(40), subject: "", author: "A U <a@u>", date: "2026-01-02T03:04:05+00:00" },
    ]);
    expect(parseLog("")).toEqual([]);
  });
});

describe("filesOf and totals: the --json files", () => {
  it("joins statuses with counts, binary files counting zero", () => {
    const files = filesOf("committed", "M\0a\0A\0img\0D\0old\0", "2\t1\ta\0-\t-\timg\0" + "0\t4\told\0");
    expect(files).toEqual([
      { path: "a", status: "modified", kind: "committed", additions: 2, deletions: 1, binary: false },
      { path: "img", status: "added", kind: "committed", additions: 0, deletions: 0, binary: true },
      { path: "old", status: "deleted", kind: "committed", additions: 0, deletions: 4, binary: false },
    ]);
    expect(totals(files)).toEqual({ additions: 2, deletions: 5 });
    expect(totals([])).toEqual({ additions: 0, deletions: 0 });
  });
  it("a file with no numstat line (an empty added file) counts zero and is not binary", () => {
    expect(filesOf("uncommitted", "A\0empty\0", "")).toEqual([
      { path: "empty", status: "added", kind: "uncommitted", additions: 0, deletions: 0, binary: false },
    ]);
  });
});

describe("countLines (untracked files)", () => {
  it.each([
    ["a\nb\n", { lines: 2, binary: false }],
    ["a\nb", { lines: 2, binary: false }],
    ["", { lines: 0, binary: false }],
    ["x\0y", { lines: 0, binary: true }],
  ])("%j", (body, want) => {
    const dir = mkdtempSync(join(tmpdir(), "amux-count-"));
    try {
      writeFileSync(join(dir, "f"), body);
      expect(countLines(join(dir, "f"))).toEqual(want);
      expect(countLines(join(dir, "missing"))).toEqual({ lines: 0, binary: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
