import type { ReportKind } from "../agents/hooks.js";
import { ConfigError, type ConfigProblem } from "../errors.js";
import { type HistoryPolicy, historyPolicy } from "../history.js";
import { buildProfile, type StatusOverrides } from "../status/profiles.js";
import type { StatusProfile } from "../status/types.js";
import { builtinAgents } from "./builtins.js";
import { locateProject, type ProjectOptions, projectName, SECRET_KEY } from "./locate.js";
import { type AgentInput, type ComposeInput, composeSchema, configSchema, type HookInput, type ServiceInput, type WorkspacesInput } from "./schema.js";
import { locate, type MissingVarAt, problemsFromZod, readYamlFile, type YamlFile } from "./yaml-file.js";

/** An agent with everything resolved. */
export interface ResolvedAgent {
  id: string;
  name: string;
  command: string;
  shell: string | undefined;
  windowName: string | undefined;
  autoAttach: boolean;
  environment: Record<string, string>;
  /** Keys of `environment` whose values must never be shown or stored. */
  secretKeys: string[];
  status: StatusProfile;
  /** The `status:` block as written, for the project snapshot. */
  statusSource: StatusOverrides;
  /** Where it was defined: a file as shown, or "(built-in)". */
  definedIn: string;
  /** One of amux's built-in agents, not redefined by the project's files. */
  builtIn: boolean;
  /** The command line that continues the last conversation (params.resume). */
  resume?: string | undefined;
  /** How a built-in agent reports its own state (status/reported.ts); none for user-defined agents. */
  report?: ReportKind | undefined;
}

export type WorkspaceSettings = WorkspacesInput;

/** A declared service, validated. */
export interface ServiceDecl extends Omit<ServiceInput, "environment"> {
  name: string;
  environment: Record<string, string>;
  environmentSecretKeys: string[];
}

export interface Project {
  root: string;
  name: string;
  composeFile: string | undefined;
  configFile: string | undefined;
  agents: Record<string, ResolvedAgent>;
  services: Record<string, ServiceDecl>;
  /** compose `hooks:`. */
  hooks: HookInput[];
  /** compose `workspaces:` settings. */
  workspaces: WorkspaceSettings;
  /** Unset `${VAR}`s, reported only when what uses them is started. */
  missing: MissingVarAt[];
  /** compose `logs:` and `retention:`, resolved with their defaults. */
  history: HistoryPolicy;
}

/**
 * Reads, interpolates and validates the config and compose files; every problem at once. Linear
 * in the size of the files (a test holds 100k services to seconds). `read` stands in for the
 * file reader in tests.
 */
