import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ProjectOptions } from "../config/locate.js";
import { loadProject, type Project } from "../config/project.js";
import { loadView } from "../desired/snapshot.js";
import { ConfigError, UsageError } from "../errors.js";
import type { Reporter } from "../io.js";
import { checkName } from "../names.js";
import { observeSessions } from "../observe/server.js";
import { type AmuxEvent, appendEvents } from "../state/events.js";
import type { ObservedSession } from "../tmux/types.js";
import { type WorkspaceDiff, type WorkspaceSummary, workspaceDiff, workspaceSummary } from "../workspace/diff.js";
import { findWorkspace, listWorkspaces, removeWorkspaces, type WorkspaceInfo, workspacesRoot } from "../workspace/manage.js";
import { type MergeOptions, type MergeResult, mergeWorkspace } from "../workspace/merge.js";
import { type PushOptions, type PushResult, pushWorkspace } from "../workspace/push.js";
import { type HookEvent, matchingHooks, runHook } from "./hooks.js";

/**
 * Reviewing and landing agents' work: the use cases behind `amux diff`, `ws ls`, `merge` and
 * `push`, and the MCP tools over them. Landing appends workspace.* events to the project's event
 * log and runs the matching hooks.
 */

type Located = { root: string; name: string; workspaces: { root?: string | undefined } };

/**
 * The workspace a name means: a workspace of that name, else the one a live session runs in,
 * else a service's (with `isolation: replica`, the one replica's, or an error listing them).
 */
