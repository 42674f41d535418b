import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { ProjectOptions } from "../config/locate.js";
import { COMPOSE_NAMES, CONFIG_NAMES } from "../config/locate.js";
import { composeTemplate, configTemplate, schemaId } from "../config/templates.js";
import { UsageError } from "../errors.js";
import { deriveProjectName } from "../names.js";

/** The folder of the amux package that is running (it holds schemas/), if it can be found. */
export function packageRoot(from = fileURLToPath(import.meta.url)): string | undefined {
  for (let dir = dirname(from); dirname(dir) !== dir; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string };
      if (pkg.name === "amux") return dir;
    } catch {}
  }
  return undefined;
}

/**
 * The `$schema` target for a file about to be written: the installed package's schema by a
 * relative path when amux is installed inside the project (node_modules/amux), so that it works
 * for every teammate offline; else the published schema.
 */
export function schemaRef(kind: "compose" | "config", fileDir: string, projectRoot: string, pkg = packageRoot()): string {
  if (pkg) {
    const local = join(pkg, "schemas", `amux.${kind}.schema.json`);
    const inside = !relative(projectRoot, local).startsWith("..");
    if (inside && existsSync(local)) {
      const rel = relative(fileDir, local).split(sep).join("/");
      return rel.startsWith(".") ? rel : `./${rel}`;
    }
  }
  return schemaId(kind);
}

/**
 * `amux init`: writes a commented .amux/config.yaml and amux.compose.yaml in the working
 * directory (or -C DIR; -f names the compose file). Refuses, writing nothing, when either exists,
 * unless --force.
 */
export async function cmdInit(g: ProjectOptions, o: { force?: boolean }): Promise<void> {
  const cwd = resolve(g.cwd ?? process.cwd());
  if (g.cwd && !isDir(cwd)) throw new UsageError(`-C ${g.cwd}: no such directory`);
  const compose = g.file ? resolve(cwd, g.file) : join(cwd, COMPOSE_NAMES[0]);
  const root = dirname(compose);
  const config = join(root, ".amux", CONFIG_NAMES[0]);
  const taken = [...(g.file ? [compose] : COMPOSE_NAMES.map((n) => join(root, n))), ...CONFIG_NAMES.map((n) => join(root, ".amux", n))].filter((f) =>
    existsSync(f),
  );
  if (taken.length && !o.force) {
    throw new UsageError(`${taken.map((f) => shown(f, cwd)).join(" and ")} already exist${taken.length === 1 ? "s" : ""}; nothing written`, [
      "amux init --force overwrites them; `amux config edit` edits the agents",
    ]);
  }
  if (existsSync(join(root, ".amux")) && !isDir(join(root, ".amux")))
    throw new UsageError(`${shown(join(root, ".amux"), cwd)} is a file, where amux keeps a folder`);
  if (isDir(compose)) throw new UsageError(`${shown(compose, cwd)} is a folder, not a file`);
  const name = deriveProjectName(root.split(sep).pop() ?? "amux");
  const texts: [string, string][] = [
    [config, configTemplate(schemaRef("config", dirname(config), root))],
    [compose, composeTemplate(schemaRef("compose", root, root), name)],
  ];
  mkdirSync(dirname(config), { recursive: true });
  for (const [file, text] of texts) {
    writeFileSync(file, text);
    process.stdout.write(`wrote ${shown(file, cwd)}\n`);
  }
  process.stdout.write(
    "next: `amux up` starts the fleet (an agent named claude is needed on PATH), `amux run codex` starts one agent now, `amux config show` prints what amux read\n",
  );
}

function shown(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith("..") ? rel : file;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
