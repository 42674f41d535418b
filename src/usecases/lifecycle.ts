import type { ApplyResult } from "../apply/apply.js";
import { assertVarsSet, loadProject, locateProject, type Project, type ProjectOptions } from "../config/project.js";
import { desiredFleet } from "../desired/desired.js";
import { serverSetup } from "../desired/server-key.js";
import { NotFoundError, UsageError } from "../errors.js";
import type { Reporter } from "../io.js";
import { groupProject } from "../observe/group.js";
import { observeWorkspaces } from "../observe/workspaces.js";
import { type ManualKind, type ManualTargets, planManual } from "../plan/manual.js";
import type { Plan } from "../plan/types.js";
import { readRecords } from "../state/records.js";
import { applyAndRecord, lockProject, observeFleetServers } from "./fleet.js";
import { sendWhenReady } from "./session.js";

export interface ManualResult {
  plan: Plan;
  result: ApplyResult;
}

/**
 * `amux start` / `amux restart` of sessions or services: the same observe → plan → apply as
 * `up`, under the project lock, with the plan limited to what was named. A declared replica
 * starts from the compose file (clearing an `amux stop` hold, as compose's start does); an
 * `amux run` session restarts in place with the command, directory and environment tmux kept
 * for it. One that tmux has forgotten cannot be started again: amux never stored what it was
 * started with, since its environment may hold secrets.
 */
export async function startOrRestart(kind: ManualKind, o: ProjectOptions & { fresh?: boolean }, names: string[], reporter: Reporter): Promise<ManualResult> {
  if (!names.length) throw new UsageError(`amux ${kind} needs a session or service name`);
  const loc = locateProject(o);
  const lock = await lockProject(loc.root, `amux ${kind}`, reporter);
  let prompts: { session: string; text: string; host: string | null }[] = [];
  let out: ManualResult;
  let project: Project;
  try {
    project = loadProject(o);
    const { state, key, hostKeys, hostSetups, sessions: observed, unreachable } = await observeFleetServers(project);
    const { desired } = desiredFleet(project, key, (id) => hostKeys.get(id));
    const { mine } = groupProject(observed, project.root, Object.keys(project.services));
    const targets: ManualTargets = { declared: [], other: [] };
    const records = readRecords(project.root);
    for (const n of names) {
      const svc = desired.services.find((s) => s.name === n);
      const replica = desired.services.flatMap((s) => s.sessions).find((d) => d.session === n);
      const live = mine.find((s) => s.name === n);
      if (svc) targets.declared.push(...svc.sessions.map((d) => d.session));
      else if (replica) targets.declared.push(replica.session);
      else if (live) targets.other.push(live.name);
      else if (mine.some((s) => s.labels.service === n)) targets.other.push(...mine.filter((s) => s.labels.service === n).map((s) => s.name));
      else if (records.some((r) => r.name === n)) {
        const r = records.find((x) => x.name === n);
        throw new UsageError(
          `cannot ${kind} ${n}: it is gone from tmux and is not a replica the compose file declares`,
          r?.service
            ? [`the compose file no longer declares it (service ${r.service}); \`amux up\` makes what it declares`]
            : [
                "amux does not keep what an `amux run` session was started with (its environment may hold secrets)",
                `start a new one: amux run ${r?.agent || "<agent>"} --name ${n}`,
              ],
        );
      } else {
        const known = [
          ...new Set([
            ...desired.services.map((s) => s.name),
            ...desired.services.flatMap((s) => s.sessions.map((d) => d.session)),
            ...mine.map((s) => s.name),
          ]),
        ].sort();
        throw new NotFoundError(
          `no session or service ${n}`,
          known.length ? [`sessions and services: ${known.join(", ")}`] : ["this project has no sessions or services"],
        );
      }
    }
    targets.declared = [...new Set(targets.declared)];
    const services = [...new Set(targets.declared.map((n) => desired.services.find((s) => s.sessions.some((d) => d.session === n))?.name as string))];
    assertVarsSet(project, [...new Set(services.map((s) => project.services[s]?.agent as string))], services);
    targets.other = [...new Set(targets.other)];
    const workspaces = await observeWorkspaces(project, desired.workspaces ?? []);
    const plan = planManual(kind, desired, { ...state, sessions: observed, workspaces, unreachable }, targets, { fresh: !!o.fresh, now: Date.now() });
    const applied = await applyAndRecord(project, plan, observed, serverSetup(key, state.server), reporter, {}, hostSetups);
    prompts = applied.prompts;
    out = { plan, result: applied.result };
  } finally {
    await lock.release();
  }
  if (prompts.length) await sendWhenReady(project, prompts, 60_000, reporter);
  return out;
}
