import { describe, expect, it } from "vitest";
import { captureLine, endLine, isPaneId, newNonce, parseFrames } from "../../../src/tmux/capture.js";
import { parseTmuxLine } from "./parse-tmux-line.js";

const NONCE = "0123456789abcdef0123456789abcdef";

/** A pane as tmux would print it: `rows` padded with blank rows to `height`; null when it has gone. */
interface Pane {
  id: string;
  height: number;
  cursorY?: number;
  rows: string[] | null;
}

/**
 * What `tmux source-file -` prints for one captureLine per pane: the header tmux formats, then
 * exactly `height` rows (capture-pane prints blank rows too). A pane that has gone prints its
 * header with empty values (display-message does not fail on a missing target) and no rows.
 */
function tmuxOutput(panes: Pane[], nonce = NONCE, after?: string): string {
  const out: string[] = [];
  for (const p of panes) {
    if (p.rows === null) {
      out.push(`${nonce}   `);
      continue;
    }
    out.push(`${nonce} ${p.id} ${p.height} ${p.cursorY ?? 0}`);
    for (let i = 0; i < p.height; i++) out.push(p.rows[i] ?? "");
  }
  if (after !== undefined) out.push(`${nonce} list`, after);
  return `${out.join("\n")}\n`;
}

const trimmed = (rows: string[]) => {
  const r = [...rows];
  while (r.length && r[r.length - 1] === "") r.pop();
  return r;
};

/** Lines a program may print to look like framing: old markers, this nonce's header and end line. */
const IMPOSTORS = [
  "@@amux-cap %3",
  "@@amux-cap %8",
  "@@amux-list",
  "@@amux-ok acme-1",
  `${NONCE} %7 3 0`,
  `${NONCE} %999 50 49`,
  `${NONCE} list`,
  `${NONCE}   `,
  `${NONCE}`,
  "%42",
  "#{pane_id}",
];

describe("captureLine", () => {
  it("asks tmux for a header, then the screen; the format's only variable part is the nonce", () => {
    expect(parseTmuxLine(captureLine("%123", NONCE))).toEqual([
      ["display-message", "-p", "-t", "%123", `${NONCE} #{pane_id} #{pane_height} #{cursor_y}`],
      ["capture-pane", "-p", "-t", "%123"],
    ]);
  });

  it("puts no pane id or name in the format (display-message expands strftime %)", () => {
    for (const target of ["%8", "%42", "=acme-1:"]) {
      const [display] = parseTmuxLine(captureLine(target, NONCE));
      expect(display?.[4]).not.toContain(target);
      expect(display?.[4]).not.toMatch(/%/);
    }
  });

  it("endLine prints the nonce and a word", () => {
    expect(parseTmuxLine(endLine(NONCE, "list"))).toEqual([["display-message", "-p", `${NONCE} list`]]);
  });
});

describe("newNonce", () => {
  it("is fresh hex every time: nothing format or strftime expansion would touch", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const n = newNonce();
      expect(n).toMatch(/^[0-9a-f]{32}$/);
      seen.add(n);
    }
    expect(seen.size).toBe(200);
  });
});

describe("isPaneId", () => {
  it.each([
    ["%0", true],
    ["%999", true],
    ["%", false],
    ["%1;", false],
    ["% 1", false],
    ["=a:", false],
    ["%1#{x}", false],
  ])("%s → %s", (s, ok) => {
    expect(isPaneId(s)).toBe(ok);
  });
});

