import { loadProject } from "../config/project.js";
import { stderrReporter } from "../core/io.js";
import { projectSessions } from "../core/project-view.js";
import { loadView } from "../core/snapshot.js";
import { EXIT } from "../errors.js";
import { assertName } from "../names.js";
import { listSessions } from "../tmux/observe.js";
import { ensureWorkspace } from "../workspace/ensure.js";
import { describeState, findWorkspace, keepReasons, listWorkspaces, removeWorkspaces, type WorkspaceInfo } from "../workspace/manage.js";
import { paint, table, useColor } from "./style.js";
import type { GlobalFlags } from "./types.js";

const out = (s: string) => process.stdout.write(`${s}\n`);

export async function cmdWsCreate(g: GlobalFlags, name: string, o: { branch?: string; base?: string }): Promise<void> {
  assertName("workspace", name);
  const project = loadProject(g);
  const dir = await ensureWorkspace(project, name, stderrReporter, { branch: o.branch, base: o.base });
  out(dir);
}

function branchCell(w: WorkspaceInfo): string {
  if (w.branch) return w.branch;
  if (w.kind === "directory") return "(directory)";
  if (w.kind === "foreign") return "(foreign)";
  return "(detached)";
}

export async function cmdWsLs(g: GlobalFlags, o: { json?: boolean }): Promise<void> {
  const view = await loadView(g, stderrReporter.warn);
  const list = await listWorkspaces(view, projectSessions(view, await listSessions()));
  if (o.json) {
    out(
      JSON.stringify(
        list.map((w) => ({ ...w, dirty: w.uncommitted + w.untracked > 0 })),
        null,
        2,
      ),
    );
    return;
  }
  if (!list.length) {
    out("no workspaces (amux ws create NAME, or a service's workspace:, makes one)");
    return;
  }
  const color = useColor();
  out(
    table(
      [["NAME", "BRANCH", "STATE", "SESSIONS", "PATH"], ...list.map((w) => [w.name, branchCell(w), describeState(w), w.sessions.join(",") || "-", w.path])],
      (r, c, cell) => (r === 0 ? paint("bold", cell, color) : c === 2 && !["clean", "empty"].includes(cell.trim()) ? paint("yellow", cell, color) : cell),
    ),
  );
}

export async function cmdWsRm(g: GlobalFlags, names: string[], o: { force?: boolean }): Promise<void> {
  for (const n of names) assertName("workspace", n);
  const view = await loadView(g, stderrReporter.warn);
  const sessions = projectSessions(view, await listSessions());
  const list = [];
  for (const n of names) list.push(await findWorkspace(view, n, sessions));
  // Each removal is said once, on stdout (what was kept, and why, goes to stderr).
  const r = await removeWorkspaces(view, list, !!o.force, { info: out, warn: stderrReporter.warn }, { named: true });
  if (r.kept.length) process.exitCode = EXIT.runtime;
}

export async function cmdWsPrune(g: GlobalFlags, o: { force?: boolean; dryRun?: boolean }): Promise<void> {
  const view = await loadView(g, stderrReporter.warn);
  const list = await listWorkspaces(view, projectSessions(view, await listSessions()));
  if (o.dryRun) {
    for (const w of list) {
      const reasons = keepReasons(w, !!o.force);
      out(w.kind === "foreign" ? `leave ${w.name}: ${reasons.join("; ")}` : reasons.length ? `keep ${w.name}: ${reasons.join("; ")}` : `remove ${w.name}`);
    }
    return;
  }
  // Keeping what holds work is what prune is for: exit 0 unless a removal failed outright.
  const r = await removeWorkspaces(view, list, !!o.force, stderrReporter);
  out(`${r.removed.length} removed, ${r.kept.length} kept${r.foreign.length ? `, ${r.foreign.length} not amux's left alone` : ""}`);
}
