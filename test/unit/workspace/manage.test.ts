import { describe, expect, it } from "vitest";
import { describeState, keepReasons, parseStatusZ, parseWorktrees, type WorkspaceInfo } from "../../../src/workspace/manage.js";

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
    const plain = { locked: null, prunable: false };
    expect(parseWorktrees(text)).toEqual([
      { path: "/srv/acme", head: "1111111111111111111111111111111111111111", branch: "main", ...plain },
      { path: "/srv/acme.worktrees/feature-auth", head: "2222222222222222222222222222222222222222", branch: "amux/feature-auth", ...plain },
      { path: "/srv/acme.worktrees/detached", head: "3333333333333333333333333333333333333333", branch: null, ...plain },
      { path: "/srv/acme.worktrees/gone", head: "4444444444444444444444444444444444444444", branch: "old", locked: null, prunable: true },
    ]);
  });

  it("keeps spaces in paths", () => {
    expect(parseWorktrees("worktree /srv/my acme\nHEAD abc\nbranch refs/heads/main\n")).toEqual([
      { path: "/srv/my acme", head: "abc", branch: "main", locked: null, prunable: false },
    ]);
  });

  it("reads locks, with and without a reason", () => {
    const text = "worktree /w/a\nHEAD abc\nbranch refs/heads/amux/a\nlocked on usb disk\n\nworktree /w/b\nHEAD abc\ndetached\nlocked\n";
    expect(parseWorktrees(text).map((w) => w.locked)).toEqual(["on usb disk", ""]);
  });

  it("reads a bare repository entry and empty output", () => {
    expect(parseWorktrees("worktree /srv/acme.git\nbare\n")).toEqual([{ path: "/srv/acme.git", head: null, branch: null, locked: null, prunable: false }]);
    expect(parseWorktrees("")).toEqual([]);
  });
});

describe("parseStatusZ", () => {
  it("reads entries, skipping a rename's old path, keeping spaces and arrows in names", () => {
    const text = [" M README.md", "R  new name.txt", "old name.txt", "?? a -> b.txt", "!! .env", "?? nested/", "UU conflict.txt", ""].join("\0");
    expect(parseStatusZ(text)).toEqual([
      { xy: " M", path: "README.md" },
      { xy: "R ", path: "new name.txt" },
      { xy: "??", path: "a -> b.txt" },
      { xy: "!!", path: ".env" },
      { xy: "??", path: "nested/" },
      { xy: "UU", path: "conflict.txt" },
    ]);
    expect(parseStatusZ("")).toEqual([]);
  });
});

function ws(over: Partial<WorkspaceInfo> = {}): WorkspaceInfo {
  return {
    name: "feature-auth",
    path: "/srv/acme.worktrees/feature-auth",
    branch: "amux/feature-auth",
    worktree: true,
    kind: "worktree",
    foreign: null,
    locked: null,
    operation: null,
    unchecked: null,
    uncommitted: 0,
    untracked: 0,
    ignored: 0,
    ignoredFiles: [],
    repositories: [],
    unpushed: 0,
    detached: 0,
    files: 0,
    sessions: [],
    ...over,
  };
}

const dir = (over: Partial<WorkspaceInfo> = {}) => ws({ kind: "directory", worktree: false, branch: null, ...over });
const foreign = (why: string) => ws({ kind: "foreign", worktree: false, branch: null, foreign: why });
const NOT_AMUX = /^not amux's: .* \(amux never removes it\)$/;