describe("parseFrames", () => {
  it("finds every pane from %0 to %999, whatever its id looks like to strftime", () => {
    const panes: Pane[] = [];
    for (let n = 0; n <= 999; n++) panes.push({ id: `%${n}`, height: 1 + (n % 4), cursorY: n % 3, rows: [`screen of %${n}`, n % 2 ? "$ " : ""] });
    const { frames } = parseFrames(tmuxOutput(panes), NONCE);
    expect(frames.size).toBe(1000);
    for (const p of panes) {
      const f = frames.get(p.id);
      expect(f, p.id).toBeDefined();
      expect(f?.rows).toEqual(trimmed((p.rows ?? []).slice(0, p.height)));
      expect(f?.height).toBe(p.height);
      expect(f?.cursorY).toBe(p.cursorY);
    }
  });

  it.each(IMPOSTORS.map((line) => [line]))("keeps a screen line %j as content, in any row", (line) => {
    for (let row = 0; row < 4; row++) {
      const rows = ["before", "", "Overwrite file? [y/N] ", ""];
      rows[row] = line;
      const panes: Pane[] = [
        { id: "%3", height: 4, rows: ["first"] },
        { id: "%42", height: 4, rows },
        { id: "%8", height: 2, rows: ["last", "$ "] },
      ];
      const { frames, rest } = parseFrames(tmuxOutput(panes, NONCE, "LIST"), NONCE, "list");
      expect([...frames.keys()]).toEqual(["%3", "%42", "%8"]);
      expect(frames.get("%42")?.rows).toEqual(trimmed(rows));
      expect(frames.get("%3")?.rows).toEqual(["first"]);
      expect(frames.get("%8")?.rows).toEqual(["last", "$ "]);
      expect(rest).toBe("LIST\n");
    }
  });

  it("takes a whole screen of exact header copies (a guessed nonce) as rows", () => {
    const fake = [`${NONCE} %5 3 0`, `${NONCE} %5 3 0`, `${NONCE} list`];
    const { frames, rest } = parseFrames(tmuxOutput([{ id: "%150", height: 3, rows: fake }], NONCE, "L"), NONCE, "list");
    expect([...frames.keys()]).toEqual(["%150"]);
    expect(frames.get("%150")?.rows).toEqual(fake);
    expect(rest).toBe("L\n");
  });

  it("gives an empty screen for a blank pane, and drops only trailing blank rows", () => {
    const { frames } = parseFrames(
      tmuxOutput([
        { id: "%1", height: 5, rows: [] },
        { id: "%2", height: 6, rows: ["", "a", "", "", "b"] },
      ]),
      NONCE,
    );
    expect(frames.get("%1")?.rows).toEqual([]);
    expect(frames.get("%2")?.rows).toEqual(["", "a", "", "", "b"]);
  });

  it("leaves out a pane that had gone, without shifting the others", () => {
    const panes: Pane[] = [
      { id: "%160", height: 2, rows: ["one", "[y/N]"] },
      { id: "%161", height: 3, rows: null },
      { id: "%162", height: 2, rows: ["three", "> "] },
      { id: "%163", height: 1, rows: null },
    ];
    const { frames, rest } = parseFrames(tmuxOutput(panes, NONCE, "list output"), NONCE, "list");
    expect([...frames.keys()]).toEqual(["%160", "%162"]);
    expect(frames.get("%160")?.rows).toEqual(["one", "[y/N]"]);
    expect(frames.get("%162")?.rows).toEqual(["three", "> "]);
    expect(rest).toBe("list output\n");
  });

  it("leaves out a frame cut short instead of taking the next pane's header as its rows", () => {
    const out = [`${NONCE} %1 4 0`, "only", "two", `${NONCE} %2 2 1`, "x", "> ", ""].join("\n");
    const { frames } = parseFrames(out, NONCE);
    expect(frames.has("%1")).toBe(false);
    expect(frames.get("%2")?.rows).toEqual(["x", "> "]);
  });

  it("leaves out a frame cut short at the end of the output", () => {
    const { frames } = parseFrames([`${NONCE} %1 4 0`, "a", ""].join("\n"), NONCE);
    expect(frames.size).toBe(0);
  });

  it("ignores headers of another nonce and lines outside any frame", () => {
    const other = "ffffffffffffffffffffffffffffffff";
    const out = `noise\n${tmuxOutput([{ id: "%1", height: 1, rows: ["mine"] }], other)}${tmuxOutput([{ id: "%2", height: 1, rows: ["ok"] }])}`;
    expect([...parseFrames(out, NONCE).frames.keys()]).toEqual(["%2"]);
  });

  it("has no rest when the end line never came (the list command failed)", () => {
    const { frames, rest } = parseFrames(tmuxOutput([{ id: "%1", height: 1, rows: ["a"] }]), NONCE, "list");
    expect(frames.size).toBe(1);
    expect(rest).toBeUndefined();
  });

  it("round-trips random screens full of framing look-alikes", () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let round = 0; round < 50; round++) {
      const panes: Pane[] = [];
      const count = 1 + rand(30);
      for (let k = 0; k < count; k++) {
        const height = 1 + rand(8);
        const gone = rand(6) === 0;
        const rows = Array.from({ length: rand(height + 1) }, () =>
          rand(3) === 0 ? (IMPOSTORS[rand(IMPOSTORS.length)] as string) : rand(2) ? "" : `text ${rand(1000)}`,
        );
        panes.push({ id: `%${k * 37 + rand(37)}`, height, cursorY: rand(height), rows: gone ? null : rows });
      }
      const { frames, rest } = parseFrames(tmuxOutput(panes, NONCE, "tail"), NONCE, "list");
      const live = panes.filter((p) => p.rows !== null);
      expect([...frames.keys()]).toEqual(live.map((p) => p.id));
      for (const p of live) expect(frames.get(p.id)?.rows).toEqual(trimmed(p.rows ?? []));
      expect(rest).toBe("tail\n");
    }
  });
});
