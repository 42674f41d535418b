import { locateProject, type ProjectOptions } from "../config/locate.js";
import { declaredHosts, loadView } from "../desired/snapshot.js";
import { type Reporter, sleep } from "../io.js";
import { observeFleetSessions, type Unreachable } from "../observe/hosts.js";
import { observeSessions } from "../observe/server.js";
import { isLocked, requestStop } from "../state/lock.js";
import { ensureRuntimeDirs } from "../state/paths.js";
import { lockProject } from "../state/project-lock.js";
import { readRecords, writeRecords } from "../state/records.js";
import { killSessionsListing } from "../tmux/ops.js";
import { listWorkspaces, type RemoveResult, removeWorkspaces } from "../workspace/manage.js";
import { listRemoteWorkspaceNames, removeRemoteWorkspace } from "../workspace/remote.js";
import { goneHostOrphans, removeGoneHostOrphans } from "./orphans.js";
import { forgetFiles, type HistoryAfter, historyAfter, prunePassively } from "./prune.js";
import { killAcrossHosts } from "./session.js";
import { recordOf } from "./status.js";

export interface DownResult {
  removed: string[];
  failed: { name: string; error: string }[];
  /** Declared hosts that could not be reached: what runs there was not removed. */
  unreachable: Unreachable[];
}

/** `amux down`: removes every session of the project, found by its labels alone. */
export async function down(o: ProjectOptions, reporter: Reporter): Promise<DownResult> {
  const loc = locateProject(o);
  // A watcher would bring the fleet straight back: ask it to stop first, and wait for it to go.
  const watcher = await requestStop(loc.root, "watch");
  if (watcher) {
    reporter.info(`stopped amux watch (${watcher}) so that it does not bring the fleet back`);
    for (let i = 0; i < 50 && (await isLocked(loc.root, "watch")); i++) await sleep(100);
  }
  const lock = await lockProject(loc.root, "amux down", reporter);
  try {
    const hosts = await declaredHosts(o, loc);
    const hasHosts = Object.keys(hosts).length > 0;
    const fleet = hasHosts ? await observeFleetSessions(hosts, loc) : undefined;
    const local = fleet ? undefined : await observeSessions({ scope: loc });
    const mine = fleet ? fleet.project.mine : (local?.project.mine ?? []);
    const stamp = new Date().toISOString();
    // tmux kills in its own process while the records are written here: neither waits on the
    // other. One turn of the event loop first hands tmux its whole script (and the end of it).
    const killing: Promise<{ ok: string[]; failed: { name: string; error: string }[]; live?: Set<string> | undefined }> = hasHosts
      ? killAcrossHosts(mine, hosts)
      : killSessionsListing(mine.map((s) => s.name));
    killing.catch(() => {});
    await new Promise((r) => setImmediate(r));
    const view = await loadView(o, () => {}).catch(() => undefined);
    const declared = new Set(Object.keys(view?.hashes ?? {}));
    const leaving = mine.map((s) => s.name);
    // What the history keeps once they are gone is chosen first: a record the retention would
    // delete right away (beyond maxStopped) is never written.
    // (This machine's server only: with hosts, every record is written, then a full prune.)
    let after: HistoryAfter | undefined;
    try {
      if (local) after = historyAfter(loc.root, new Set(local.sessions.map((s) => s.name)), leaving, Date.parse(stamp), declared, view?.history);
    } catch {}
    const record = (keep: (name: string) => boolean) => {
      const records = mine.filter((s) => keep(s.name)).map((s) => recordOf(s, stamp, "down", hosts));
      if (records.length) writeRecords(loc.root, records);
    };
    if (mine.length) {
      ensureRuntimeDirs(loc.root);
      record((n) => !after || after.keep.has(n));
    }
    const r = await killing;
    // What could not be removed (a host's lease held by another controller…) still runs: its record says so.
    const kept = new Set(r.failed.map((f) => f.name));
    if (kept.size)
      writeRecords(
        loc.root,
        mine.filter((s) => kept.has(s.name)).map((s) => recordOf(s, null, null, hosts)),
      );
    // Sessions on hosts the file no longer declares: reached as their records say (ssh, root).
    const goneHosts = goneHostOrphans(readRecords(loc.root), hosts).groups;
    const orphans = goneHosts.length ? await removeGoneHostOrphans(loc.root, goneHosts) : undefined;
    // The sessions left, listed by the same tmux process right after the kills.
    const liveAfter =
      r.live ??
      (await observeSessions()
        .then((s) => new Set(s.sessions.map((x) => x.name)))
        .catch(() => undefined));
    // The choice holds when the server is as it expected: every leaving session gone, the others
    // still there, none of those it took for gone back, no host's orphans. Otherwise, as before:
    // every record, then a full prune.
    const going = new Set(leaving);
    const gone = after?.gone;
    if (
      after &&
      local &&
      liveAfter &&
      !r.failed.length &&
      !orphans &&
      local.sessions.every((s) => going.has(s.name) || liveAfter.has(s.name)) &&
      ![...liveAfter].some((n) => gone?.has(n))
    )
      forgetFiles(after.forget, liveAfter);
    else {
      if (after) record((n) => !after.keep.has(n) && !kept.has(n));
      await prunePassively(loc.root, declared, view?.history);
    }
    return {
      removed: [...r.ok, ...(orphans?.removed.map((x) => x.name) ?? [])],
      failed: [...r.failed, ...(orphans?.failed ?? [])],
      unreachable: fleet?.unreachable ?? [],
    };
  } finally {
    await lock.release();
  }
}

