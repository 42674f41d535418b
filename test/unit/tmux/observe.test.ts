import { describe, expect, it } from "vitest";
import { captureLine } from "../../../src/tmux/capture.js";
import { captureIfActiveLine, guardedCaptures, PANE_FORMAT, parsePanes } from "../../../src/tmux/observe.js";
import { groupLine } from "../../../src/tmux/quote.js";
import { LABEL_KEYS, type Labels } from "../../../src/tmux/types.js";
import { parseTmuxLine } from "./parse-tmux-line.js";

interface Pane {
  session: string;
  created?: string;
  paneId?: string;
  pid?: string;
  dead?: "0" | "1";
  deadStatus?: string;
  deadTime?: string;
  deadSignal?: string;
  activity?: string;
  path?: string;
  labels?: Labels;
  title?: string;
}

/** One list-panes line in PANE_FORMAT's field order, as tmux prints it. */
function line(p: Pane): string {
  return [
    p.session,
    p.created ?? "1700000000",
    p.paneId ?? "%1",
    p.pid ?? "4242",
    p.dead ?? "0",
    p.deadStatus ?? "",
    p.deadTime ?? "",
    p.deadSignal ?? "",
    p.activity ?? "1700000100",
    p.path ?? "/srv/acme",
    ...LABEL_KEYS.map((k) => p.labels?.[k] ?? ""),
    p.title ?? "",
  ].join("\t");
}

const LABELS: Labels = {
  root: "/srv/acme",
  project: "acme",
  service: "auth",
  replica: "2",
  agent: "claude",
  hash: "v1:0123456789abcdef",
  restarts: "1",
  v: "1",
  spec: '{"command":"claude code"}',
};

describe("PANE_FORMAT", () => {
  it("asks for the pane state, exit status, activity and every label, tab-separated", () => {
    const fields = PANE_FORMAT.split("\t");
    expect(fields.slice(0, 10)).toEqual([
      "#{session_name}",
      "#{session_created}",
      "#{pane_id}",
      "#{pane_pid}",
      "#{pane_dead}",
      "#{pane_dead_status}",
      "#{pane_dead_time}",
      "#{pane_dead_signal}",
      "#{window_activity}",
      "#{pane_current_path}",
    ]);
    for (const k of LABEL_KEYS) expect(fields).toContain(`#{@amux-${k}}`);
  });
});

describe("parsePanes", () => {
  it("reads a live labelled pane", () => {
    expect(parsePanes(`${line({ session: "acme-auth-2", paneId: "%7", labels: LABELS, title: "✳ Claude Code" })}\n`)).toEqual([
      {
        name: "acme-auth-2",
        createdAt: 1_700_000_000_000,
        paneId: "%7",
        pid: 4242,
        dead: false,
        exitCode: null,
        deadAt: null,
        // tmux's seconds are rounded down: amux takes the end of that second.
        activityAt: 1_700_000_101_000,
        cwd: "/srv/acme",
        title: "✳ Claude Code",
        labels: LABELS,
      },
    ]);
  });

  it("reads a dead pane's exit code and time, with no pid", () => {
    const [s] = parsePanes(line({ session: "acme-auth-1", dead: "1", pid: "4242", deadStatus: "3", deadTime: "1700000200", labels: LABELS }));
    expect(s).toMatchObject({ dead: true, pid: null, exitCode: 3, deadAt: 1_700_000_201_000 });
  });

  it("reads exit code 0 as 0, not as missing", () => {
    const [s] = parsePanes(line({ session: "a", dead: "1", deadStatus: "0", deadTime: "1700000200" }));
    expect(s?.exitCode).toBe(0);
  });

  it("ignores a stale exit status on a live pane", () => {
    const [s] = parsePanes(line({ session: "a", dead: "0", deadStatus: "1" }));
    expect(s).toMatchObject({ dead: false, exitCode: null, deadAt: null, pid: 4242 });
  });

  it("gives a session without amux labels empty labels (a foreign session)", () => {
    const [s] = parsePanes(line({ session: "scratch" }));
    expect(s?.labels).toEqual({});
  });

  it("keeps the labels of an `amux run` session, which has no service", () => {
    const [s] = parsePanes(line({ session: "claude-1", labels: { root: "/srv/acme", project: "acme", agent: "claude" } }));
    expect(s?.labels).toEqual({ root: "/srv/acme", project: "acme", agent: "claude" });
  });

  it("keeps the first pane of each session, in order", () => {
    const out = parsePanes([line({ session: "b", paneId: "%2" }), line({ session: "a", paneId: "%3" }), line({ session: "b", paneId: "%4" }), ""].join("\n"));
    expect(out.map((s) => [s.name, s.paneId])).toEqual([
      ["b", "%2"],
      ["a", "%3"],
    ]);
  });

  it("keeps tabs in a title the program set", () => {
    const [s] = parsePanes(line({ session: "a", title: "left\tright" }));
    expect(s?.title).toBe("left\tright");
  });

  it("skips blank and truncated lines", () => {
    expect(parsePanes("")).toEqual([]);
    expect(parsePanes("\n\n")).toEqual([]);
    expect(parsePanes("acme-auth-1\t1700000000\t%1\n")).toEqual([]);
  });

  it("treats non-numeric times as zero rather than NaN", () => {
    const [s] = parsePanes(line({ session: "a", created: "", activity: "x" }));
    // createdAt is not rounded: it is when the session was made, shown to people.
    expect(s).toMatchObject({ createdAt: 0, activityAt: 0 });
  });
});