export async function resolveWorkspace(
  opts: ProjectOptions,
  target: string,
  reporter: Reporter,
): Promise<{ view: Located; info: WorkspaceInfo; sessions: ObservedSession[] }> {
  const view = await loadView(opts, reporter.warn);
  const sessions = (await observeSessions({ scope: view })).project.mine;
  const byName = async (name: string) => ({ view, info: await findWorkspace(view, name, sessions), sessions });
  if (!checkName("workspace", target) && existsSync(join(workspacesRoot(view), target))) return byName(target);
  const s = sessions.find((x) => x.name === target);
  if (s) {
    if (!s.labels.workspace) throw new UsageError(`session ${target} runs in the project root, not in a workspace`);
    return byName(s.labels.workspace);
  }
  let project: Project | undefined;
  try {
    project = loadProject(opts);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
  const svc = project?.services[target];
  if (svc) {
    if (!svc.workspace) throw new UsageError(`service ${target} runs in the project root, not in a workspace`);
    if (svc.isolation === "replica") {
      if (svc.replicas !== 1) {
        const names = Array.from({ length: svc.replicas }, (_, i) => `${svc.workspace}-${i + 1}`);
        throw new UsageError(`service ${target} gives each replica its own workspace: name one`, [names.join(", ")]);
      }
      return byName(`${svc.workspace}-1`);
    }
    return byName(svc.workspace);
  }
  return byName(target);
}

export async function diffTarget(opts: ProjectOptions, target: string, reporter: Reporter): Promise<WorkspaceDiff> {
  const { view, info } = await resolveWorkspace(opts, target, reporter);
  return workspaceDiff(view.root, info);
}

export type WorkspaceRow = WorkspaceInfo & WorkspaceSummary;

/** `ws ls`: every workspace with its state, and for worktrees where its branch stands. */
export async function listWorkspaceRows(opts: ProjectOptions, reporter: Reporter): Promise<WorkspaceRow[]> {
  const view = await loadView(opts, reporter.warn);
  const list = await listWorkspaces(view, (await observeSessions({ scope: view })).project.mine);
  const rows: WorkspaceRow[] = [];
  for (const w of list) rows.push({ ...w, ...(await workspaceSummary(view.root, w)) });
  return rows;
}

export interface LandResult extends MergeResult {
  /** With remove: whether the workspace went, and why not. */
  removed: boolean;
  kept: string[];
}

/** `amux merge`: lands the workspace, then with remove takes it away when nothing would be lost. */
export async function mergeTarget(
  opts: ProjectOptions,
  target: string,
  o: MergeOptions & { remove?: boolean | undefined; onMerged?: ((r: MergeResult) => void) | undefined },
  reporter: Reporter,
): Promise<LandResult> {
  const project = await landingProject(opts, reporter);
  const { info, sessions } = await resolveWorkspace(opts, target, reporter);
  const r = await mergeWorkspace(project.root, info, o, reporter);
  const res: LandResult = { ...r, removed: false, kept: [] };
  o.onMerged?.(r);
  if (o.dryRun) return res;
  if (!r.upToDate) {
    await announce(
      project,
      { action: "merged", workspace: r.workspace, branch: r.branch, into: r.into, reason: `${r.strategy}, ${r.commits.length} commits` },
      reporter,
    );
  }
  if (o.remove) {
    const fresh = await findWorkspace(project, r.workspace, sessions);
    const rm = await removeWorkspaces(project, [fresh], false, reporter, { named: true });
    res.removed = rm.removed.includes(r.workspace);
    res.kept = rm.kept.flatMap((k) => k.reasons);
  }
  return res;
}

/** `amux push`: pushes the workspace's branch with its upstream set. */
export async function pushTarget(opts: ProjectOptions, target: string, o: PushOptions, reporter: Reporter): Promise<PushResult> {
  const project = await landingProject(opts, reporter);
  const { info } = await resolveWorkspace(opts, target, reporter);
  const r = await pushWorkspace(project.root, info, o, reporter);
  await announce(
    project,
    { action: "pushed", workspace: r.workspace, branch: r.branch, remote: r.remote, reason: r.forced ? "force-with-lease" : undefined },
    reporter,
  );
  return r;
}

type Landing = Located & { hooks: Project["hooks"] };

/** The project with its hooks; an invalid config does not stop landing work, it only skips the hooks (and says so). */
async function landingProject(opts: ProjectOptions, reporter: Reporter): Promise<Landing> {
  try {
    return loadProject(opts);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const view = await loadView(opts, () => {});
    reporter.warn(`warning: the configuration is invalid, so no hooks run for this:\n${e.message}`);
    return { root: view.root, name: view.name, workspaces: view.workspaces, hooks: [] };
  }
}

/** Appends the workspace event to the log `amux events` reads, and runs the hooks that name it. */
async function announce(
  project: Landing,
  e: { action: "merged" | "pushed"; workspace: string; branch: string; into?: string; remote?: string; reason?: string | undefined },
  reporter: Reporter,
): Promise<void> {
  const time = new Date().toISOString();
  const event = `workspace.${e.action}`;
  appendEvents(project.root, [{ time, type: "workspace", project: project.name, ...e }]);
  const events: AmuxEvent[] = [];
  const he: HookEvent = {
    event,
    project: project.name,
    root: project.root,
    session: "",
    service: null,
    replica: null,
    status: e.action,
    previousStatus: null,
    reason: e.reason ?? "",
    exitCode: null,
    workspace: e.workspace,
    branch: e.branch,
    remote: e.remote,
  };
  const hooks = matchingHooks(project.hooks, event, null);
  const outcomes = await Promise.all(hooks.map((h) => runHook(h, he, project.root).then((o) => ({ h, o }))));
  for (const { h, o } of outcomes) {
    const label = h.run.length > 60 ? `${h.run.slice(0, 57)}...` : h.run;
    const why = o.ok ? undefined : o.timedOut ? `timed out after ${h.timeout}` : `exited with ${o.code}`;
    if (why) reporter.warn(`hook "${label}" (${event}) ${why}${o.output ? `: ${o.output.split("\n").slice(-3).join(" / ")}` : ""}`);
    events.push({ time: new Date().toISOString(), type: "hook", project: project.name, reason: why ? label : `${label} (${event}) ok`, error: why });
  }
  appendEvents(project.root, events);
}
