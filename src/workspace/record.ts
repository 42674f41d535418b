import { randomBytes } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { ensureRuntimeDirs, recordsDir } from "../state/paths.js";
import { writeState } from "../state/safe-fs.js";
import { git } from "./git.js";

/**
 * What amux remembers of a worktree it made: a record in .amux/state/workspaces/<name>.json and
 * the same random token in a file inside git's own administrative folder for that worktree
 * (<common git dir>/worktrees/<id>/amux-workspace). The second lives and dies with git's
 * registration: a worktree someone adds later at the same path gets a new folder without it, so a
 * stale, garbled or hand-written record can never make somebody else's worktree look like amux's.
 */

const MARKER = "amux-workspace";

function recordFile(root: string, name: string): string {
  return join(dirname(recordsDir(root)), "workspaces", `${name}.json`);
}

function readText(path: string): string | undefined {
  try {
    if (!lstatSync(path).isFile()) return undefined;
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** A path with symbolic links resolved as far as it exists, so that two spellings of one place compare equal. */
export function canonical(p: string): string {
  const abs = resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    return dirname(abs) === abs ? abs : join(canonical(dirname(abs)), basename(abs));
  }
}

/** The administrative folder git keeps for the worktree registered at `dir`, found from the git side only. */
export function registeredAdminDir(dir: string, commonDir: string): string | undefined {
  const base = join(commonDir, "worktrees");
  let ids: string[] = [];
  try {
    ids = readdirSync(base);
  } catch {
    return undefined;
  }
  const want = join(canonical(dir), ".git");
  for (const id of ids) {
    const admin = join(base, id);
    const back = readText(join(admin, "gitdir"))?.trim();
    if (back && canonical(resolve(admin, back)) === want) return canonical(admin);
  }
  return undefined;
}

/**
 * Git's administrative folder for the linked worktree at `dir`, proven both ways: `dir/.git` is a
 * file naming `<common>/worktrees/<id>`, and that folder's `gitdir` names `dir/.git` back.
 * undefined for a clone, a plain folder, a missing folder, or a worktree of another repository.
 */
export function worktreeAdminDir(dir: string, commonDir: string): string | undefined {
  const dotgit = readText(join(dir, ".git"));
  const m = dotgit?.match(/^gitdir: (.+)\n?$/);
  if (!m?.[1]) return undefined;
  const admin = canonical(resolve(dir, m[1]));
  if (dirname(admin) !== join(canonical(commonDir), "worktrees")) return undefined;
  const back = readText(join(admin, "gitdir"))?.trim();
  if (!back || canonical(resolve(admin, back)) !== join(canonical(dir), ".git")) return undefined;
  return admin;
}

/** The repository's common git folder (where `worktrees/` lives), or undefined when git cannot say. */
export async function gitCommonDir(top: string): Promise<string | undefined> {
  const r = await git(top, ["rev-parse", "--git-common-dir"], { allowFail: true });
  return r.code === 0 && r.stdout ? resolve(top, r.stdout) : undefined;
}

/**
 * Remembers that amux made the worktree at `dir`, and which files it copied and linked into it
 * (best effort: without a record, a worktree off amux/ branches is simply not recognised as amux's).
 */
export async function recordCreated(
  root: string,
  top: string,
  name: string,
  dir: string,
  branch: string,
  made: { copy: string[]; symlink: string[] },
  base?: string,
): Promise<void> {
  try {
    const common = await gitCommonDir(top);
    const admin = common && worktreeAdminDir(dir, common);
    if (!admin) return;
    const token = randomBytes(16).toString("hex");
    writeFileSync(join(admin, MARKER), `${token}\n`);
    ensureRuntimeDirs(root);
    writeState(
      root,
      recordFile(root, name),
      `${JSON.stringify({ name, path: dir, branch, base: base ?? null, token, copied: made.copy, linked: made.symlink, createdAt: new Date().toISOString() }, null, 2)}\n`,
    );
  } catch {}
}

export interface CreationRecord {
  /** Paths (relative to the checkout) amux copied into the worktree from the main checkout. */
  copied: string[];
  /** Paths amux symlinked to the main checkout's. */
  linked: string[];
  /** What its branch was made from (a branch name or commit), when amux made the branch. */
  base: string | null;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/**
 * amux's record for `name` when it names this very worktree registration (see above), else
 * undefined: a missing, garbled or stale record proves nothing. Reads files only.
 */
export function readRecord(root: string, name: string, dir: string, admin: string): CreationRecord | undefined {
  const text = readText(recordFile(root, name));
  if (!text) return undefined;
  let rec: unknown;
  try {
    rec = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!rec || typeof rec !== "object" || Array.isArray(rec)) return undefined;
  const r = rec as Record<string, unknown>;
  if (r.name !== name || typeof r.path !== "string" || canonical(r.path) !== canonical(dir)) return undefined;
  if (typeof r.token !== "string" || !/^[0-9a-f]{32}$/.test(r.token)) return undefined;
  if (readText(join(admin, MARKER))?.trim() !== r.token) return undefined;
  return { copied: strings(r.copied), linked: strings(r.linked), base: typeof r.base === "string" && r.base ? r.base : null };
}

/** Forgets a removed workspace: its record and its setup marker (a new one runs setup again). */
export function forgetWorkspace(root: string, name: string): void {
  const dir = dirname(recordFile(root, name));
  for (const f of [`${name}.json`, `${name}.setup`]) {
    try {
      rmSync(join(dir, f), { force: true });
    } catch {}
  }
}