describe("parsePanes exit status", () => {
  it("counts a pane killed by a signal as 128+n", () => {
    const [s] = parsePanes(line({ session: "a", dead: "1", deadStatus: "", deadSignal: "9", deadTime: "1700000200" }));
    expect(s).toMatchObject({ dead: true, exitCode: 137 });
  });

  it("leaves the exit code null while tmux has not collected it", () => {
    const [s] = parsePanes(line({ session: "a", dead: "1", deadStatus: "", deadTime: "" }));
    expect(s).toMatchObject({ dead: true, exitCode: null, deadAt: null });
  });
});

describe("guardedCaptures", () => {
  const N = "0123456789abcdef0123456789abcdef";
  it("no pane with a capture time: no guard", () => {
    expect(guardedCaptures(["%1"], new Map(), N)).toEqual([]);
    expect(guardedCaptures([], new Map([["%1", 5_000]]), N)).toEqual([]);
  });
  it("one line: a guard on the earliest capture second, holding each pane's own conditional capture", () => {
    const at = new Map([
      ["%1", 1_796_224_790_500],
      ["%2", 1_796_224_700_999],
      ["%3", undefined as unknown as number],
    ]);
    const [line, ...rest] = guardedCaptures(["%1", "%2", "%3"], at, N);
    expect(rest).toEqual([]);
    // The guard is one format loop over every window, from the earliest second (1796224700); each
    // pane's own line rides inside as it is, newline-separated (each its own group when tmux reads it).
    const inner = [captureIfActiveLine("%1", 1_796_224_790_500, N), captureIfActiveLine("%2", 1_796_224_700_999, N)].join("\n");
    expect(parseTmuxLine(line as string)).toEqual([["if-shell", "-F", "#{S:#{W:#{?#{e|>=:#{window_activity},1796224700},1,}}}", inner]]);
    expect(line).not.toContain("%3");
  });
});

describe("captureIfActiveLine", () => {
  it.each([
    ["%0", 0, "0123456789abcdef0123456789abcdef"],
    ["%12", 1_796_224_790_999, "ffffffffffffffffffffffffffffffff"],
    ["%123456", 1_796_224_791_000, "00000000000000000000000000000000"],
  ])("%s at %i: written as groupLine writes it", (id, at, nonce) => {
    const since = Math.floor(at / 1000);
    const generic = groupLine([["if-shell", "-F", "-t", id, `#{e|>=:#{window_activity},${since}}`, captureLine(id, nonce)]]);
    expect(captureIfActiveLine(id, at, nonce)).toBe(generic);
    expect(parseTmuxLine(captureIfActiveLine(id, at, nonce))).toEqual([
      ["if-shell", "-F", "-t", id, `#{e|>=:#{window_activity},${since}}`, captureLine(id, nonce)],
    ]);
  });
  it("anything else goes through groupLine", () => {
    const id = "=a b:";
    expect(parseTmuxLine(captureIfActiveLine(id, 5_000, "NONCE$x"))).toEqual([
      ["if-shell", "-F", "-t", id, "#{e|>=:#{window_activity},5}", captureLine(id, "NONCE$x")],
    ]);
  });
});
