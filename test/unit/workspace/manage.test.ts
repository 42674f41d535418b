import { describe, expect, it } from "vitest";
import { keepReasons, parseWorktrees, type WorkspaceInfo } from "../../../src/workspace/manage.js";

describe("parseWorktrees", () => {
  it("reads `git worktree list --porcelain`", () => {
    const text = [
      "worktree /srv/acme",
      "HEAD 1111111111111111111111111111111111111111",
      "branch refs/heads/main",
      "",
      "worktree /srv/acme.worktrees/feature-auth",
      "HEAD 2222222222222222222222222222222222222222",
      "branch refs/heads/amux/feature-auth",
      "",
      "worktree /srv/acme.worktrees/detached",
      "HEAD 3333333333333333333333333333333333333333",
      "detached",
      "",
      "worktree /srv/acme.worktrees/gone",
      "HEAD 4444444444444444444444444444444444444444",
      "branch refs/heads/old",
      "prunable gitdir file points to non-existent location",
      "",
    ].join("\n");
    expect(parseWorktrees(text)).toEqual([
      { path: "/srv/acme", head: "1111111111111111111111111111111111111111", branch: "main" },
      { path: "/srv/acme.worktrees/feature-auth", head: "2222222222222222222222222222222222222222", branch: "amux/feature-auth" },
      { path: "/srv/acme.worktrees/detached", head: "3333333333333333333333333333333333333333", branch: null },
      { path: "/srv/acme.worktrees/gone", head: "4444444444444444444444444444444444444444", branch: "old" },
    ]);
  });

  it("keeps spaces in paths", () => {
    expect(parseWorktrees("worktree /srv/my acme\nHEAD abc\nbranch refs/heads/main\n")).toEqual([{ path: "/srv/my acme", head: "abc", branch: "main" }]);
  });

  it("reads a bare repository entry and empty output", () => {
    expect(parseWorktrees("worktree /srv/acme.git\nbare\n")).toEqual([{ path: "/srv/acme.git", head: null, branch: null }]);
    expect(parseWorktrees("")).toEqual([]);
  });
});

function ws(over: Partial<WorkspaceInfo> = {}): WorkspaceInfo {
  return {
    name: "feature-auth",
    path: "/srv/acme.worktrees/feature-auth",
    branch: "amux/feature-auth",
    worktree: true,
    uncommitted: 0,
    untracked: 0,
    unpushed: 0,
    sessions: [],
    ...over,
  };
}

describe("keepReasons", () => {
  it.each([
    { what: "a clean workspace", info: ws(), force: false, reasons: [] },
    { what: "one uncommitted change", info: ws({ uncommitted: 1 }), force: false, reasons: ["1 uncommitted change"] },
    { what: "untracked files", info: ws({ untracked: 3 }), force: false, reasons: ["3 untracked files"] },
    { what: "one untracked file", info: ws({ untracked: 1 }), force: false, reasons: ["1 untracked file"] },
    { what: "unpushed commits", info: ws({ unpushed: 2 }), force: false, reasons: ["2 commits on no other branch or remote"] },
    { what: "one unpushed commit", info: ws({ unpushed: 1 }), force: false, reasons: ["1 commit on no other branch or remote"] },
    {
      what: "everything at once",
      info: ws({ sessions: ["acme-auth-1", "acme-auth-2"], uncommitted: 2, untracked: 1, unpushed: 4 }),
      force: false,
      reasons: ["in use by acme-auth-1, acme-auth-2", "2 uncommitted changes", "1 untracked file", "4 commits on no other branch or remote"],
    },
    { what: "unsaved work with --force", info: ws({ uncommitted: 2, untracked: 1, unpushed: 4 }), force: true, reasons: [] },
    { what: "live sessions even with --force", info: ws({ sessions: ["acme-auth-1"], uncommitted: 2 }), force: true, reasons: ["in use by acme-auth-1"] },
  ])("$what (force: $force)", ({ info, force, reasons }) => {
    expect(keepReasons(info, force)).toEqual(reasons);
  });
});
