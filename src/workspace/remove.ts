import type { ProjectOptions } from "../config/locate.js";
import { loadView } from "../desired/snapshot.js";
import { projectSessions } from "../desired/view.js";
import type { Reporter } from "../io.js";
import { listSessions } from "../tmux/observe.js";
import { listWorkspaces, type RemoveResult, removeWorkspaces } from "./manage.js";

/** `down --workspaces`: every workspace of the project, keeping any with unsaved work unless forced. */
export async function removeProjectWorkspaces(o: ProjectOptions, opts: { force: boolean }, reporter: Reporter): Promise<RemoveResult> {
  const project = await loadView(o, reporter.warn);
  const sessions = projectSessions(project, await listSessions());
  return removeWorkspaces(project, await listWorkspaces(project, sessions), opts.force, reporter);
}
