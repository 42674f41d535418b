import { statSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_PASS_ENV } from "../config/builtins.js";
import { locateProject, MAX_CONFIG_BYTES, type ProjectLocation, type ProjectOptions, projectName } from "../config/locate.js";
import type { Project } from "../config/project.js";
import { ConfigError } from "../errors.js";
import type { HistoryPolicy } from "../history.js";
import { type DigestKey, digest, serverKey } from "../secrets.js";
import { amuxDir, ensureRuntimeDirs } from "../state/paths.js";
import { readRegular, readState, writeState } from "../state/safe-fs.js";
import { pickBuiltin, type StatusOverrides } from "../status/profiles.js";
import { unresolvedServices } from "./drift.js";
import { digestKeyFor } from "./server-key.js";
import type { HostView, ProjectView } from "./view.js";

/**
 * `ps` and other hot paths read a snapshot of the resolved project instead of parsing YAML and
 * validating it with zod on every call (that alone costs more than tmux does for 100 agents).
 * The snapshot is keyed by the files' size and mtime, and by a digest of the variables they
 * read keyed with the tmux server's `@amux-key` (never a plain hash a short secret could be
 * guessed back from). It holds no environment values, only status rules, restart policies,
 * commands as they may be shown (`${VAR}` pieces masked) and desired hashes, with the id of the
 * digest key they were made with (a server restarted since has another key: then they are made
 * again).
 */
interface Snapshot {
  v: 2;
  key: string;
  name: string;
  agents: Record<string, { command: string; status: StatusOverrides }>;
  services: ProjectView["services"];
  hashes: Record<string, string>;
  /** The digest key the hashes were made with; null: a throwaway key. */
  keyId: string | null;
  /** Variables the files pass through from the environment (their `${VAR}`s are found in the text). */
  passThrough: string[];
  /** Keyed digest of the values of every variable the files read, null when they read none. */
  envDigest: string | null;
  /** Services whose desired state cannot be resolved, with why. */
  unresolved: Record<string, string>;
  workspacesRoot: string | null;
  /** compose `logs:`/`retention:` resolved (absent in older snapshots: defaults). */
  history?: HistoryPolicy;
  /** compose `hosts:` (absent in older snapshots: the project is loaded to know them). */
  hosts?: Record<string, HostView>;
}

function snapshotFile(root: string): string {
  return join(amuxDir(root), "state", "project.json");
}

/**
 * Identifies the files of a resolved project without reading them as YAML, and names the
 * variables their `${VAR}`s read (whose values are checked by keyed digest, never stored).
 */
export function snapshotKey(loc: ProjectLocation, opts: ProjectOptions, env: NodeJS.ProcessEnv = process.env): { key: string; vars: string[] } {
  const parts: unknown[] = [opts.project ?? null, loc.root];
  const vars = new Set<string>();
  for (const f of [loc.configFile, loc.composeFile]) {
    if (!f) {
      parts.push(null);
      continue;
    }
    const st = statSync(f);
    parts.push([f, st.size, st.mtimeMs]);
    // Never blocks on a FIFO, never reads a huge file: such a file makes the full load report it.
    const r = readRegular(f, MAX_CONFIG_BYTES);
    if (!r.ok) throw new Error(`${f} ${r.why}`);
    const text = r.text;
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) vars.add(m[1] as string);
  }
  // Built-in agents take their provider's variables from the environment: they are inputs too.
  for (const name of BUILTIN_PASS_ENV) if (env[name] !== undefined) vars.add(name);
  return { key: JSON.stringify(parts), vars: [...vars].sort() };
}

/** A keyed digest of the values of the named variables: it changes when one does, and gives none back. */
function envDigest(key: DigestKey, names: string[], env: NodeJS.ProcessEnv): string | null {
  if (!names.length) return null;
  return digest(key, names.map((n) => `${n}=${env[n] === undefined ? "\0" : env[n]}`).join("\n"));
}

function fromSnapshot(loc: ProjectLocation, s: Snapshot): ProjectView {
  const agents: ProjectView["agents"] = {};
  for (const [id, a] of Object.entries(s.agents)) agents[id] = { id, command: a.command, statusSource: a.status };
  return {
    root: loc.root,
    name: s.name,
    composeFile: loc.composeFile,
    configFile: loc.configFile,
    agents,
    services: s.services,
    hashes: s.hashes,
    unresolved: s.unresolved,
    workspaces: { root: s.workspacesRoot ?? undefined },
    history: s.history,
    hosts: s.hosts ?? {},
  };
}

/**
 * The snapshot when it still describes the files and the environment. Values of variables are
 * checked with the server's key: without one, a snapshot that depends on variables is not used
 * (the project is loaded in full).
 */
function readSnapshot(
  root: string,
  id: { key: string; vars: string[] },
  serverKeySecret: string | null | undefined,
  env: NodeJS.ProcessEnv,
): Snapshot | undefined {
  // Any JSON object is what amux writes there (an older amux's snapshot too): it is only not used.
  const s = readState(snapshotFile(root), (text) => {
    const v = JSON.parse(text) as Snapshot | null;
    return v && typeof v === "object" ? v : undefined;
  });
  if (s?.v !== 2 || s.key !== id.key || !Array.isArray(s.passThrough) || s.workspacesRoot === undefined || typeof s.name !== "string") return undefined;
  if (!s.agents || !s.services || !s.hashes || !s.unresolved) return undefined;
  const k = serverKeySecret ? serverKey(serverKeySecret) : undefined;
  if (k && s.keyId !== k.id) return undefined;
  const names = [...new Set([...id.vars, ...s.passThrough])].sort();
  if (names.length && (!k || s.keyId !== k.id || s.envDigest !== envDigest(k, names, env))) return undefined;
  return s;
}

