import { describe, expect, it } from "vitest";
import { pruneVerdict } from "../../../src/usecases/workspaces.js";
import type { WorkspaceInfo } from "../../../src/workspace/manage.js";

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

describe("pruneVerdict: what `amux ws prune --dry-run` says of each workspace", () => {
  it.each<[string, WorkspaceInfo, boolean, { verdict: string; reasons: number }]>([
    ["a clean worktree goes", ws(), false, { verdict: "remove", reasons: 0 }],
    ["unsaved work is kept", ws({ uncommitted: 2 }), false, { verdict: "keep", reasons: 1 }],
    ["unsaved work goes with --force", ws({ uncommitted: 2 }), true, { verdict: "remove", reasons: 0 }],
    ["a workspace in use is kept, even with --force", ws({ sessions: ["claude-1"] }), true, { verdict: "keep", reasons: 1 }],
    [
      "what amux did not make is left alone",
      ws({ kind: "foreign", worktree: false, branch: null, foreign: "not made by amux" }),
      true,
      { verdict: "leave", reasons: 1 },
    ],
  ])("%s", (_what, info, force, want) => {
    const v = pruneVerdict(info, force);
    expect({ name: v.name, verdict: v.verdict, reasons: v.reasons.length }).toEqual({ name: "feature-auth", ...want });
  });

  it("says why it keeps one", () => {
    expect(pruneVerdict(ws({ sessions: ["claude-1", "claude-2"] }), false).reasons).toEqual(["in use by claude-1, claude-2"]);
  });
});
