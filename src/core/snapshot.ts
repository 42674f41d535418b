import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { join } from "node:path";
import { BUILTIN_PASS_ENV } from "../config/builtins.js";
import { locateProject, MAX_CONFIG_BYTES, type ProjectLocation, type ProjectOptions, projectName } from "../config/locate.js";
import type { Project } from "../config/project.js";
import { ConfigError } from "../errors.js";
import type { HistoryPolicy } from "../history.js";
import { amuxDir, ensureRuntimeDirs } from "../state/paths.js";
import { readRegular, readState, writeState } from "../state/safe-fs.js";
import { buildProfile, type StatusOverrides } from "../status/profiles.js";
import { unresolvedServices } from "./drift.js";
import type { ProjectView } from "./project-view.js";

/**
 * `ps` and other hot paths read a snapshot of the resolved project instead of parsing YAML and
 * validating it with zod on every call (that alone costs more than tmux does for 100 agents).
 * The snapshot is keyed by the files' size and mtime and by the variables they reference; it
 * holds no environment values, only status rules, restart policies and desired hashes.
 */
interface Snapshot {
  v: 1;
  key: string;
  name: string;
  agents: Record<string, { command: string; status: StatusOverrides }>;
  services: ProjectView["services"];
  hashes: Record<string, string>;
  /** Services whose desired state cannot be resolved, with why. */
  unresolved: Record<string, string>;
  workspacesRoot: string | null;
  /** compose `logs:`/`retention:` resolved (absent in older snapshots: defaults). */
  history?: HistoryPolicy;
}

function snapshotFile(root: string): string {
  return join(amuxDir(root), "state", "project.json");
}

/** Identifies the inputs of a resolved project without reading them as YAML. */
export function snapshotKey(loc: ProjectLocation, opts: ProjectOptions, env: NodeJS.ProcessEnv = process.env): string {
  const parts: unknown[] = [opts.project ?? null, loc.root];
  const h = createHash("sha256");
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
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const name = m[1] as string;
      h.update(`${name}=${env[name] === undefined ? "\0" : env[name]}\n`);
    }
  }
  // Built-in agents take their provider's variables from the environment: they are inputs too.
  for (const name of BUILTIN_PASS_ENV) if (env[name] !== undefined) h.update(`${name}=${env[name]}\n`);
  parts.push(h.digest("hex").slice(0, 32));
  return JSON.stringify(parts);
}

function fromSnapshot(loc: ProjectLocation, s: Snapshot): ProjectView {
  const agents: ProjectView["agents"] = {};
  for (const [id, a] of Object.entries(s.agents)) agents[id] = { id, command: a.command, status: buildProfile(id, a.command, a.status) };
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
  };
}

function readSnapshot(root: string, key: string): Snapshot | undefined {
  const s = readState(snapshotFile(root), (text) => {
    const v = JSON.parse(text) as Snapshot;
    return v && v.v === 1 && v.workspacesRoot !== undefined && typeof v.name === "string" && v.agents && v.services && v.hashes && v.unresolved ? v : undefined;
  });
  return s?.key === key ? s : undefined;
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
  loc: ProjectLocation = locateProject(opts),
  key?: string,
): Snapshot {
  const hashes: Record<string, string> = {};
  for (const [session, b] of builds) hashes[session] = b.hash;
  const agents: Snapshot["agents"] = {};
  // Built-ins are left out: profileFor rebuilds their rules from the id, so `ps` compiles no more
  // patterns than the project's own agents need.
  for (const a of Object.values(p.agents)) if (!a.builtIn) agents[a.id] = { command: a.command, status: a.statusSource };
  const services: ProjectView["services"] = {};
  for (const sv of Object.values(p.services))
    services[sv.name] = { name: sv.name, agent: sv.agent, restart: sv.restart, maxRestarts: sv.maxRestarts, stuckAfter: sv.stuckAfter };
  const snap: Snapshot = {
    v: 1,
    key: "",
    name: p.name,
    agents,
    services,
    hashes,
    unresolved: unresolvedServices(p),
    workspacesRoot: p.workspaces.root ?? null,
    history: p.history,
  };
  try {
    snap.key = key ?? snapshotKey(loc, opts);
    if (loc.found) writeSnapshot(loc.root, snap);
  } catch {}
  return snap;
}

/**
 * The project as `ps` needs it: from the snapshot when the files are unchanged, else loaded in
 * full (and snapshotted). Broken files fall back to the root alone, with a warning, so that
 * `ps` still lists what runs.
 */
export async function loadView(opts: ProjectOptions, warn: (msg: string) => void): Promise<ProjectView> {
  const loc = locateProject(opts);
  let key: string | undefined;
  try {
    key = snapshotKey(loc, opts);
    const s = readSnapshot(loc.root, key);
    if (s) return fromSnapshot(loc, s);
  } catch {}
  const { loadProject } = await import("../config/project.js");
  try {
    const p = loadProject(opts);
    const { desiredFleet } = await import("./desired.js");
    return fromSnapshot(loc, saveSnapshot(p, desiredFleet(p).builds, opts, loc, key));
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
