import type { Project } from "../config/project.js";
import type { DigestKey } from "../secrets.js";
import { BRANCH_PREFIX } from "../workspace/ensure.js";
import { replicaWorkspace, workspaceDir } from "../workspace/paths.js";
import { replicaHost } from "./placement.js";
import { buildSpawn, type SpawnBuild } from "./spawn.js";
import type { DesiredService, DesiredState, DesiredWorkspace } from "./types.js";

export function serviceSessionName(project: string, service: string, replica: number): string {
  return `${project}-${service}-${replica}`;
}

/**
 * The declared fleet, resolved: the planner's input plus how to spawn each replica; digests keyed
 * by `key`, or for a replica on a host by `hostKeys(id)` (each tmux server has its own key).
 */
export function desiredFleet(
  p: Project,
  key: DigestKey,
  hostKeys?: (host: string) => DigestKey | undefined,
): { desired: DesiredState; builds: Map<string, SpawnBuild> } {
  const builds = new Map<string, SpawnBuild>();
  const services: DesiredService[] = [];
  const workspaces = new Map<string, DesiredWorkspace>();
  const hostWorkspaces = new Map<string, DesiredWorkspace>();
  // One plain copy of the environment for every replica: each read of process.env goes through
  // Node's native accessor, a cost per variable and per replica that a large fleet feels.
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const svc of Object.values(p.services).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const agent = p.agents[svc.agent];
    if (!agent) continue;
    const sessions = [];
    for (let n = 1; n <= svc.replicas; n++) {
      const session = serviceSessionName(p.name, svc.name, n);
      const workspace = replicaWorkspace(svc.workspace, svc.isolation, n);
      const host = replicaHost(p, svc.name, n);
      const top = host ? host.root : p.root;
      const cwd = workspace ? workspaceDir(top, workspace, p.workspaces.root) : top;
      const b = buildSpawn(
        {
          project: p,
          agent,
          session,
          service: svc,
          replica: n,
          workspace,
          cwd,
          prompt: svc.prompt ?? null,
          key: (host && hostKeys?.(host.id)) || key,
          host: host ? { id: host.id, root: host.root } : null,
        },
        env,
      );
      builds.set(session, b);
      // A workspace on a host is that host's (its worktree of the host's root), not this machine's.
      const wsKey = workspace && host ? `${host.id}\0${workspace}` : workspace;
      const wsMap = host ? hostWorkspaces : workspaces;
      if (workspace && wsKey && !wsMap.has(wsKey)) {
        // A branch named for the service gets the replica's number with isolation: replica, as the workspace does.
        const branch = svc.branch ? (svc.isolation === "replica" ? `${svc.branch}-${n}` : svc.branch) : `${BRANCH_PREFIX}${workspace}`;
        const setup = p.workspaces.setup ? (p.workspaces.setupShown ?? p.workspaces.setup) : null;
        wsMap.set(wsKey, { name: workspace, branch, base: svc.base ?? p.workspaces.base ?? null, setup, ...(host ? { host: host.id } : {}) });
      }
      sessions.push({
        session,
        service: svc.name,
        replica: n,
        agent: agent.id,
        hash: b.hash,
        summary: b.summary,
        resume: b.resume,
        start: b.create,
        resumeArgv: b.resumeArgv,
        workspace,
        prompt: b.prompt,
        host: host ? host.id : null,
      });
    }
    services.push({ name: svc.name, replicas: svc.replicas, restart: svc.restart, maxRestarts: svc.maxRestarts, onStuck: svc.onStuck, sessions });
  }
  const logCap = { maxBytes: p.history.logMaxBytes, keep: p.history.logKeep };
  const desired: DesiredState = { project: p.name, root: p.root, services, workspaces: [...workspaces.values()], logCap };
  const hosts = Object.values(p.hosts ?? {});
  if (hosts.length) desired.hostRoots = Object.fromEntries(hosts.map((h) => [h.id, h.root]));
  if (hostWorkspaces.size) desired.hostWorkspaces = [...hostWorkspaces.values()];
  return { desired, builds };
}
