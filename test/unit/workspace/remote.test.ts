import { describe, expect, it } from "vitest";
import { keepReasons } from "../../../src/workspace/manage.js";
import { parseAnswer, remoteInfo } from "../../../src/workspace/remote.js";

const info = (stdout: string, sessions: string[] = []) => remoteInfo("auth", parseAnswer(stdout), sessions);
const SHA = "a".repeat(40);

describe("remote workspace state", () => {
  it("nothing there", () => {
    expect(info("D:/w/auth\nK:absent\n")).toBeNull();
  });

  it("a foreign folder is never amux's, whatever else it says", () => {
    const w = info("D:/w/auth\nK:foreign:a plain folder, not a git worktree amux created\n");
    expect(w).toMatchObject({ kind: "foreign", path: "/w/auth", worktree: false });
    expect(keepReasons(w as never, true)).toEqual(["not amux's: a plain folder, not a git worktree amux created (amux never removes it)"]);
  });

  it("a worktree is amux's only on an amux/ branch or with amux's mark", () => {
    expect(info(`D:/w/auth\nK:worktree\nB:feature\nH:${SHA}\nU:0\nS:\n`)?.foreign).toBe("a worktree on branch feature that amux did not create");
    expect(info(`D:/w/auth\nK:worktree\nH:${SHA}\nX:0\nU:0\nS:\n`)?.foreign).toBe("a worktree on a detached HEAD that amux did not create");
    expect(info(`D:/w/auth\nK:worktree\nB:feature\nM:1\nH:${SHA}\nU:0\nS:\n`)).toMatchObject({ kind: "worktree", worktree: true, branch: "feature" });
  });

  it("counts what git status says, and what removing it would lose", () => {
    const w = info(
      `D:/w/auth\nK:worktree\nB:amux/auth\nH:${SHA}\nL:on a trip \nO:rebase\nR:its submodules\nU:2\nS:\n M a.ts\nA  b.ts\n?? c.txt\n?? "sp ace.txt"\n!! .env\n!! node_modules/\n?? sub/\n`,
      ["proj-a-1"],
    );
    expect(w).toMatchObject({
      kind: "worktree",
      uncommitted: 2,
      untracked: 2,
      ignored: 1,
      ignoredFiles: [".env"],
      repositories: ["its submodules", "node_modules/", "sub/"],
      locked: "on a trip",
      operation: "rebase",
      unpushed: 2,
      unchecked: null,
    });
    expect(keepReasons(w as never, false)).toEqual([
      "in use by proj-a-1",
      "locked (on a trip): git worktree unlock it first",
      "holds another git repository (its submodules, node_modules/, sub/)",
      "a rebase is in progress",
      "2 uncommitted changes",
      "2 untracked files",
      "1 ignored file that removing it would delete (.env)",
      "2 commits on no other branch, tag or remote",
    ]);
  });

  it("what could not be checked keeps it, even forced", () => {
    const noStatus = info(`D:/w/auth\nK:worktree\nB:amux/auth\nH:${SHA}\nU:0\nQ:git status failed: fatal: bad\n`);
    expect(keepReasons(noStatus as never, true)).toEqual(["could not check it for unsaved work: git status failed: fatal: bad"]);
    const noCount = info(`D:/w/auth\nK:worktree\nB:amux/auth\nH:${SHA}\nU:error:fatal: bad revision\nS:\n`);
    expect(noCount?.unchecked).toBe("git rev-list failed: fatal: bad revision");
    const noHead = info("D:/w/auth\nK:worktree\nB:amux/auth\nS:\n");
    expect(noHead?.unchecked).toBe("git names no commit for its HEAD");
    const lost = info(`D:/w/auth\nK:worktree\nB:amux/auth\nH:${SHA}\nU:0\n`);
    expect(lost?.unchecked).toBe("git status gave no answer");
  });

  it("a detached HEAD's own commits are counted apart", () => {
    const w = info(`D:/w/auth\nK:worktree\nM:1\nH:${SHA}\nX:1\nU:1\nS:\n`);
    expect(w).toMatchObject({ detached: 1, unpushed: 1 });
    expect(keepReasons(w as never, true)).toEqual(["1 commit on a detached HEAD that no branch holds: keep them with git branch NAME in it"]);
  });

  it("a worktree whose folder is gone", () => {
    expect(info(`D:/w/auth\nK:missing\nB:amux/auth\nH:${SHA}\nU:0\n`)).toMatchObject({ kind: "missing", worktree: true, unchecked: null });
  });
});
