import { existsSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { checkName, deriveProjectName } from "../names.js";

export const COMPOSE_NAMES = ["amux.compose.yaml", "amux.compose.yml"] as const;
export const CONFIG_NAMES = ["config.yaml", "config.yml"] as const;

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
  const cwd = resolve(opts.cwd ?? process.cwd());
  if (opts.cwd && !isDir(cwd)) throw new UsageError(`-C ${opts.cwd}: no such directory`);
  if (opts.file) {
    const file = resolve(cwd, opts.file);
    if (!existsSync(file)) throw new UsageError(`${opts.file}: no such file`);
    const root = dirname(file);
    return { root, composeFile: file, configFile: findConfig(root), found: true };
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    const compose = COMPOSE_NAMES.map((n) => join(dir, n)).find((f) => existsSync(f));
    if (compose || isDir(join(dir, ".amux"))) return { root: dir, composeFile: compose, configFile: findConfig(dir), found: true };
    if (dirname(dir) === dir) break;
  }
  return { root: cwd, composeFile: undefined, configFile: findConfig(cwd), found: false };
}
function findConfig(root: string): string | undefined {
  return CONFIG_NAMES.map((n) => join(root, ".amux", n)).find((f) => existsSync(f));
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