function writeSnapshot(root: string, s: Snapshot): void {
  ensureRuntimeDirs(root);
  writeState(root, snapshotFile(root), JSON.stringify(s));
}

/** Writes the snapshot of a fully loaded project (commands that load it anyway keep it fresh). */
export function saveSnapshot(
  p: Project,
  builds: Map<string, { hash: string }>,
  opts: ProjectOptions,
  digestKey: DigestKey,
  loc: ProjectLocation = locateProject(opts),
  env: NodeJS.ProcessEnv = process.env,
): Snapshot {
  const hashes: Record<string, string> = {};
  for (const [session, b] of builds) hashes[session] = b.hash;
  const agents: Snapshot["agents"] = {};
  // Built-ins are left out: profileFor rebuilds their rules from the id, so `ps` compiles no more
  // patterns than the project's own agents need.
  for (const a of Object.values(p.agents)) {
    if (a.builtIn) continue;
    // A masked command no longer names its program: keep the profile it chose.
    const status =
      a.shown.command === a.command
        ? a.statusSource
        : { ...a.statusSource, profile: a.statusSource.profile ?? (pickBuiltin(a.id, a.command) as StatusOverrides["profile"]) };
    agents[a.id] = { command: a.shown.command, status };
  }
  const services: ProjectView["services"] = {};
  for (const sv of Object.values(p.services))
    services[sv.name] = { name: sv.name, agent: sv.agent, restart: sv.restart, maxRestarts: sv.maxRestarts, stuckAfter: sv.stuckAfter };
  const snap: Snapshot = {
    v: 2,
    key: "",
    name: p.name,
    agents,
    services,
    hashes,
    keyId: digestKey.id,
    passThrough: p.passThrough,
    envDigest: null,
    unresolved: unresolvedServices(p),
    workspacesRoot: p.workspaces.root ?? null,
    history: p.history,
    hosts: Object.fromEntries(Object.entries(p.hosts).map(([id, h]) => [id, { id, ssh: h.ssh, root: h.root }])),
  };
  try {
    const id = snapshotKey(loc, opts, env);
    snap.key = id.key;
    snap.envDigest = envDigest(digestKey, [...new Set([...id.vars, ...p.passThrough])].sort(), env);
    if (loc.found) writeSnapshot(loc.root, snap);
  } catch {}
  return snap;
}

/**
 * The project as `ps` needs it: from the snapshot when the files are unchanged, else loaded in
 * full (and snapshotted). Broken files fall back to the root alone, with a warning, so that
 * `ps` still lists what runs. `serverKey` is the server's digest key when the caller compares
 * hashes: a snapshot made with another key is made again.
 */
export async function loadView(opts: ProjectOptions, warn: (msg: string) => void, serverKeySecret?: string | null): Promise<ProjectView> {
  const loc = locateProject(opts);
  try {
    const s = readSnapshot(loc.root, snapshotKey(loc, opts), serverKeySecret, process.env);
    if (s) return fromSnapshot(loc, s);
  } catch {}
  const { loadProject } = await import("../config/project.js");
  try {
    const p = loadProject(opts);
    const { desiredFleet } = await import("./desired.js");
    const digestKey = digestKeyFor(serverKeySecret ?? null);
    return fromSnapshot(loc, saveSnapshot(p, desiredFleet(p, digestKey).builds, opts, digestKey, loc));
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    warn(`warning: configuration is invalid; statuses use built-in rules\n${e.message}`);
    let name = "amux";
    try {
      name = projectName(loc, opts);
    } catch {}
    const configError = e.message.split("\n")[0];
    return {
      root: loc.root,
      name,
      composeFile: loc.composeFile,
      configFile: loc.configFile,
      agents: {},
      services: {},
      hashes: {},
      workspaces: {},
      configError,
    };
  }
}

/**
 * Whether a compose file's text may declare `hosts:`, however YAML spells the key: in a block,
 * in a flow mapping or JSON on one line (`{"hosts": …}`), quoted, or through an escape (`"\x68osts"`;
 * any backslash counts). False only when it certainly declares none. Pure.
 */
export function mayDeclareHosts(text: string): boolean {
  return text.includes("hosts") || text.includes("\\");
}

/**
 * The hosts a project declares (compose `hosts:`), for the looks that go to every server before
 * the project is needed (`ps`, `send`, `logs`…). A compose file that cannot declare any (see
 * mayDeclareHosts) has none: read in one small file read, no YAML. Otherwise from the snapshot
 * when the files are unchanged, else the project is loaded (an invalid one: none).
 */
export async function declaredHosts(opts: ProjectOptions, loc: ProjectLocation = locateProject(opts)): Promise<Record<string, HostView>> {
  if (!loc.composeFile) return {};
  const r = readRegular(loc.composeFile, MAX_CONFIG_BYTES);
  if (!r.ok || !mayDeclareHosts(r.text)) return {};
  try {
    const s = readState(snapshotFile(loc.root), (text) => {
      const v = JSON.parse(text) as Snapshot | null;
      return v && typeof v === "object" ? v : undefined;
    });
    if (s?.v === 2 && s.hosts && typeof s.hosts === "object" && s.key === snapshotKey(loc, opts).key) return s.hosts;
  } catch {}
  const { loadProject } = await import("../config/project.js");
  try {
    const p = loadProject(opts);
    return Object.fromEntries(Object.entries(p.hosts).map(([id, h]) => [id, { id, ssh: h.ssh, root: h.root }]));
  } catch (e) {
    if (e instanceof ConfigError) return {};
    throw e;
  }
}