// Each row: the state, the reasons without --force, the reasons with it ([] = it goes).
describe("keepReasons", () => {
  it.each<{ what: string; info: WorkspaceInfo; plain: (string | RegExp)[]; forced: (string | RegExp)[] }>([
    { what: "a clean amux worktree", info: ws(), plain: [], forced: [] },
    { what: "one uncommitted change", info: ws({ uncommitted: 1 }), plain: ["1 uncommitted change"], forced: [] },
    { what: "uncommitted changes", info: ws({ uncommitted: 2 }), plain: ["2 uncommitted changes"], forced: [] },
    { what: "one untracked file", info: ws({ untracked: 1 }), plain: ["1 untracked file"], forced: [] },
    { what: "untracked files", info: ws({ untracked: 3 }), plain: ["3 untracked files"], forced: [] },
    {
      what: "ignored files (.env, build output)",
      info: ws({ ignored: 4, ignoredFiles: [".env", "dist/a.js", "dist/b.js"] }),
      plain: ["4 ignored files that removing it would delete (.env, dist/a.js, dist/b.js, ...)"],
      forced: [],
    },
    { what: "one ignored file", info: ws({ ignored: 1, ignoredFiles: [".env"] }), plain: ["1 ignored file that removing it would delete (.env)"], forced: [] },
    { what: "one commit on no other branch", info: ws({ unpushed: 1 }), plain: ["1 commit on no other branch, tag or remote"], forced: [] },
    { what: "commits on no other branch", info: ws({ unpushed: 2 }), plain: ["2 commits on no other branch, tag or remote"], forced: [] },
    {
      what: "a detached HEAD with commits no branch holds",
      info: ws({ branch: null, unpushed: 2, detached: 2 }),
      plain: ["2 commits on a detached HEAD that no branch holds: keep them with git branch NAME in it"],
      forced: ["2 commits on a detached HEAD that no branch holds: keep them with git branch NAME in it"],
    },
    { what: "a detached HEAD on a branch's commit", info: ws({ branch: null }), plain: [], forced: [] },
    ...(["rebase", "merge", "cherry-pick", "revert", "bisect", "am"] as const).map((op) => ({
      what: `a ${op} in progress`,
      info: ws({ operation: op, uncommitted: op === "bisect" ? 0 : 1 }),
      plain: [`a ${op} is in progress`, ...(op === "bisect" ? [] : ["1 uncommitted change"])],
      forced: [],
    })),
    {
      what: "a state git could not report (corrupted index)",
      info: ws({ unchecked: "git status failed: fatal: index file corrupt" }),
      plain: ["could not check it for unsaved work: git status failed: fatal: index file corrupt"],
      forced: ["could not check it for unsaved work: git status failed: fatal: index file corrupt"],
    },
    {
      what: "a locked worktree, with a reason",
      info: ws({ locked: "on usb" }),
      plain: ["locked (on usb): git worktree unlock it first"],
      forced: ["locked (on usb): git worktree unlock it first"],
    },
    {
      what: "a locked worktree, no reason",
      info: ws({ locked: "" }),
      plain: ["locked: git worktree unlock it first"],
      forced: ["locked: git worktree unlock it first"],
    },
    { what: "a worktree whose folder is gone", info: ws({ kind: "missing" }), plain: [], forced: [] },
    {
      what: "a worktree whose folder is gone, locked",
      info: ws({ kind: "missing", locked: "" }),
      plain: ["locked: git worktree unlock it first"],
      forced: ["locked: git worktree unlock it first"],
    },
    {
      what: "a repository inside",
      info: ws({ repositories: ["vendor/lib/"] }),
      plain: ["holds another git repository (vendor/lib/)"],
      forced: ["holds another git repository (vendor/lib/)"],
    },
    {
      what: "in use by live sessions",
      info: ws({ sessions: ["acme-auth-1", "acme-auth-2"] }),
      plain: ["in use by acme-auth-1, acme-auth-2"],
      forced: ["in use by acme-auth-1, acme-auth-2"],
    },
    {
      what: "a git clone under the root",
      info: foreign("a separate git repository (a clone?), not a worktree of this repository"),
      plain: [NOT_AMUX],
      forced: [NOT_AMUX],
    },
    { what: "a plain folder in a git project", info: foreign("a plain folder, not a git worktree amux created"), plain: [NOT_AMUX], forced: [NOT_AMUX] },
    { what: "a user's own worktree", info: foreign("a worktree on branch mine that amux did not create"), plain: [NOT_AMUX], forced: [NOT_AMUX] },
    {
      what: "foreign and dirty and in use: only that it is not amux's",
      info: ws({ kind: "foreign", foreign: "x", uncommitted: 3, sessions: ["s"] }),
      plain: ["not amux's: x (amux never removes it)"],
      forced: ["not amux's: x (amux never removes it)"],
    },
    { what: "outside git, an empty folder", info: dir(), plain: [], forced: [] },
    { what: "outside git, a folder with one file", info: dir({ files: 1 }), plain: ["holds 1 file"], forced: [] },
    { what: "outside git, a folder with files", info: dir({ files: 12 }), plain: ["holds 12 files"], forced: [] },
    {
      what: "outside git, a folder too big to check",
      info: dir({ files: 100000, unchecked: "it holds more than 100000 files" }),
      plain: ["could not check it for unsaved work: it holds more than 100000 files", "holds 100000 files"],
      forced: ["could not check it for unsaved work: it holds more than 100000 files"],
    },
    {
      what: "everything at once",
      info: ws({ sessions: ["acme-auth-1"], locked: "", operation: "merge", uncommitted: 2, untracked: 1, ignored: 1, ignoredFiles: [".env"], unpushed: 4 }),
      plain: [
        "in use by acme-auth-1",
        "locked: git worktree unlock it first",
        "a merge is in progress",
        "2 uncommitted changes",
        "1 untracked file",
        "1 ignored file that removing it would delete (.env)",
        "4 commits on no other branch, tag or remote",
      ],
      forced: ["in use by acme-auth-1", "locked: git worktree unlock it first"],
    },
    {
      what: "a detached HEAD's commits are not counted twice",
      info: ws({ branch: null, unpushed: 3, detached: 1 }),
      plain: ["1 commit on a detached HEAD that no branch holds: keep them with git branch NAME in it", "2 commits on no other branch, tag or remote"],
      forced: ["1 commit on a detached HEAD that no branch holds: keep them with git branch NAME in it"],
    },
  ])("$what", ({ info, plain, forced }) => {
    const match = (got: string[], want: (string | RegExp)[]) => {
      expect(got).toHaveLength(want.length);
      for (const [i, w] of want.entries()) {
        if (typeof w === "string") expect(got[i]).toBe(w);
        else expect(got[i]).toMatch(w);
      }
    };
    match(keepReasons(info, false), plain);
    match(keepReasons(info, true), forced);
  });
});

describe("describeState", () => {
  it.each([
    { info: ws(), text: "clean" },
    { info: dir(), text: "empty" },
    { info: dir({ files: 2 }), text: "2 files" },
    { info: foreign("a plain folder"), text: "foreign: a plain folder" },
    { info: ws({ kind: "missing" }), text: "folder missing" },
    { info: ws({ unchecked: "git status failed: x" }), text: "not checked: git status failed: x" },
    { info: ws({ operation: "rebase", uncommitted: 1, locked: "" }), text: "locked, rebase in progress, 1 changed" },
    { info: ws({ untracked: 2, ignored: 1, unpushed: 3, detached: 1 }), text: "2 untracked, 1 ignored, 3 unpushed (1 detached)" },
  ])("$text", ({ info, text }) => {
    expect(describeState(info)).toBe(text);
  });
});
