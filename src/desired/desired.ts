import type { Project } from "../config/project.js";
import type { DigestKey } from "../secrets.js";
import { BRANCH_PREFIX } from "../workspace/ensure.js";
import { replicaWorkspace, workspaceDir } from "../workspace/paths.js";
import { buildSpawn, type SpawnBuild } from "./spawn.js";
import type { DesiredService, DesiredState, DesiredWorkspace } from "./types.js";

export function serviceSessionName(project: string, service: string, replica: number): string {
  return `${project}-${service}-${replica}`;
}

/** The declared fleet, resolved: the planner's input plus how to spawn each replica; digests keyed by `key`. */
export function desiredFleet(p: Project, key: DigestKey): { desired: DesiredState; builds: Map<string, SpawnBuild> } {
  const builds = new Map<string, SpawnBuild>();
  const services: DesiredService[] = [];
  const workspaces = new Map<string, DesiredWorkspace>();
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
      const cwd = workspace ? workspaceDir(p.root, workspace, p.workspaces.root) : p.root;
      const b = buildSpawn({ project: p, agent, session, service: svc, replica: n, workspace, cwd, prompt: svc.prompt ?? null, key }, env);
      builds.set(session, b);
      if (workspace && !workspaces.has(workspace)) {
        // A branch named for the service gets the replica's number with isolation: replica, as the workspace does.
        const branch = svc.branch ? (svc.isolation === "replica" ? `${svc.branch}-${n}` : svc.branch) : `${BRANCH_PREFIX}${workspace}`;
        const setup = p.workspaces.setup ? (p.workspaces.setupShown ?? p.workspaces.setup) : null;
        workspaces.set(workspace, { name: workspace, branch, base: svc.base ?? p.workspaces.base ?? null, setup });
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
      });
    }
    services.push({ name: svc.name, replicas: svc.replicas, restart: svc.restart, maxRestarts: svc.maxRestarts, onStuck: svc.onStuck, sessions });
  }
  const logCap = { maxBytes: p.history.logMaxBytes, keep: p.history.logKeep };
  return { desired: { project: p.name, root: p.root, services, workspaces: [...workspaces.values()], logCap }, builds };
}
