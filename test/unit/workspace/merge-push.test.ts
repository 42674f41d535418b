import { describe, expect, it } from "vitest";
import { describeMerge, type MergeResult, squashMessage } from "../../../src/workspace/merge.js";
import { pickRemote } from "../../../src/workspace/push.js";

const commit = (subject: string, sha = "c".repeat(40)) => ({ sha, subject, author: "a <a@a>", date: "2026-01-01T00:00:00Z" });

describe("squashMessage", () => {
  it("names the branch and lists the subjects oldest first", () => {
    expect(squashMessage("amux/x", "main", [commit("second"), commit("first")])).toBe("Squash merge amux/x into main\n\n* first\n* second\n");
    expect(squashMessage("amux/x", "main", [])).toBe("Squash merge amux/x into main\n");
  });
});

describe("pickRemote", () => {
  it.each([
    [["origin", "fork"], undefined, undefined, { remote: "origin" }],
    [["origin", "fork"], undefined, "fork", { remote: "fork" }],
    [["origin", "fork"], "fork", "origin", { remote: "fork" }],
    [["up"], undefined, undefined, { remote: "up" }],
    [["up"], undefined, ".", { remote: "up" }],
    [[], undefined, undefined, { error: "this repository has no remote to push to: git remote add origin URL" }],
    [["a", "b"], undefined, undefined, { error: "several remotes and none is origin (a, b): pick one with --remote NAME" }],
    [["origin"], "--exec=x", undefined, { error: 'no remote "--exec=x" (remotes: origin)' }],
    [[], "origin", undefined, { error: 'no remote "origin" (this repository has none)' }],
  ] as [string[], string | undefined, string | undefined, unknown][])("%j asked %j upstream %j", (remotes, asked, upstream, want) => {
    expect(pickRemote(remotes, asked, upstream)).toEqual(want);
  });
});

describe("describeMerge", () => {
  const base: MergeResult = {
    workspace: "x",
    branch: "amux/x",
    into: "main",
    strategy: "merge",
    dryRun: true,
    upToDate: false,
    fastForward: true,
    committed: null,
    wouldCommit: 0,
    commits: [commit("add a", "a".repeat(40))],
    files: [{ path: "a", status: "added", kind: "committed", additions: 1, deletions: 0, binary: false }],
    before: "1".repeat(40),
    after: null,
    checkout: true,
  };
  it("a dry run", () => {
    expect(describeMerge(base).join("\n")).toBe(
      [
        "would merge amux/x into main (merge): fast-forward main to amux/x",
        "1 commit:",
        "  aaaaaaaaaa add a",
        "1 file changed:",
        "  added      a +1 -0",
        "no conflicts; nothing was changed (dry run)",
      ].join("\n"),
    );
  });
  it("a squash into a branch checked out nowhere", () => {
    const r = { ...base, dryRun: false, strategy: "squash" as const, fastForward: false, checkout: false, after: "2".repeat(40) };
    expect(describeMerge(r)[0]).toBe("merged amux/x into main (squash): one squashed commit on main (main is not checked out: only its ref moves)");
    expect(describeMerge(r).at(-1)).toBe("main: 1111111111 -> 2222222222");
  });
  it("nothing to merge", () => {
    expect(describeMerge({ ...base, upToDate: true })).toEqual(["main already has everything on amux/x: nothing to merge"]);
  });
});
