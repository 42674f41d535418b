import { existsSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { checkName, deriveProjectName } from "../names.js";
import { mainCheckoutDir } from "./worktree.js";

export const COMPOSE_NAMES = ["amux.compose.yaml", "amux.compose.yml"] as const;
export const CONFIG_NAMES = ["config.yaml", "config.yml"] as const;
/** Config and compose files are small; anything bigger is refused before it is read. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/** Global flags every command takes. */
export interface ProjectOptions {
  file?: string | undefined;
  cwd?: string | undefined;
  project?: string | undefined;
}

/** Where the project is, before any file is read. */
export interface ProjectLocation {
  root: string;
  composeFile: string | undefined;
  configFile: string | undefined;
  /** A project marker was found (compose file or .amux/); false means the working directory stands in. */
  found: boolean;
}

/** Finds the project root: nearest ancestor holding amux.compose.yaml/.yml or .amux/. */
export function locateProject(opts: ProjectOptions): ProjectLocation {
  const given = resolve(opts.cwd ?? process.cwd());
  if (opts.cwd && !isDir(given)) throw new UsageError(`-C ${opts.cwd}: no such directory`);
  // One project has one root however it is reached: through a symlink it is the same project
  // (same @amux-root label, same lock, same sessions) as through its real path.
  const cwd = realOrSame(given);
  if (opts.file) {
    const asGiven = resolve(given, opts.file);
    const file = join(realOrSame(dirname(asGiven)), basename(asGiven));
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(file);
    } catch {
      throw new UsageError(`${opts.file}: no such file`);
    }
    if (st.isDirectory()) throw new UsageError(`${opts.file}: is a folder, not a compose file`);
    if (!st.isFile()) throw new UsageError(`${opts.file}: not a regular file`);
    const root = dirname(file);
    return { root, composeFile: file, configFile: findConfig(root), found: true };
  }
  // Agents run in workspaces (linked worktrees): their project is the main checkout's.
  const start = mainCheckoutDir(cwd, isProjectDir) ?? cwd;
  for (let dir = start; ; dir = dirname(dir)) {
    const compose = COMPOSE_NAMES.map((n) => join(dir, n)).find((f) => existsSync(f));
    if (compose || isDir(join(dir, ".amux"))) return { root: dir, composeFile: compose, configFile: findConfig(dir), found: true };
    if (dirname(dir) === dir) break;
  }
  return { root: cwd, composeFile: undefined, configFile: findConfig(cwd), found: false };
}
function isProjectDir(dir: string): boolean {
  return COMPOSE_NAMES.some((n) => existsSync(join(dir, n))) || isDir(join(dir, ".amux"));
}
function findConfig(root: string): string | undefined {
  return CONFIG_NAMES.map((n) => join(root, ".amux", n)).find((f) => existsSync(f));
}
function realOrSame(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}
function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
/** The project's name: -p, else compose `name:`, else the root directory's name. */
export function projectName(loc: ProjectLocation, opts: ProjectOptions, composeName?: string): string {
  if (opts.project !== undefined) {
    const bad = checkName("project", opts.project);
    if (bad) throw new UsageError(bad);
    return opts.project;
  }
  return composeName ?? deriveProjectName(basename(loc.root));
}

/**
 * The options with what an agent's environment says: amux sets AMUX_ROOT and AMUX_PROJECT in
 * every session, so `amux` run by an agent (or a hook, or an MCP client an agent started) means
 * that agent's project wherever it stands. Explicit -C/-f win, as -p does over AMUX_PROJECT.
 */
export function withAgentEnvironment(opts: ProjectOptions, env: NodeJS.ProcessEnv = process.env): ProjectOptions {
  if (opts.cwd !== undefined || opts.file !== undefined) return opts;
  const root = env.AMUX_ROOT;
  if (!root || !isAbsolute(root) || !isDir(root)) return opts;
  return { ...opts, cwd: root, project: opts.project ?? (env.AMUX_PROJECT || undefined) };
}
