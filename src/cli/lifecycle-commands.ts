import type { ProjectOptions } from "../config/locate.js";
import { EXIT } from "../errors.js";
import { stderrReporter } from "../io.js";
import type { ManualKind } from "../plan/manual.js";
import { startOrRestart } from "../usecases/lifecycle.js";
import { type Outcome, out } from "./output.js";

const PAST: Record<string, string> = { create: "started", recreate: "recreated", restart: "restarted" };

/** `amux start` / `amux restart`: what was done to each session, one line each. */
export async function cmdStartRestart(kind: ManualKind, g: ProjectOptions, names: string[], o: { json?: boolean; fresh?: boolean }): Promise<Outcome> {
  const { plan, result } = await startOrRestart(kind, { ...g, fresh: !!o.fresh }, names, stderrReporter);
  const failed = new Map(result.failed.map((f) => [f.action.session, f.error]));
  if (o.json) {
    out(
      JSON.stringify(
        {
          actions: plan.actions.map((a) => ({
            action: a.action,
            session: a.session,
            service: a.service || null,
            reason: a.reason,
            error: failed.get(a.session) ?? null,
          })),
          alreadyRunning: plan.upToDate,
          notes: plan.notes,
        },
        null,
        2,
      ),
    );
  } else {
    for (const a of plan.actions) {
      const e = failed.get(a.session);
      if (e) process.stderr.write(`amux: ${a.session}: ${a.action} failed: ${e}\n`);
      else out(`${kind === "start" && a.action !== "recreate" ? "started" : (PAST[a.action] ?? a.action)} ${a.session} (${a.reason})`);
    }
    for (const n of plan.upToDate) out(`${n} is already running`);
    for (const n of plan.notes) process.stderr.write(`! ${n.kind} ${n.session}: ${n.message}\n`);
  }
  return result.failed.length || plan.notes.some((n) => n.kind === "conflict" || n.kind === "unreachable") ? EXIT.runtime : undefined;
}

/** `amux prune`: forgets every session that is gone (records and logs), live ones untouched. */
export async function cmdPrune(g: ProjectOptions, o: { json?: boolean; all?: boolean }): Promise<void> {
  const { loadView } = await import("../desired/snapshot.js");
  const { pruneHistory } = await import("../usecases/prune.js");
  const view = await loadView(g, stderrReporter.warn);
  const r = await pruneHistory(view.root, new Set(Object.keys(view.hashes)), "all", Date.now(), !!o.all);
  if (o.json) {
    out(JSON.stringify(r, null, 2));
    return;
  }
  for (const s of r.sessions) out(`- forgot ${s}`);
  const mb = r.bytes >= 1024 * 1024 ? `${(r.bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(r.bytes / 1024)} KB`;
  out(
    r.sessions.length
      ? `${r.sessions.length} session${r.sessions.length === 1 ? "" : "s"} forgotten, ${r.files.length} files, ${mb} freed`
      : "nothing to prune",
  );
  if (r.held.length && !o.all)
    out(`kept ${r.held.join(", ")}: stopped by amux stop (the record keeps it stopped under watch; amux start or amux up starts it, prune --all forgets it)`);
}
