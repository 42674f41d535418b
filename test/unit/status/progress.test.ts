import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyPane } from "../../../src/status/classify.js";
import { buildProfile } from "../../../src/status/profiles.js";
import { formatProgress, nextProgress, parseProgress, progressFingerprint, progressRow, trackProgress } from "../../../src/status/progress.js";

const SCREENS = join(import.meta.dirname, "../../../fixtures/screens");
const screen = (file: string) => readFileSync(join(SCREENS, file), "utf8").split("\n");
const busyOf = (p: string) => buildProfile(p, p).busy;

/** The same screen one second later: every elapsed counter ticked, every spinner moved one frame. */
function tick(rows: string[], seconds = 1): string[] {
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  const stars = ["·", "✢", "✳", "✶", "✻", "✽"];
  return rows.map((r) =>
    r
      .replace(/\b(\d+)s\b/g, (_, n: string) => `${Number(n) + seconds}s`)
      .replace(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/g, (c) => frames[(frames.indexOf(c) + 1) % frames.length] as string)
      .replace(/^([·✢✳✶✻✽])/, (c) => stars[(stars.indexOf(c) + 1) % stars.length] as string),
  );
}

describe("progress fingerprint of real screens", () => {
  it.each([
    ["claude-busy-9s.txt", "claude"],
    ["claude-tool-running-8s.txt", "claude"],
    ["codex-busy.ansi.txt", "codex"],
    ["codex-tool-running-10s.txt", "codex"],
    ["gemini-busy-stream-9s.txt", "gemini"],
    ["codex-wait-8s.txt", "codex"],
    ["gemini-wait-12s.txt", "gemini"],
  ])("%s: the same across counter ticks and spinner frames", (file, profile) => {
    const rows = screen(file);
    const fp = progressFingerprint(rows, busyOf(profile));
    expect(tick(rows)).not.toEqual(rows);
    expect(progressFingerprint(tick(rows), busyOf(profile))).toBe(fp);
    expect(progressFingerprint(tick(rows, 75), busyOf(profile))).toBe(fp);
  });

  it.each([
    ["claude-busy-9s.txt", "claude"],
    ["codex-busy.ansi.txt", "codex"],
    ["gemini-busy-stream-9s.txt", "gemini"],
  ])("%s: a new line of output is progress", (file, profile) => {
    const rows = screen(file);
    const more = [...rows];
    const at = more.findIndex((r) => /Working on it|^●\s*$|SLOW/.test(r));
    more.splice(at + 1, 0, "Reading src/index.ts");
    expect(progressFingerprint(more, busyOf(profile))).not.toBe(progressFingerprint(rows, busyOf(profile)));
  });

  it("a token counter that moves is progress; one that stays is not", () => {
    const busy = busyOf("claude");
    const a = ["✻ Wrangling… (8s · ↓ 6 tokens)", "  esc to interrupt"];
    expect(progressFingerprint(["✶ Wrangling… (9s · ↓ 6 tokens)", "  esc to interrupt"], busy)).toBe(progressFingerprint(a, busy));
    expect(progressFingerprint(["✶ Wrangling… (9s · ↓ 40 tokens)", "  esc to interrupt"], busy)).not.toBe(progressFingerprint(a, busy));
  });

  it.each([
    ["⠋ Thinking (12s • esc to interrupt)", "⠙ Thinking (13s • esc to interrupt)"],
    ["  ⎿  Running… (11s)", "  ⎿  Running… (1m 3s)"],
    ["Worked for 22s • 11:52", "Worked for 1m 2s • 11:53"],
    ["| building", "/ building"],
    ["waiting 45s", "waiting 46s"],
    ["[12:03:04] still here", "[12:03:05] still here"],
    ["✻ Sautéed for 0s", "✻ Sautéed for 3s"],
    ["  ⎿  Tip: Use /memory", "  ⎿  Tip: Press Esc twice"],
  ])("volatile parts of %j are dropped", (a, b) => {
    expect(progressRow(a)).toBe(progressRow(b));
  });

  it.each([
    ["step 1 of 3", "step 2 of 3"],
    ["compiling 45%", "compiling 46%"],
    ["wrote a.ts", "wrote b.ts"],
  ])("real change %j -> %j is progress", (a, b) => {
    expect(progressRow(a)).not.toBe(progressRow(b));
  });
});

