import { loadProject } from "../config/project.js";
import { loadView } from "../desired/snapshot.js";
import { projectSessions } from "../desired/view.js";
import { EXIT } from "../errors.js";
import { stderrReporter } from "../io.js";
import { assertName } from "../names.js";
import { listSessions } from "../tmux/observe.js";
import { ensureWorkspace } from "../workspace/ensure.js";
import { findWorkspace, keepReasons, listWorkspaces, removeWorkspaces } from "../workspace/manage.js";
import type { GlobalFlags } from "./types.js";

const out = (s: string) => process.stdout.write(`${s}\n`);

export async function cmdWsCreate(g: GlobalFlags, name: string, o: { branch?: string; base?: string }): Promise<void> {
  assertName("workspace", name);
  const project = loadProject(g);
  const dir = await ensureWorkspace(project, name, stderrReporter, { branch: o.branch, base: o.base });
  out(dir);
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
