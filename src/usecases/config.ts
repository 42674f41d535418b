import type { ProjectOptions } from "../config/locate.js";
import { assertVarsSet, loadProject, type Project } from "../config/project.js";
import { desiredFleet } from "../desired/desired.js";
import { agentProfile } from "../desired/profiles.js";
import { formatDuration } from "../duration.js";
import { formatProblem, UsageError } from "../errors.js";
import { shownEnv, throwawayKey } from "../secrets.js";

/**
 * `amux config show`: the resolved configuration as data, secret values masked by the one rule
 * (src/secrets.ts) and `${VAR}` pieces masked as the loader marked them, unless `showSecrets`.
 */
export function configOf(opts: ProjectOptions, showSecrets: boolean) {
  return configView(loadProject(opts), showSecrets);
}

export function configView(p: Project, showSecrets: boolean) {
  const agents: Record<string, unknown> = {};
  for (const a of Object.values(p.agents)) {
    const shown = showSecrets ? { name: a.name, command: a.command, shell: a.shell, windowName: a.windowName } : a.shown;
    const status = agentProfile(a);
    agents[a.id] = {
      name: shown.name,
      builtIn: a.builtIn,
      definedIn: a.definedIn,
      command: shown.command,
      shell: shown.shell ?? null,
      windowName: shown.windowName ?? null,
      autoAttach: a.autoAttach,
      environment: shownEnv(a.environment, a.secretKeys, showSecrets),
      status: {
        profile: status.base,
        idleAfter: formatDuration(status.idleAfterMs),
        stuckAfter: formatDuration(status.stuckAfterMs),
        busyPatterns: status.busy.map((r) => r.source),
        waitingPatterns: status.waiting.map((r) => r.source),
        promptPatterns: status.prompt.map((r) => r.source),
      },
    };
  }
  const services: Record<string, unknown> = {};
  for (const s of Object.values(p.services)) {
    const { name: _n, environmentSecretKeys, shown, environment, ...real } = s;
    const fields = showSecrets ? real : shown;
    services[s.name] = { ...fields, environment: shownEnv(environment, environmentSecretKeys, showSecrets) };
  }
  const hosts = Object.fromEntries(Object.values(p.hosts).map((h) => [h.id, { ssh: h.ssh, root: h.root }]));
  return { project: p.name, root: p.root, composeFile: p.composeFile ?? null, configFile: p.configFile ?? null, hosts, agents, services };
}

/** What `amux config validate` found: the files read and what they declare. */
export interface Validation {
  files: string[];
  agents: number;
  services: number;
}

/**
 * `amux config validate`: loads both files and builds the desired fleet, throwing what `up`
 * would refuse; variables unset for agents no service starts are said to `warn` (first).
 */
export function validateConfig(opts: ProjectOptions, warn: (line: string) => void): Validation {
  const p = loadProject(opts);
  const files = [p.configFile, p.composeFile].filter((f): f is string => !!f);
  if (!files.length) throw new UsageError("nothing to validate: no .amux/config.yaml or amux.compose.yaml here or in a parent directory");
  // What `up` would start must have every variable it uses; other agents' gaps are warnings.
  const services = Object.values(p.services);
  assertVarsSet(
    p,
    [...new Set(services.map((s) => s.agent))],
    services.map((s) => s.name),
  );
  for (const m of p.missing) warn(`${formatProblem(m.problem)} (only matters when that agent is started)`);
  desiredFleet(p, throwawayKey());
  return { files, agents: Object.keys(p.agents).length, services: Object.keys(p.services).length };
}