describe("progress marks", () => {
  it("round-trips through the pane option text, with whole seconds", () => {
    expect(parseProgress(formatProgress({ fingerprint: "0123456789ab", since: 1_700_000_000_999 }))).toEqual({
      fingerprint: "0123456789ab",
      since: 1_700_000_000_000,
    });
    for (const bad of [undefined, "", "xyz 1", "0123456789ab", "0123456789ab -1", "0123456789ab 1 2"]) expect(parseProgress(bad)).toBeUndefined();
  });

  it("keeps the time while the fingerprint stays, restarts it when it changes", () => {
    const m = { fingerprint: "aaaaaaaaaaaa", since: 1000 };
    expect(nextProgress(m, "aaaaaaaaaaaa", 9000)).toEqual({ mark: m, changed: false });
    expect(nextProgress(m, "bbbbbbbbbbbb", 9000)).toEqual({ mark: { fingerprint: "bbbbbbbbbbbb", since: 9000 }, changed: true });
    expect(nextProgress(undefined, "aaaaaaaaaaaa", 9000)).toEqual({ mark: { fingerprint: "aaaaaaaaaaaa", since: 9000 }, changed: true });
  });

  it("trackProgress: writes only what changed, and says how long each pane stalled", () => {
    const rows = screen("claude-busy-9s.txt");
    const busy = busyOf("claude");
    const pane = { name: "a", paneId: "%1", dead: false, title: "" };
    const first = trackProgress([pane], new Map([["%1", rows]]), () => busy, 10_000);
    expect(first.writes).toHaveLength(1);
    expect(first.stalled.get("a")).toBe(0);
    const stored = first.writes[0]?.value;
    const later = trackProgress([{ ...pane, progress: stored }], new Map([["%1", tick(rows, 30)]]), () => busy, 40_000);
    expect(later.writes).toEqual([]);
    expect(later.stalled.get("a")).toBe(30_000);
    const moved = trackProgress([{ ...pane, progress: stored }], new Map([["%1", [...rows, "new output"]]]), () => busy, 40_000);
    expect(moved.writes).toHaveLength(1);
    expect(moved.stalled.get("a")).toBe(0);
    expect(trackProgress([{ ...pane, dead: true }], new Map([["%1", rows]]), () => busy, 1).writes).toEqual([]);
  });
});

describe("busy without progress is stuck", () => {
  const p = buildProfile("claude", "claude", {}, "3s");
  const sample = (stalledMs: number | undefined, quietMs = 0) => ({ dead: false, exitCode: null, quietMs, screen: screen("claude-busy-9s.txt"), stalledMs });

  it.each([
    [undefined, "running"],
    [0, "running"],
    [2_999, "running"],
    [3_000, "stuck"],
    [600_000, "stuck"],
  ] as const)("stalled %s ms -> %s", (stalled, status) => {
    expect(classifyPane(sample(stalled), p).status).toBe(status);
  });

  it("says why", () => {
    expect(classifyPane(sample(5_000), p).reason).toMatch(/busy without progress for 5s/);
  });

  it("a printing generic program whose only change is a counter is stuck too; a question still wins", () => {
    const g = buildProfile("x", "my-agent", {}, "3s");
    expect(classifyPane({ dead: false, exitCode: null, quietMs: 0, screen: ["⠋ working (12s)"], stalledMs: 4_000 }, g).status).toBe("stuck");
    expect(classifyPane({ dead: false, exitCode: null, quietMs: 0, screen: ["⠋ working (12s)"], stalledMs: 1_000 }, g).status).toBe("running");
    expect(classifyPane({ dead: false, exitCode: null, quietMs: 0, screen: ["Continue? [y/N]"], stalledMs: 60_000 }, g).status).toBe("waiting");
  });
});
