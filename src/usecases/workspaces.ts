import type { ProjectOptions } from "../config/locate.js";
import { loadProject } from "../config/project.js";
import { loadView } from "../desired/snapshot.js";
import type { Reporter } from "../io.js";
import { assertName } from "../names.js";
import { observeSessions } from "../observe/server.js";
import { ensureWorkspace } from "../workspace/ensure.js";
import { findWorkspace, keepReasons, listWorkspaces, type RemoveResult, removeWorkspaces, type WorkspaceInfo } from "../workspace/manage.js";

/** `amux ws create` / MCP `workspace_create`: the workspace's folder, made when absent. */
export async function createWorkspace(
  opts: ProjectOptions,
  name: string,
  o: { branch?: string | undefined; base?: string | undefined },
  reporter: Reporter,
): Promise<string> {
  assertName("workspace", name);
  const project = loadProject(opts);
  return ensureWorkspace(project, name, reporter, { branch: o.branch, base: o.base });
}

/**
 * `amux ws rm`: the named workspaces, each refused while it holds unsaved work or a live session
 * (unless `force`, which still never removes what amux did not make). Each removal is reported
 * through `reporter.info`, what was kept and why through `reporter.warn`.
 */
export async function removeNamedWorkspaces(opts: ProjectOptions, names: string[], force: boolean, reporter: Reporter): Promise<RemoveResult> {
  for (const n of names) assertName("workspace", n);
  const view = await loadView(opts, reporter.warn);
  const sessions = (await observeSessions({ scope: view })).project.mine;
  const list = [];
  for (const n of names) list.push(await findWorkspace(view, n, sessions));
  return removeWorkspaces(view, list, force, reporter, { named: true });
}

/** One line of `amux ws prune --dry-run`: what would happen to a workspace. */
export interface PruneVerdict {
  name: string;
  verdict: "remove" | "keep" | "leave";
  reasons: string[];
}

/** `amux ws prune --dry-run`: what prune would remove, keep (and why) and leave alone. Changes nothing. */
export async function planWorkspacePrune(opts: ProjectOptions, force: boolean, warn: (line: string) => void): Promise<PruneVerdict[]> {
  const view = await loadView(opts, warn);
  const list = await listWorkspaces(view, (await observeSessions({ scope: view })).project.mine);
  return list.map((w) => pruneVerdict(w, force));
}

/** What prune does to one workspace: leave what is not amux's, keep (saying why) what holds work or is in use, else remove. Pure. */
export function pruneVerdict(w: WorkspaceInfo, force: boolean): PruneVerdict {
  const reasons = keepReasons(w, force);
  return { name: w.name, verdict: w.kind === "foreign" ? "leave" : reasons.length ? "keep" : "remove", reasons };
}

/** `amux ws prune`: removes the workspaces no session uses and that hold no unsaved work (any, with `force`). */
export async function pruneWorkspaces(opts: ProjectOptions, force: boolean, reporter: Reporter): Promise<RemoveResult> {
  const view = await loadView(opts, reporter.warn);
  const list = await listWorkspaces(view, (await observeSessions({ scope: view })).project.mine);
  return removeWorkspaces(view, list, force, reporter);
}