export function loadProject(
  opts: ProjectOptions,
  env: Record<string, string | undefined> = process.env,
  read: (file: string) => YamlFile = (file) => readYamlFile(file, env),
): Project {
  const loc = locateProject(opts);
  const problems: ConfigProblem[] = [];
  const missing: MissingVarAt[] = [];
  // Built-ins first: the config file, then the compose file, replace them by id.
  const agents: Record<string, ResolvedAgent> = builtinAgents(env);
  const agentSources: Record<string, YamlFile> = {};

  let configYaml: YamlFile | undefined;
  if (loc.configFile) {
    configYaml = read(loc.configFile);
    pushAll(problems, configYaml.problems);
    if (!configYaml.problems.length) {
      const r = configSchema.safeParse(configYaml.value ?? {});
      if (!r.success) pushAll(problems, problemsFromZod(configYaml, r.error, configSchema));
      else {
        pushAll(missing, configYaml.missing);
        for (const [id, a] of Object.entries(r.data.agents)) {
          agents[id] = resolveAgent(id, a, configYaml);
          agentSources[id] = configYaml;
        }
      }
    }
  }

  let compose: ComposeInput | undefined;
  let composeYaml: YamlFile | undefined;
  if (loc.composeFile) {
    composeYaml = read(loc.composeFile);
    pushAll(problems, composeYaml.problems);
    if (!composeYaml.problems.length) {
      const r = composeSchema.safeParse(composeYaml.value ?? {});
      if (!r.success) pushAll(problems, problemsFromZod(composeYaml, r.error, composeSchema));
      else {
        compose = r.data;
        pushAll(missing, composeYaml.missing);
        for (const [id, a] of Object.entries(compose.agents ?? {})) {
          agents[id] = resolveAgent(id, a, composeYaml);
          agentSources[id] = composeYaml;
        }
      }
    }
  }

  const services: Record<string, ServiceDecl> = {};
  if (composeYaml && !composeYaml.problems.length) {
    // Agent references are checked even when the schema failed elsewhere: every problem at once.
    const raw = (composeYaml.value as { services?: Record<string, { agent?: unknown }>; agents?: Record<string, unknown> } | null)?.services;
    const rawAgents = (composeYaml.value as { agents?: Record<string, unknown> } | null)?.agents ?? {};
    const rawConfigAgents = (configYaml?.value as { agents?: Record<string, unknown> } | null)?.agents ?? {};
    const keysOf = (o: unknown) => (o && typeof o === "object" && !Array.isArray(o) ? Object.keys(o) : []);
    const knownSet = new Set([...Object.keys(agents), ...keysOf(rawAgents), ...keysOf(rawConfigAgents)]);
    const known = [...knownSet].sort();
    for (const [name, s] of Object.entries(raw && typeof raw === "object" ? raw : {})) {
      const agent = s && typeof s === "object" ? s.agent : undefined;
      if (typeof agent === "string" && !knownSet.has(agent)) {
        const path = ["services", name, "agent"];
        problems.push({
          file: composeYaml.shown,
          ...locate(composeYaml, path),
          path: path.join("."),
          message: `unknown agent ${JSON.stringify(agent)}; known agents: ${known.length ? known.join(", ") : "(none: define agents in .amux/config.yaml or under agents:)"}`,
        });
      }
    }
  }
  if (compose && composeYaml) {
    for (const [name, s] of Object.entries(compose.services)) {
      const y = composeYaml;
      const secret = Object.keys(s.environment ?? {}).filter((k) => SECRET_KEY.test(k) || y.expandedPaths.has(["services", name, "environment", k].join("\0")));
      services[name] = { ...s, name, environment: stringifyEnv(s.environment), environmentSecretKeys: secret };
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const name = projectName(loc, opts, compose?.name);
  const ws: WorkspacesInput = compose?.workspaces ?? { copy: [], symlink: [] };
  return {
    root: loc.root,
    name,
    composeFile: loc.composeFile,
    configFile: loc.configFile,
    agents,
    services,
    workspaces: ws,
    hooks: compose?.hooks ?? [],
    missing,
    history: historyPolicy(compose?.logs, compose?.retention),
  };
}

/** push(...list) overflows the call stack past ~100k items: a file can hold that many problems. */
function pushAll<T>(to: T[], list: readonly T[]): void {
  for (const x of list) to.push(x);
}

function stringifyEnv(env: Record<string, string | number | boolean> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env ?? {})) out[k] = String(v);
  return out;
}

function resolveAgent(id: string, a: AgentInput, y: YamlFile): ResolvedAgent {
  const environment = stringifyEnv(a.environment);
  const base = ["agents", id, "environment"];
  const secretKeys = Object.keys(environment).filter((k) => SECRET_KEY.test(k) || y.expandedPaths.has([...base, k].join("\0")));
  return {
    id,
    name: a.name ?? id,
    command: a.params.command,
    shell: a.params.shell,
    windowName: a.params.windowName,
    autoAttach: a.params.autoAttach ?? false,
    resume: a.params.resume,
    environment,
    secretKeys,
    status: buildProfile(id, a.params.command, a.status ?? {}),
    statusSource: a.status ?? {},
    definedIn: y.shown,
    builtIn: false,
  };
}

/**
 * Throws for unset variables used by what is about to start: the named agents and services
 * (and anything outside agents/services, which is always in use).
 */
export function assertVarsSet(p: Project, agentIds: string[], serviceNames: string[]): void {
  const used = p.missing.filter((m) => {
    const [top, key] = m.path;
    if (top === "agents") return key !== undefined && agentIds.includes(key);
    if (top === "services") return key !== undefined && serviceNames.includes(key);
    return true;
  });
  if (used.length) throw new ConfigError(used.map((m) => m.problem));
}

/** Masks secret values for display. */
export function maskEnv(env: Record<string, string>, secretKeys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = secretKeys.includes(k) ? "********" : v;
  return out;
}

export type { ProjectOptions };
export { locateProject, projectName };
