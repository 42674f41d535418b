import { replicaOf } from "../tmux/labels.js";
import { restartAction, restartAsStarted, startAction, withWorkspaces } from "./actions.js";
import { at, describeChange, hostField, hostOf } from "./plan.js";
import type { Action, DesiredSession, DesiredState, ObservedState, Plan } from "./types.js";

/** `amux start` or `amux restart`. */
export type ManualKind = "start" | "restart";

/** What a person named: declared replicas (by session), and live sessions that are not declared (`amux run` ones). */
export interface ManualTargets {
  declared: string[];
  other: string[];
}

function parseSummary(json: string | undefined): Record<string, string> | undefined {
  try {
    const v = json ? (JSON.parse(json) as unknown) : undefined;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, string>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The plan for `amux start` / `amux restart`, as docker compose does them: start makes a stopped
 * replica live again (create when tmux has forgotten it, respawn in place when its pane exited)
 * and leaves a running one alone; restart respawns in place, running or not. A replica whose
 * spawn spec changed since is recreated instead (a respawn would run the new spec under the old
 * hash). A person's start or restart is not a policy restart: the count goes back to 0. A
 * replica respawned in place continues its conversation when its agent has a resume command,
 * unless `fresh`. Pure.
 */
export function planManual(
  kind: ManualKind,
  desired: DesiredState,
  observed: ObservedState,
  targets: ManualTargets,
  o: { fresh?: boolean; now: number },
): Plan {
  const resume = { resume: !o.fresh, now: o.now };
  const verb = kind === "start" ? "started by amux start" : "restarted by amux restart";
  const actions: Action[] = [];
  const notes: Plan["notes"] = [];
  const upToDate: string[] = [];
  // A name is in use on its own server only.
  const byName = new Map(observed.sessions.map((s) => [at(hostOf(s), s.name), s]));
  const unreachable = new Map((observed.unreachable ?? []).map((u) => [u.host, u]));
  const declared = new Map<string, DesiredSession>();
  for (const svc of desired.services) for (const d of svc.sessions) declared.set(d.session, d);
  for (const name of targets.declared) {
    const d = declared.get(name);
    if (!d) continue;
    const host = d.host ?? null;
    const away = host === null ? undefined : unreachable.get(host);
    if (away) {
      notes.push({
        kind: "unreachable",
        session: name,
        service: d.service,
        message: `host ${away.host} (${away.destination}) cannot be reached: ${away.gist}; not ${kind}ed`,
      });
      continue;
    }
    const obs = byName.get(at(host, name));
    if (!obs) {
      // Still on the host its service left: removed there, made on its host.
      const moved = observed.sessions.filter((s) => s.name === name && s.labels.root === desired.root && s.labels.service === d.service);
      for (const s of moved) {
        actions.push({
          action: "remove",
          session: name,
          service: d.service,
          replica: d.replica,
          reason: `host changed (${hostOf(s) ?? "this machine"} -> ${host ?? "this machine"})`,
          ...hostField(s),
        });
      }
      actions.push(startAction("create", d, moved.length ? `${verb}; host changed` : verb));
      continue;
    }
    if (obs.labels.root !== desired.root || obs.labels.service !== d.service) {
      const whose = obs.labels.root ? `amux session of ${obs.labels.root}` : "a session not made by amux";
      notes.push({ kind: "conflict", session: name, service: d.service, message: `${whose} holds the name; left alone, ${name} not ${kind}ed` });
      continue;
    }
    if (obs.labels.hash !== d.hash) {
      actions.push(startAction("recreate", d, `${verb}; ${describeChange(parseSummary(obs.labels.spec), d.summary)}`));
      continue;
    }
    if (kind === "start" && !obs.dead) {
      upToDate.push(name);
      continue;
    }
    actions.push(restartAction(d, verb, 0, resume));
  }
  for (const name of targets.other) {
    const obs = observed.sessions.find((s) => s.name === name && s.labels.root === desired.root) ?? observed.sessions.find((s) => s.name === name);
    if (!obs) continue;
    if (kind === "start" && !obs.dead) {
      upToDate.push(name);
      continue;
    }
    const replica = replicaOf(obs) ?? 0;
    actions.push(restartAsStarted(desired, { session: name, service: obs.labels.service ?? "", replica }, verb, 0, hostOf(obs)));
  }
  return withWorkspaces({ actions, notes, upToDate }, desired, observed, `${kind}ed`);
}
