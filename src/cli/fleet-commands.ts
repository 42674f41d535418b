import type { ProjectOptions } from "../config/locate.js";
import { EXIT, UsageError } from "../errors.js";
import { type Reporter, stderrReporter } from "../io.js";
import { describeFailedStart } from "../observe/first-second.js";
import { formatAction, formatPlan, nothingToDo, planJson } from "../plan/plan.js";
import type { Action } from "../plan/types.js";
import { type Outcome, out, paint } from "./output.js";

const PAST: Record<Action["action"], string> = { create: "created", recreate: "recreated", remove: "removed", restart: "restarted" };

interface UpFlags {
  dryRun?: boolean;
  removeOrphans?: boolean;
  fresh?: boolean;
  wait?: boolean;
  waitTimeout?: number;
  promptTimeout?: number;
  json?: boolean;
}

/** listr2's redrawing renderer needs a terminal with a width: a 0-column pty gets plain lines. */
function interactive(): boolean {
  return !!process.stdout.isTTY && (process.stdout.columns ?? 0) > 0 && !process.env.CI && process.env.TERM !== "dumb";
}

export async function cmdUp(g: ProjectOptions, services: string[], o: UpFlags): Promise<Outcome> {
  if (o.json && !o.dryRun) throw new UsageError("--json goes with --dry-run (or use `amux plan --json`)");
  const opts = {
    ...g,
    services,
    removeOrphans: o.removeOrphans,
    fresh: o.fresh,
    dryRun: o.dryRun,
    wait: o.wait,
    waitTimeoutMs: o.waitTimeout,
    promptTimeoutMs: o.promptTimeout,
  };
  if (o.dryRun) {
    const { up } = await import("../usecases/fleet.js");
    const r = await up(opts, stderrReporter);
    out(o.json ? JSON.stringify(planJson(r.plan), null, 2) : formatPlan(r.plan));
    return;
  }
  const tty = interactive();
  let listr: Promise<unknown> | undefined;
  const settle = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  const reporter: Reporter = stderrReporter;
  const { up } = await import("../usecases/fleet.js");
  const r = await up(opts, reporter, {
    onPlan: (plan) => {
      for (const n of plan.notes) process.stderr.write(`${paint("yellow", `! ${n.kind}`)} ${n.session}: ${n.message}\n`);
      if (!tty || !plan.actions.length) return;
      listr = startListr(plan.actions, settle);
    },
    onDone: (a, error) => {
      const s = settle.get(a.session);
      if (s) {
        if (error) s.reject(new Error(error));
        else s.resolve();
        return;
      }
      const line = formatAction(a);
      out(error ? `${line}: FAILED: ${error}` : `${line}: done`);
    },
  });
  await listr?.catch(() => {});
  const counts = new Map<string, number>();
  const diedAtOnce = (a: Action) => a.action !== "remove" && r.failedStarts.some((f) => f.session === a.session);
  for (const a of r.plan.actions) if (!r.failed.some((f) => f.action === a) && !diedAtOnce(a)) counts.set(a.action, (counts.get(a.action) ?? 0) + 1);
  const failedCount = r.failed.length + r.failedStarts.length;
  const parts = [
    ...[...counts].map(([k, n]) => `${n} ${PAST[k as Action["action"]]}`),
    ...(failedCount ? [`${failedCount} failed`] : []),
    ...(r.promptsNotSent.length ? [`${r.promptsNotSent.length} prompt${r.promptsNotSent.length === 1 ? "" : "s"} not delivered`] : []),
  ];
  const summary = parts.join(", ");
  const upToDate = r.plan.upToDate.length;
  out(r.plan.actions.length ? `${r.project.name}: ${summary}${upToDate ? `, ${upToDate} up to date` : ""}` : `${r.project.name}: ${nothingToDo(upToDate)}`);
  for (const x of r.goneHostOrphans?.removed ?? []) out(`- removed orphan ${x.name} on host ${x.host}`);
  for (const f of r.goneHostOrphans?.failed ?? []) process.stderr.write(`amux: cannot remove orphan ${f.name}: ${f.error}\n`);
  const conflicts = r.plan.notes.filter((n) => n.kind === "conflict");
  for (const f of r.failed) process.stderr.write(`amux: ${f.action.session}: ${f.action.action} failed: ${f.error}\n`);
  for (const f of r.failedStarts) process.stderr.write(`amux: ${describeFailedStart(f)}\n`);
  for (const n of r.promptsNotSent) process.stderr.write(`amux: ${n}: prompt not delivered\n`);
  for (const n of r.notReady) process.stderr.write(`amux: not ready: ${n}\n`);
  for (const u of r.unreachable) process.stderr.write(`amux: host ${u.host} (${u.destination}) cannot be reached: ${u.gist}; nothing was done there\n`);
  if (
    r.goneHostOrphans?.failed.length ||
    r.unreachable.length ||
    conflicts.length ||
    r.failed.length ||
    r.failedStarts.length ||
    r.promptsNotSent.length ||
    r.notReady.length
  )
    return EXIT.runtime;
}

function startListr(actions: Action[], settle: Map<string, { resolve: () => void; reject: (e: Error) => void }>): Promise<unknown> {
  const promises = new Map<string, Promise<void>>();
  for (const a of actions) {
    promises.set(
      a.session,
      new Promise<void>((resolve, reject) => {
        settle.set(a.session, { resolve, reject });
      }),
    );
  }
  return import("listr2").then(({ Listr }) =>
    new Listr(
      actions.map((a) => ({
        title: formatAction(a),
        task: () => promises.get(a.session) as Promise<void>,
      })),
      { concurrent: true, exitOnError: false, rendererOptions: { collapseErrors: false } },
    ).run(),
  );
}

export async function cmdDown(g: ProjectOptions, o: { workspaces?: boolean; force?: boolean }): Promise<Outcome> {
  if (o.force && !o.workspaces) throw new UsageError("--force goes with --workspaces");
  const { down } = await import("../usecases/down.js");
  const r = await down(g, stderrReporter);
  for (const n of r.removed) out(`- removed ${n}`);
  for (const f of r.failed) process.stderr.write(`amux: cannot remove ${f.name}: ${f.error}\n`);
  for (const u of r.unreachable) process.stderr.write(`amux: host ${u.host} (${u.destination}) cannot be reached: ${u.gist}; its sessions were not removed\n`);
  out(r.removed.length ? `${r.removed.length} session${r.removed.length === 1 ? "" : "s"} removed` : "no sessions to remove");
  let failed = r.failed.length > 0 || r.unreachable.length > 0;
  if (o.workspaces) {
    const { removeProjectWorkspaces } = await import("../usecases/down.js");
    const w = await removeProjectWorkspaces(g, { force: !!o.force }, stderrReporter);
    if (w.kept.length) failed = true;
  }
  return failed ? EXIT.runtime : undefined;
}
