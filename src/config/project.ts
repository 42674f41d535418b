import { ConfigError, type ConfigProblem } from "../errors.js";
import { type HistoryPolicy, historyPolicy } from "../history.js";
import { secretKeysOf } from "../secrets.js";
import type { ResolvedAgent } from "./agent.js";
import { builtinAgents } from "./builtins.js";
import { locateProject, type ProjectOptions, projectName } from "./locate.js";
import {
  type AgentInput,
  type ComposeInput,
  composeSchema,
  configSchema,
  type HookInput,
  type HostInput,
  type ServiceInput,
  type WorkspacesInput,
} from "./schema.js";
import { locate, type MissingVarAt, problemsFromZod, readYamlFile, type YamlFile } from "./yaml-file.js";

export type { ResolvedAgent };

/** compose `workspaces:`, with the setup command as it may be shown (`${VAR}` pieces masked). */
export type WorkspaceSettings = WorkspacesInput & { setupShown?: string | undefined };

/** A compose hook, with its command as it may be shown (`${VAR}` pieces masked). */
export type Hook = HookInput & { shown: string };

/** A declared service, validated. */
export interface ServiceDecl extends Omit<ServiceInput, "environment"> {
  name: string;
  environment: Record<string, string>;
  environmentSecretKeys: string[];
  /** The service's own fields as they may be shown: pieces that came from `${VAR}` masked. */
  shown: Omit<ServiceInput, "environment">;
}

/** A machine of compose `hosts:`, reached through ssh. */
export interface HostDecl extends HostInput {
  id: string;
}

export interface Project {
  root: string;
  name: string;
  composeFile: string | undefined;
  configFile: string | undefined;
  agents: Record<string, ResolvedAgent>;
  services: Record<string, ServiceDecl>;
  /** compose `hosts:` by id (empty: everything runs on this machine). */
  hosts: Record<string, HostDecl>;
  /** compose `hooks:`. */
  hooks: Hook[];
  /** compose `workspaces:` settings. */
  workspaces: WorkspaceSettings;
  /** Unset `${VAR}`s, reported only when what uses them is started. */
  missing: MissingVarAt[];
  /** Variables passed through from the invoking environment (keys with no value). */
  passThrough: string[];
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
  const passThrough = new Set<string>();

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
          agents[id] = resolveAgent(id, a, configYaml, env, passThrough);
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
          agents[id] = resolveAgent(id, a, composeYaml, env, passThrough);
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
    pushAll(problems, unknownHosts(composeYaml));
  }
  if (compose && composeYaml) {
    for (const [name, s] of Object.entries(compose.services)) {
      const { environment: _e, ...fields } = s;
      const env_ = resolveEnv(s.environment, composeYaml, ["services", name, "environment"], env, passThrough);
      services[name] = {
        ...s,
        name,
        environment: env_.environment,
        environmentSecretKeys: env_.secretKeys,
        shown: shownFields(fields, composeYaml, ["services", name]),
      };
    }
  }
  if (problems.length) throw new ConfigError(problems);
  const hosts: Record<string, HostDecl> = {};
  for (const [id, h] of Object.entries(compose?.hosts ?? {})) hosts[id] = { id, ...h };
  const name = projectName(loc, opts, compose?.name);
  const shownAt = (path: (string | number)[], value: string) => composeYaml?.maskedValues.get(path.join("\0")) ?? value;
  const declaredWs: WorkspacesInput = compose?.workspaces ?? { copy: [], symlink: [] };
  const ws: WorkspaceSettings = declaredWs.setup ? { ...declaredWs, setupShown: shownAt(["workspaces", "setup"], declaredWs.setup) } : declaredWs;
  const hooks: Hook[] = (compose?.hooks ?? []).map((h, i) => ({ ...h, shown: shownAt(["hooks", i, "run"], h.run) }));
  return {
    root: loc.root,
    name,
    composeFile: loc.composeFile,
    configFile: loc.configFile,
    agents,
    services,
    hosts,
    workspaces: ws,
    hooks,
    missing,
    passThrough: [...passThrough].sort(),
    history: historyPolicy(compose?.logs, compose?.retention),
  };
}

/**
 * A service's `host:` naming a host `hosts:` does not declare, located at the reference. Read
 * from the raw file, so it is reported with every other problem even when the schema failed.
 */
function unknownHosts(y: YamlFile): ConfigProblem[] {
  const doc = y.value as { hosts?: unknown; services?: unknown } | null;
  const isMap = (o: unknown): o is Record<string, unknown> => !!o && typeof o === "object" && !Array.isArray(o);
  const declared = isMap(doc?.hosts) ? Object.keys(doc.hosts) : [];
  const known = new Set(declared);
  const out: ConfigProblem[] = [];
  for (const [name, s] of Object.entries(isMap(doc?.services) ? doc.services : {})) {
    const ref = isMap(s) ? s.host : undefined;
    const refs: [unknown, (string | number)[]][] = Array.isArray(ref)
      ? ref.map((r, i) => [r, ["services", name, "host", i]])
      : [[ref, ["services", name, "host"]]];
    for (const [id, path] of refs) {
      if (typeof id !== "string" || known.has(id)) continue;
      out.push({
        file: y.shown,
        ...locate(y, path),
        path: path.join("."),
        message: `unknown host ${JSON.stringify(id)} (declared: ${declared.length ? declared.sort().join(", ") : "none; declare it under hosts:"})`,
      });
    }
  }
  return out;
}

/** push(...list) overflows the call stack past ~100k items: a file can hold that many problems. */
function pushAll<T>(to: T[], list: readonly T[]): void {
  for (const x of list) to.push(x);
}

/**
 * An environment block resolved: numbers and booleans as text, a key with no value passed through
 * from the invoking environment (left out when unset there), and which keys are secret by the rule.
 */
function resolveEnv(
  block: Record<string, string | number | boolean | null> | undefined,
  y: YamlFile,
  base: string[],
  env: Record<string, string | undefined>,
  passThrough: Set<string>,
): { environment: Record<string, string>; secretKeys: string[] } {
  const environment: Record<string, string> = {};
  const fromEnv = new Set<string>();
  for (const [k, v] of Object.entries(block ?? {})) {
    if (v === null) {
      passThrough.add(k);
      const passed = env[k];
      if (passed === undefined) continue;
      environment[k] = passed;
      fromEnv.add(k);
      continue;
    }
    environment[k] = String(v);
    if (y.expandedPaths.has([...base, k].join("\0"))) fromEnv.add(k);
  }
  return { environment, secretKeys: secretKeysOf(environment, fromEnv) };
}

/** A copy of an object's top-level strings as they may be shown: `${VAR}` pieces masked. */
function shownFields<T extends object>(fields: T, y: YamlFile, base: string[]): T {
  const out = { ...fields } as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== "string") continue;
    const masked = y.maskedValues.get([...base, k].join("\0"));
    if (masked !== undefined) out[k] = masked;
  }
  return out as T;
}

function resolveAgent(id: string, a: AgentInput, y: YamlFile, env: Record<string, string | undefined>, passThrough: Set<string>): ResolvedAgent {
  const { environment, secretKeys } = resolveEnv(a.environment, y, ["agents", id, "environment"], env, passThrough);
  const params = shownFields(a.params, y, ["agents", id, "params"]);
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
    shown: {
      name: a.name === undefined ? id : (y.maskedValues.get(["agents", id, "name"].join("\0")) ?? a.name),
      command: params.command,
      shell: params.shell,
      windowName: params.windowName,
    },
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

export type { ProjectOptions };
export { locateProject, projectName };
