import { readdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { ProjectOptions } from "../config/locate.js";

/** Dynamic name kinds (what shell completion offers). */
export type NameSource = "sessions" | "services" | "agents" | "workspaces";

/**
 * Names of one kind for this project, fast (a shell is waiting): tmux's list and the records
 * for sessions, the project snapshot for the rest; never git. Modules load on use.
 */
export async function knownNames(kind: NameSource, opts: ProjectOptions): Promise<string[]> {
  const { locateProject } = await import("../config/locate.js");
  const loc = locateProject(opts);
  if (kind === "sessions") {
    const { observeSessions } = await import("../observe/server.js");
    const { readRecords } = await import("../state/records.js");
    const live = await observeSessions({ scope: loc }).then(
      (o) => o.project.mine.map((s) => s.name),
      () => [],
    );
    return sortUnique([...live, ...readRecords(loc.root).map((r) => r.name)]);
  }
  const { loadView } = await import("../desired/snapshot.js");
  const view = await loadView(opts, () => {});
  if (kind === "services") return sortUnique(Object.keys(view.services));
  if (kind === "agents") {
    const { BUILTIN_AGENTS } = await import("../config/builtins.js");
    return sortUnique([...Object.keys(view.agents), ...Object.keys(BUILTIN_AGENTS)]);
  }
  const { workspaceDir } = await import("../workspace/paths.js");
  const base = dirname(workspaceDir(view.root, "x", view.workspaces.root));
  try {
    return sortUnique(readdirSync(base).filter((d) => statSync(`${base}/${d}`).isDirectory()));
  } catch {
    return [];
  }
}

function sortUnique(list: string[]): string[] {
  return [...new Set(list)].sort();
}
