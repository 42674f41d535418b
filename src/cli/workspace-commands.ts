import type { ProjectOptions } from "../config/locate.js";
import { EXIT } from "../errors.js";
import { stderrReporter } from "../io.js";
import { createWorkspace, planWorkspacePrune, pruneWorkspaces, removeNamedWorkspaces } from "../usecases/workspaces.js";
import { type Outcome, out } from "./output.js";

export async function cmdWsCreate(g: ProjectOptions, name: string, o: { branch?: string; base?: string }): Promise<void> {
  out(await createWorkspace(g, name, o, stderrReporter));
}

export async function cmdWsRm(g: ProjectOptions, names: string[], o: { force?: boolean }): Promise<Outcome> {
  // Each removal is said once, on stdout (what was kept, and why, goes to stderr).
  const r = await removeNamedWorkspaces(g, names, !!o.force, { info: out, warn: stderrReporter.warn });
  return r.kept.length ? EXIT.runtime : undefined;
}

export async function cmdWsPrune(g: ProjectOptions, o: { force?: boolean; dryRun?: boolean }): Promise<void> {
  if (o.dryRun) {
    for (const w of await planWorkspacePrune(g, !!o.force, stderrReporter.warn))
      out(`${w.verdict} ${w.name}${w.reasons.length ? `: ${w.reasons.join("; ")}` : ""}`);
    return;
  }
  // Keeping what holds work is what prune is for: exit 0 unless a removal failed outright.
  const r = await pruneWorkspaces(g, !!o.force, stderrReporter);
  out(`${r.removed.length} removed, ${r.kept.length} kept${r.foreign.length ? `, ${r.foreign.length} not amux's left alone` : ""}`);
}