/**
 * `down --workspaces`: every workspace of the project, keeping any with unsaved work unless
 * forced; on each declared host too (its worktrees of the host's root, with the same rules). A
 * host that cannot be reached keeps its workspaces, said as kept.
 */
export async function removeProjectWorkspaces(o: ProjectOptions, opts: { force: boolean }, reporter: Reporter): Promise<RemoveResult> {
  const project = await loadView(o, reporter.warn);
  const hosts = project.hosts ?? {};
  if (!Object.keys(hosts).length) {
    const sessions = (await observeSessions({ scope: project })).project.mine;
    return removeWorkspaces(project, await listWorkspaces(project, sessions), opts.force, reporter);
  }
  const fleet = await observeFleetSessions(hosts, project);
  const here = fleet.project.mine.filter((s) => !s.host);
  const out = await removeWorkspaces(project, await listWorkspaces(project, here), opts.force, reporter);
  for (const u of fleet.unreachable) out.kept.push({ name: `(every workspace on host ${u.host})`, reasons: [`host ${u.host} cannot be reached: ${u.gist}`] });
  const away = new Set(fleet.unreachable.map((u) => u.host));
  for (const h of Object.values(hosts)) {
    if (away.has(h.id)) continue;
    const rh = { host: h, root: h.root, workspaces: { root: project.workspaces.root, copy: [], symlink: [] } };
    let names: string[];
    try {
      names = await listRemoteWorkspaceNames(rh);
    } catch (e) {
      out.kept.push({ name: `(every workspace on host ${h.id})`, reasons: [(e as Error).message] });
      continue;
    }
    for (const name of names) {
      const using = fleet.project.mine.filter((s) => s.host === h.id && s.labels.workspace === name).map((s) => s.name);
      try {
        const r = await removeRemoteWorkspace(rh, name, { force: opts.force, sessions: using }, reporter);
        if (r.removed) out.removed.push(`${name} (host ${h.id})`);
        else if (!r.absent) out.kept.push({ name: `${name} (host ${h.id})`, reasons: r.reasons });
      } catch (e) {
        out.kept.push({ name: `${name} (host ${h.id})`, reasons: [(e as Error).message] });
      }
    }
  }
  return out;
}
