import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { ProjectOptions } from "../config/locate.js";
import { locateProject } from "../config/locate.js";
import { loadProject } from "../config/project.js";
import { configTemplate } from "../config/templates.js";
import { showPath } from "../config/yaml-file.js";
import { ConfigError, UsageError } from "../errors.js";
import { schemaRef } from "./init.js";

/**
 * `amux config edit`, as `crontab -e` and `kubectl edit` do it: .amux/config.yaml (made from the
 * commented template when absent) opens in $VISUAL, else $EDITOR, else vi; what the editor wrote
 * is validated; on a terminal, problems in it offer another round ("edit again? [Y/n]"),
 * elsewhere they are reported and the exit is 2. The file keeps what the editor wrote either way.
 */
export async function cmdConfigEdit(g: ProjectOptions): Promise<void> {
  const loc = locateProject(g);
  const file = loc.configFile ?? join(loc.root, ".amux", "config.yaml");
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, configTemplate(schemaRef("config", dirname(file), loc.root)));
    process.stderr.write(`created ${showPath(file)} from the commented template\n`);
  }
  const editor = editorCommand(process.env);
  const onTerminal = !!process.stdin.isTTY && !!process.stderr.isTTY;
  for (;;) {
    runEditor(editor, file);
    const problems = problemsOf(g, file);
    if (!problems) {
      process.stdout.write(`valid: ${showPath(file)}\n`);
      return;
    }
    const mine = problems.problems.some((p) => resolve(p.file) === resolve(file));
    if (!onTerminal || !mine) throw problems;
    process.stderr.write(`${problems.message}\nedit again? [Y/n] `);
    const answer = readAnswer();
    if (answer === null || /^n/i.test(answer)) throw new UsageError(`${showPath(file)} keeps your edits, with the problems above`);
  }
}

/** $VISUAL, then $EDITOR, then vi (empty values skipped, as git does). */
export function editorCommand(env: Record<string, string | undefined>): string {
  return env.VISUAL?.trim() || env.EDITOR?.trim() || "vi";
}

/**
 * The editor value is the user's own command line (`code --wait`, `emacsclient -t`), so a shell
 * splits it; the file's path reaches it only as "$1", never inside the shell text.
 */
export function editorArgv(editor: string, file: string): string[] {
  return ["/bin/sh", "-c", `${editor} "$1"`, "amux-edit", file];
}

function runEditor(editor: string, file: string): void {
  const [cmd, ...args] = editorArgv(editor, file);
  const r = spawnSync(cmd as string, args, { stdio: "inherit" });
  if (r.error) throw new UsageError(`cannot run the editor ${JSON.stringify(editor)}: ${r.error.message}`);
  if (r.status === 127) throw new UsageError(`editor ${JSON.stringify(editor)} not found (set VISUAL or EDITOR)`);
  if (r.status !== 0)
    throw new UsageError(`editor ${JSON.stringify(editor)} exited with ${r.status ?? r.signal}; ${showPath(file)} left as the editor wrote it`);
}

function problemsOf(g: ProjectOptions, file: string): ConfigError | undefined {
  try {
    // Loaded as every command will load it: the edited file, with the compose file beside it.
    loadProject(g);
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e;
    if (e instanceof UsageError) return new ConfigError([{ file: showPath(file), line: 0, col: 0, path: "", message: e.message }]);
    throw e;
  }
}

/** One line from the terminal; null at end of input. */
function readAnswer(): string | null {
  const buf = Buffer.alloc(256);
  try {
    const n = readSync(0, buf, 0, 256, null);
    return n === 0 ? null : buf.subarray(0, n).toString().trim();
  } catch {
    return null;
  }
}
