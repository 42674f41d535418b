import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ProjectOptions } from "../config/locate.js";
import type { Reporter } from "../io.js";
import { NAME_PATTERNS } from "../names.js";
import { diffTarget, mergeTarget } from "../usecases/land.js";
import { describeMerge, MergeRefused } from "../workspace/merge.js";
import type { ToolResult } from "./tools.js";

interface Helpers {
  ok: (text: string, structured?: Record<string, unknown>) => ToolResult;
  guard: (fn: () => Promise<ToolResult>) => Promise<ToolResult>;
  reporter: Reporter;
}

const target = z
  .string()
  .regex(NAME_PATTERNS.workspace, "workspace, session and service names match ^[a-zA-Z0-9][a-zA-Z0-9._-]{0,62}$")
  .describe("workspace, or a session or service running in one");

/** Tools to review and land a workspace's work: the same use cases and refusals as `amux diff` and `amux merge`. */
export function registerLandTools(server: McpServer, opts: ProjectOptions, h: Helpers): void {
  server.registerTool(
    "workspace_diff",
    {
      title: "Review a workspace's work",
      description:
        "What an agent did in its workspace since the branch it started from: commits ahead and behind, and every changed file with line counts, committed, uncommitted and untracked apart. Changes nothing. Not for landing it: use workspace_merge.",
      inputSchema: { workspace: target },
    },
    async ({ workspace }) =>
      h.guard(async () => {
        const d = await diffTarget(opts, workspace, h.reporter);
        const lines = [
          `${d.workspace} (${d.branch ?? "detached"}): ${d.ahead} ahead, ${d.behind} behind ${d.base.ref}; +${d.additions} -${d.deletions}`,
          ...d.commits.map((c) => `commit ${c.sha.slice(0, 10)} ${c.subject}`),
          ...d.files.map((f) => `${f.kind} ${f.status} ${f.path} +${f.additions} -${f.deletions}`),
        ];
        return h.ok(lines.join("\n"), { ...d });
      }),
  );

  server.registerTool(
    "workspace_merge",
    {
      title: "Land a workspace's branch",
      description:
        "Merge a workspace's branch into the main checkout's current branch (or `into`, a branch checked out nowhere), whole or not at all: refused, changing nothing, when the main checkout has uncommitted changes, the workspace has uncommitted work (commitMessage commits it first), a git operation is in progress, or the merge would conflict (tested in a scratch worktree; the conflicting files are listed). dryRun shows the commits, files and strategy and changes nothing. remove then removes the workspace when nothing would be lost. Not for pushing: the CLI's `amux push` does that.",
      inputSchema: {
        workspace: target,
        into: z.string().min(1).optional().describe("branch to land in (default: the main checkout's current branch)"),
        strategy: z.enum(["merge", "squash", "rebase", "ff-only"]).optional().describe("merge (default; fast-forwards when it can), squash, rebase, ff-only"),
        dryRun: z.boolean().optional().describe("only show what would happen"),
        remove: z.boolean().optional().describe("remove the workspace after a successful merge, when nothing would be lost"),
        commitMessage: z.string().min(1).optional().describe("commit the workspace's uncommitted and untracked work first, with this message"),
      },
    },
    async (a) =>
      h.guard(async () => {
        let r: Awaited<ReturnType<typeof mergeTarget>>;
        try {
          r = await mergeTarget(
            opts,
            a.workspace,
            { into: a.into, strategy: a.strategy ?? "merge", dryRun: !!a.dryRun, commitMessage: a.commitMessage, remove: !!a.remove && !a.dryRun },
            h.reporter,
          );
        } catch (e) {
          if (!(e instanceof MergeRefused)) throw e;
          // A refusal is an answer a reviewer acts on: say why, and which files conflict.
          const text = [e.message, ...e.hints].join("\n");
          return { content: [{ type: "text", text }], structuredContent: { refused: true, reason: e.message, conflicts: e.conflicts }, isError: true };
        }
        const lines = describeMerge(r);
        if (a.remove && !a.dryRun) lines.push(r.removed ? `removed workspace ${r.workspace}` : `kept workspace ${r.workspace}: ${r.kept.join("; ")}`);
        return h.ok(lines.join("\n"), { ...r });
      }),
  );
}
