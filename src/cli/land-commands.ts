import type { ProjectOptions } from "../config/locate.js";
import { EXIT, UsageError } from "../errors.js";
import { stderrReporter } from "../io.js";
import { diffTarget, listWorkspaceRows, mergeTarget, pushTarget, type WorkspaceRow } from "../usecases/land.js";
import { renderDiff } from "../workspace/diff.js";
import { pageText } from "../workspace/git.js";
import { describeState } from "../workspace/manage.js";
import { describeMerge, type MergeStrategy } from "../workspace/merge.js";
import { ago, type Outcome, out, paint, table, useColor } from "./output.js";

/** `amux diff`: JSON, or headed sections rendered by git, through the pager on a terminal. */
export async function cmdDiff(g: ProjectOptions, target: string, o: { stat?: boolean; nameOnly?: boolean; json?: boolean }): Promise<void> {
  if (o.stat && o.nameOnly) throw new UsageError("--stat and --name-only do not go together");
  const d = await diffTarget(g, target, stderrReporter);
  if (o.json) {
    out(JSON.stringify(d, null, 2));
    return;
  }
  const text = await renderDiff(d, o.stat ? "stat" : o.nameOnly ? "name-only" : "patch", useColor());
  await pageText(d.path, text);
}

function branchCell(w: WorkspaceRow): string {
  if (w.branch) return w.branch;
  if (w.kind === "directory") return "(directory)";
  if (w.kind === "foreign") return "(foreign)";
  return "(detached)";
}

/** `amux ws ls`: state plus where each branch stands against its base, and its last commit. */
export async function cmdWsLsRows(g: ProjectOptions, o: { json?: boolean }): Promise<void> {
  const rows = await listWorkspaceRows(g, stderrReporter);
  if (o.json) {
    out(JSON.stringify(rows, null, 2));
    return;
  }
  if (!rows.length) {
    out("no workspaces (amux ws create NAME, or a service's workspace:, makes one)");
    return;
  }
  const color = useColor();
  const now = Date.now();
  const body = rows.map((w) => [
    w.name,
    branchCell(w),
    describeState(w),
    w.ahead === null ? "-" : `+${w.ahead} -${w.behind} ${w.base}`,
    w.lastCommit ? `${w.lastCommit.subject.slice(0, 40)} (${ago(w.lastCommit.date, now)})` : "-",
    w.sessions.join(",") || "-",
    w.path,
  ]);
  out(
    table([["NAME", "BRANCH", "STATE", "AHEAD/BEHIND", "LAST COMMIT", "SESSIONS", "PATH"], ...body], (r, c, cell) =>
      r === 0 ? paint("bold", cell, color) : c === 2 && !["clean", "empty"].includes(cell.trim()) ? paint("yellow", cell, color) : cell,
    ),
  );
}

export interface MergeFlags {
  into?: string;
  squash?: boolean;
  rebase?: boolean;
  ffOnly?: boolean;
  dryRun?: boolean;
  remove?: boolean;
  commit?: boolean;
  message?: string;
  json?: boolean;
}

/** The one strategy the flags name. Pure. */
export function strategyOf(o: Pick<MergeFlags, "squash" | "rebase" | "ffOnly">): MergeStrategy {
  const picked = [o.squash && "squash", o.rebase && "rebase", o.ffOnly && "ff-only"].filter(Boolean) as MergeStrategy[];
  if (picked.length > 1) throw new UsageError(`pick one of --squash, --rebase, --ff-only (got ${picked.map((p) => `--${p}`).join(" ")})`);
  return picked[0] ?? "merge";
}

export async function cmdMerge(g: ProjectOptions, target: string, o: MergeFlags): Promise<Outcome> {
  const strategy = strategyOf(o);
  if (o.commit && o.message === undefined) throw new UsageError("--commit needs a message: --commit -m MESSAGE");
  if (!o.commit && o.message !== undefined) throw new UsageError("-m is the message of --commit: pass both");
  if (o.dryRun && o.remove) stderrReporter.warn("--dry-run: --remove would be checked after a real merge; nothing is removed now");
  const r = await mergeTarget(
    g,
    target,
    {
      into: o.into,
      strategy,
      dryRun: !!o.dryRun,
      commitMessage: o.commit ? o.message : undefined,
      remove: !!o.remove && !o.dryRun,
      // Said as soon as it is done, before any removal reports.
      onMerged: o.json
        ? undefined
        : (m) => {
            for (const l of describeMerge(m)) out(l);
          },
    },
    // What it did goes to stdout, as ws rm says its removals; with --json stdout is the JSON alone.
    o.json ? stderrReporter : { info: out, warn: stderrReporter.warn },
  );
  if (o.json) out(JSON.stringify(r, null, 2));
  // The removal said what it did (or kept, and why) as it went; keeping it is not what was asked.
  return o.remove && !o.dryRun && !r.removed ? EXIT.runtime : undefined;
}

export async function cmdPush(g: ProjectOptions, target: string, o: { remote?: string; forceWithLease?: boolean; json?: boolean }): Promise<void> {
  const r = await pushTarget(g, target, { remote: o.remote, forceWithLease: o.forceWithLease }, stderrReporter);
  if (o.json) out(JSON.stringify(r, null, 2));
  else out(`pushed ${r.branch} to ${r.remote}${r.forced ? " (force-with-lease)" : ""}; upstream ${r.upstream}`);
}
