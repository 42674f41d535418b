/** What a tool answers: text for the model, structured content for programs, and whether it failed. */
export type ToolResult = { content: { type: "text"; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };

/**
 * The MCP surface at a glance: every tool, and the use cases (src/usecases/<module>.ts, function)
 * its body calls. A tool is a thin adapter: parse its input, call these, shape the answer. The
 * server refuses to register a tool missing here, and a unit test holds this table whole, so a
 * tool added, removed or rewired is a visible change.
 */
export const TOOL_USE_CASES: Readonly<Record<string, readonly string[]>> = {
  session_list: ["status.listStatus"],
  session_run: ["session.runAgent"],
  session_stop: ["session.stopTarget"],
  session_start: ["lifecycle.startOrRestart"],
  session_restart: ["lifecycle.startOrRestart"],
  session_send: ["session.sendText"],
  session_logs: ["inspect.logsOf", "inspect.screenOf"],
  fleet_plan: ["fleet.planFleet"],
  fleet_up: ["fleet.up"],
  fleet_down: ["fleet.down"],
  workspace_list: ["land.listWorkspaceRows"],
  workspace_create: ["workspaces.createWorkspace"],
  workspace_diff: ["land.diffTarget"],
  workspace_merge: ["land.mergeTarget"],
};
