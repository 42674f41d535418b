import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { E2E, fixtureAgentsYaml, type RunResult, test } from "./harness.js";

// The worktree-safety matrix: every state a folder under the workspaces root can be in, against
// every command that removes workspaces (ws rm, ws prune, down --workspaces), with and without
// --force. The world (a git project with its workspaces, and a project outside git) is built
// once; each test gets a fresh byte-for-byte copy of it at the same path, so git's absolute
// paths stay valid. What is kept must be intact down to every byte, .git internals included.

type Outcome = "removed" | "kept" | "foreign";

interface State {
  name: string;
  /** The git project (wsp) or the project outside git (plainproj). */
  project: "git" | "plain";
  plain: Outcome;
  plainWhy?: RegExp;
  forced: Outcome;
  forcedWhy?: RegExp;
  /** What happens to its branch once the worktree is removed: gone, or kept (commits nowhere else). */
  branch?: { name: string; afterRemoval: "deleted" | "kept" };
}

const STATES: State[] = [
  { name: "clean", project: "git", plain: "removed", forced: "removed", branch: { name: "amux/clean", afterRemoval: "deleted" } },
  { name: "recorded", project: "git", plain: "removed", forced: "removed", branch: { name: "feat/recorded", afterRemoval: "kept" } },
  // Made without amux (or by an amux that kept no record) but on an amux/ branch: amux's by the branch rule.
  { name: "legacy", project: "git", plain: "removed", forced: "removed", branch: { name: "amux/legacy", afterRemoval: "deleted" } },
  { name: "uncommitted", project: "git", plain: "kept", plainWhy: /1 uncommitted change/, forced: "removed" },
  { name: "untracked", project: "git", plain: "kept", plainWhy: /1 untracked file/, forced: "removed" },
  {
    name: "ignored",
    project: "git",
    plain: "kept",
    plainWhy: /2 ignored files that removing it would delete \(\.env, dist\/app\.js\)/,
    forced: "removed",
  },
  {
    name: "unpushed",
    project: "git",
    plain: "kept",
    plainWhy: /1 commit on no other branch, tag or remote/,
    forced: "removed",
    branch: { name: "amux/unpushed", afterRemoval: "kept" },
  },
  {
    name: "detached",
    project: "git",
    plain: "kept",
    plainWhy: /1 commit on a detached HEAD that no branch holds/,
    forced: "kept",
    forcedWhy: /1 commit on a detached HEAD that no branch holds/,
  },
  {
    name: "rebasing",
    project: "git",
    plain: "kept",
    plainWhy: /a rebase is in progress/,
    forced: "removed",
    branch: { name: "amux/rebasing", afterRemoval: "kept" },
  },
  {
    name: "merging",
    project: "git",
    plain: "kept",
    plainWhy: /a merge is in progress/,
    forced: "removed",
    branch: { name: "amux/merging", afterRemoval: "deleted" },
  },
  {
    name: "picking",
    project: "git",
    plain: "kept",
    plainWhy: /a cherry-pick is in progress/,
    forced: "removed",
    branch: { name: "amux/picking", afterRemoval: "kept" },
  },
  { name: "bisecting", project: "git", plain: "kept", plainWhy: /a bisect is in progress/, forced: "removed" },
  {
    name: "corrupt",
    project: "git",
    plain: "kept",
    plainWhy: /could not check it for unsaved work: git status failed/,
    forced: "kept",
    forcedWhy: /could not check it for unsaved work: git status failed/,
  },
  { name: "locked", project: "git", plain: "kept", plainWhy: /locked \(on usb\)/, forced: "kept", forcedWhy: /locked \(on usb\)/ },
  { name: "missing", project: "git", plain: "removed", forced: "removed", branch: { name: "amux/missing", afterRemoval: "deleted" } },
  {
    name: "nested",
    project: "git",
    plain: "kept",
    plainWhy: /holds another git repository \(vendor\/lib\/\)/,
    forced: "kept",
    forcedWhy: /holds another git repository \(vendor\/lib\/\)/,
  },
  { name: "clone", project: "git", plain: "foreign", plainWhy: /a separate git repository/, forced: "foreign", forcedWhy: /a separate git repository/ },
  { name: "folder", project: "git", plain: "foreign", plainWhy: /a plain folder/, forced: "foreign", forcedWhy: /a plain folder/ },
  { name: "hollow", project: "git", plain: "foreign", plainWhy: /a plain folder/, forced: "foreign", forcedWhy: /a plain folder/ },
  { name: "mine", project: "git", plain: "foreign", plainWhy: /on branch mine that amux did not create/, forced: "foreign", forcedWhy: /on branch mine/ },
  { name: "forged", project: "git", plain: "foreign", plainWhy: /on branch forged that amux did not create/, forced: "foreign", forcedWhy: /on branch forged/ },
  { name: "agent-files", project: "plain", plain: "kept", plainWhy: /holds 2 files/, forced: "removed" },
  { name: "empty-dir", project: "plain", plain: "removed", forced: "removed" },
  { name: ".cache", project: "plain", plain: "foreign", plainWhy: /not one amux gives/, forced: "foreign", forcedWhy: /not one amux gives/ },
  { name: "repo-dir", project: "plain", plain: "foreign", plainWhy: /a git repository/, forced: "foreign", forcedWhy: /a git repository/ },
  {
    name: "deep-repo",
    project: "plain",
    plain: "kept",
    plainWhy: /holds another git repository \(lib\/\).*holds 1 file$/,
    forced: "kept",
    forcedWhy: /holds another git repository \(lib\/\)/,
  },
];

/** A content hash of a tree: every path, type, mode, byte and link target, links never followed. */
function treeHash(dir: string): string {
  const h = createHash("sha256");
  const walk = (rel: string) => {
    const p = join(dir, rel);
    const st = lstatSync(p);
    h.update(`${rel}\0${st.mode}\0`);
    if (st.isSymbolicLink()) h.update(readlinkSync(p));
    else if (st.isFile()) h.update(readFileSync(p));
    else if (st.isDirectory()) for (const e of readdirSync(p).sort()) walk(rel ? `${rel}/${e}` : e);
    h.update("\0");
  };
  walk("");
  return h.digest("hex");
}

/** Git's admin folder for a linked worktree, from its .git file. */
function adminOf(wt: string): string | undefined {
  try {
    const m = readFileSync(join(wt, ".git"), "utf8").match(/^gitdir: (.+)$/m);
    return m?.[1] ? resolve(wt, m[1]) : undefined;
  } catch {
    return undefined;
  }
}

interface World {
  maker: E2E;
  dir: string;
  pristine: string;
  wsp: string;
  plainproj: string;
  /** Hash of each state's folder (and its admin folder, for worktrees) in the pristine world. */
  hashes: Map<string, { tree: string; admin?: string }>;
  /** Hash of the main checkout's node_modules, which every worktree links to. */
  nodeModules: string;
  /** Tip of each branch in the pristine world. */
  tips: Map<string, string>;
}

const pathOf = (w: World, s: State) => join(`${s.project === "git" ? w.wsp : w.plainproj}.worktrees`, s.name);

async function gitOk(e2e: E2E, cwd: string, args: string[]): Promise<string> {
  const r = await e2e.run("git", ["-C", cwd, ...args]);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} in ${cwd} failed: ${r.output}`);
  return r.stdout.trim();
}

async function amuxOk(e2e: E2E, cwd: string, args: string[]): Promise<string> {
  const r = await e2e.amux(args, { cwd });
  if (r.code !== 0) throw new Error(`amux ${args.join(" ")} failed: ${r.output}`);
  return r.stdout.trim();
}

async function commit(e2e: E2E, cwd: string, file: string, text: string, msg: string): Promise<void> {
  writeFileSync(join(cwd, file), text);
  await gitOk(e2e, cwd, ["add", "--", file]);
  await gitOk(e2e, cwd, ["commit", "-qm", msg]);
}

async function buildWorld(): Promise<World> {
  const maker = new E2E();
  const dir = join(maker.tmp, "world");
  const wsp = join(dir, "wsp");
  const plainproj = join(dir, "plainproj");
  mkdirSync(wsp, { recursive: true });
  const e = maker;
  // The git project: .env, dist/ and node_modules ignored; amux copies .env into every new
  // worktree and links node_modules, which on their own never keep a worktree.
  mkdirSync(join(wsp, ".amux"));
  writeFileSync(join(wsp, ".amux", "config.yaml"), fixtureAgentsYaml());
  writeFileSync(join(wsp, "amux.compose.yaml"), "name: wsp\nworkspaces:\n  copy: [.env]\n  symlink: [node_modules]\nservices: {}\n");
  writeFileSync(join(wsp, ".gitignore"), ".env\ndist/\nnode_modules\n");
  writeFileSync(join(wsp, "README.md"), "# wsp\n");
  await gitOk(e, dir, ["init", "-q", wsp]);
  await gitOk(e, wsp, ["add", "-A"]);
  await gitOk(e, wsp, ["commit", "-qm", "init"]);
  writeFileSync(join(wsp, ".env"), "API_KEY=local\n");
  mkdirSync(join(wsp, "node_modules", "left-pad"), { recursive: true });
  writeFileSync(join(wsp, "node_modules", "left-pad", "index.js"), "module.exports = 1;\n");
  // Branches to merge, rebase onto and cherry-pick from.
  await gitOk(e, wsp, ["checkout", "-q", "-b", "conflict"]);
  await commit(e, wsp, "README.md", "# theirs\n", "conflicting readme");
  await gitOk(e, wsp, ["checkout", "-q", "-b", "side", "main"]);
  await commit(e, wsp, "side.txt", "side\n", "side file");
  await gitOk(e, wsp, ["checkout", "-q", "main"]);

  const amuxNames = [
    "nested",
    "clean",
    "uncommitted",
    "untracked",
    "ignored",
    "unpushed",
    "detached",
    "rebasing",
    "merging",
    "picking",
    "bisecting",
    "corrupt",
    "locked",
    "missing",
  ];
  for (const n of amuxNames) await amuxOk(e, wsp, ["ws", "create", n]);
  await amuxOk(e, wsp, ["ws", "create", "recorded", "--branch", "feat/recorded"]);
  const ws = (n: string) => join(`${wsp}.worktrees`, n);

  writeFileSync(join(ws("uncommitted"), "README.md"), "# edited\n");
  writeFileSync(join(ws("untracked"), "notes.txt"), "notes\n");
  writeFileSync(join(ws("ignored"), ".env"), "API_KEY=changed-in-the-worktree\n");
  mkdirSync(join(ws("ignored"), "dist"));
  writeFileSync(join(ws("ignored"), "dist", "app.js"), "built\n");
  await commit(e, ws("unpushed"), "work.txt", "work\n", "agent work");
  await gitOk(e, ws("detached"), ["checkout", "-q", "--detach"]);
  await commit(e, ws("detached"), "loose.txt", "loose\n", "commit on a detached HEAD");
  await commit(e, ws("rebasing"), "README.md", "# mine\n", "my readme");
  expect((await e.run("git", ["-C", ws("rebasing"), "rebase", "conflict"])).code).not.toBe(0);
  await gitOk(e, ws("merging"), ["merge", "--no-ff", "--no-commit", "side"]);
  await commit(e, ws("picking"), "README.md", "# mine, picking\n", "my readme, before the cherry-pick");
  expect((await e.run("git", ["-C", ws("picking"), "cherry-pick", "conflict"])).code).not.toBe(0);
  await gitOk(e, ws("bisecting"), ["bisect", "start"]);
  writeFileSync(join(adminOf(ws("corrupt")) as string, "index"), "this is not an index\n");
  await gitOk(e, wsp, ["worktree", "lock", "--reason", "on usb", "--", ws("locked")]);
  rmSync(ws("missing"), { recursive: true });
  // A repository an agent cloned inside a worktree: git status shows only its folder.
  mkdirSync(join(ws("nested"), "vendor", "lib"), { recursive: true });
  await gitOk(e, ws("nested"), ["init", "-q", "vendor/lib"]);
  await commit(e, join(ws("nested"), "vendor", "lib"), "lib.c", "int x;\n", "lib work");

  // Not amux's: a clone with a commit of its own, folders, the user's own worktrees.
  await gitOk(e, dir, ["clone", "-q", wsp, ws("clone")]);
  await commit(e, ws("clone"), "clone-work.txt", "unpushed in the clone\n", "clone work");
  mkdirSync(ws("folder"));
  writeFileSync(join(ws("folder"), "keep.txt"), "mine\n");
  mkdirSync(ws("hollow"));
  await gitOk(e, wsp, ["worktree", "add", "-q", "-b", "mine", "--", ws("mine")]);
  await gitOk(e, wsp, ["worktree", "add", "-q", "-b", "forged", "--", ws("forged")]);
  await gitOk(e, wsp, ["worktree", "add", "-q", "-b", "amux/legacy", "--", ws("legacy")]);
  // A record claiming it, written by hand: without amux's marker in git's admin folder it proves nothing.
  writeFileSync(
    join(wsp, ".amux", "state", "workspaces", "forged.json"),
    JSON.stringify({ name: "forged", path: ws("forged"), branch: "forged", token: "0123456789abcdef0123456789abcdef", copied: [], linked: [] }),
  );

  // The project outside git: one workspace an agent wrote files in, one left empty.
  mkdirSync(join(plainproj, ".amux"), { recursive: true });
  writeFileSync(join(plainproj, ".amux", "config.yaml"), fixtureAgentsYaml());
  writeFileSync(join(plainproj, "amux.compose.yaml"), "name: plainproj\nservices: {}\n");
  for (const n of ["agent-files", "empty-dir", "deep-repo"]) await amuxOk(e, plainproj, ["ws", "create", n]);
  const repoDir = join(`${plainproj}.worktrees`, "repo-dir");
  await gitOk(e, dir, ["init", "-q", repoDir]);
  await commit(e, repoDir, "r.txt", "r\n", "a repository's own commit");
  mkdirSync(join(`${plainproj}.worktrees`, ".cache"));
  writeFileSync(join(`${plainproj}.worktrees`, ".cache", "blob"), "cached\n");
  const deep = join(`${plainproj}.worktrees`, "deep-repo");
  await gitOk(e, dir, ["init", "-q", join(deep, "lib")]);
  await commit(e, join(deep, "lib"), "lib.c", "int y;\n", "deep work");
  const files = join(`${plainproj}.worktrees`, "agent-files");
  writeFileSync(join(files, "answer.md"), "the agent's work\n");
  mkdirSync(join(files, "src"));
  writeFileSync(join(files, "src", "main.py"), "print('hi')\n");

  const w: World = {
    maker,
    dir,
    pristine: join(maker.tmp, "pristine"),
    wsp,
    plainproj,
    hashes: new Map(),
    tips: new Map(),
    nodeModules: treeHash(join(wsp, "node_modules")),
  };
  expect(lstatSync(join(ws("clean"), "node_modules")).isSymbolicLink()).toBe(true);
  expect(readFileSync(join(ws("clean"), ".env"), "utf8")).toBe("API_KEY=local\n");
  for (const s of STATES) {
    const p = pathOf(w, s);
    if (!existsSync(p)) continue;
    const admin = adminOf(p);
    w.hashes.set(s.name, { tree: treeHash(p), ...(admin && existsSync(admin) ? { admin: treeHash(admin) } : {}) });
  }
  for (const line of (await gitOk(e, wsp, ["for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads"])).split("\n")) {
    const [b, sha] = line.split(" ");
    if (b && sha) w.tips.set(b, sha);
  }
  const cp = await e.run("cp", ["-a", dir, w.pristine]);
  if (cp.code !== 0) throw new Error(`cp failed: ${cp.output}`);
  return w;
}

/** Puts the pristine world back at its own path. */
async function restore(w: World): Promise<void> {
  rmSync(w.dir, { recursive: true, force: true });
  const cp = await w.maker.run("cp", ["-a", w.pristine, w.dir]);
  if (cp.code !== 0) throw new Error(`cp failed: ${cp.output}`);
}

/** The line of output about workspace `name`. */
function lineAbout(out: string, name: string): string {
  const n = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`(workspace ${n} (\\(|from )|^left ${n} alone)`);
  return out.split("\n").find((l) => re.test(l)) ?? "";
}

async function branchTip(e2e: E2E, repo: string, branch: string): Promise<string | undefined> {
  const r = await e2e.run("git", ["-C", repo, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]);
  return r.code === 0 ? r.stdout.trim() : undefined;
}

async function registered(e2e: E2E, repo: string): Promise<string[]> {
  return (await gitOk(e2e, repo, ["worktree", "list", "--porcelain"]))
    .split("\n")
    .filter((l) => l.startsWith("worktree "))
    .map((l) => l.slice(9));
}

/** Checks every state after a command: gone or byte-for-byte intact, what it said, branches. */
async function checkMatrix(e2e: E2E, w: World, states: State[], force: boolean, out: string, opts: { named: boolean }): Promise<void> {
  const wts = await registered(e2e, w.wsp);
  // Removing a worktree removed its link, never what it linked to.
  expect(treeHash(join(w.wsp, "node_modules")), "the main checkout's node_modules").toBe(w.nodeModules);
  for (const s of states) {
    const outcome = force ? s.forced : s.plain;
    const why = force ? s.forcedWhy : s.plainWhy;
    const p = pathOf(w, s);
    const line = lineAbout(out, s.name);
    const ctx = `${s.name} (${force ? "--force" : "no --force"}):\n${out}`;
    if (outcome === "removed") {
      expect(existsSync(p), `${ctx}\nstill exists`).toBe(false);
      expect(line, ctx).toMatch(s.name === "missing" ? /^pruned workspace missing from git's worktree list/ : /^removed workspace /);
      expect(wts, ctx).not.toContain(p);
      if (s.project === "git") expect(existsSync(join(w.wsp, ".amux", "state", "workspaces", `${s.name}.json`)), ctx).toBe(false);
      if (s.branch) {
        const tip = await branchTip(e2e, w.wsp, s.branch.name);
        if (s.branch.afterRemoval === "deleted") expect(tip, `${ctx}\nbranch ${s.branch.name}`).toBeUndefined();
        else expect(tip, `${ctx}\nbranch ${s.branch.name} must keep its commits`).toBe(w.tips.get(s.branch.name));
        if (s.branch.afterRemoval === "kept" && s.branch.name.startsWith("amux/")) expect(out, ctx).toContain(`kept branch ${s.branch.name}: `);
      }
      continue;
    }
    expect(existsSync(p), `${ctx}\nwas deleted`).toBe(true);
    const before = w.hashes.get(s.name);
    expect(treeHash(p), `${ctx}\ncontent changed`).toBe(before?.tree);
    const admin = adminOf(p);
    if (before?.admin) expect(admin && treeHash(admin), `${ctx}\ngit's admin folder changed`).toBe(before.admin);
    if (outcome === "kept" || opts.named) {
      expect(line, ctx).toMatch(/^kept workspace /);
      if (outcome === "foreign") expect(line, ctx).toMatch(/not amux's: /);
    } else expect(line, ctx).toMatch(/^left \S+ alone .*not amux's: /);
    if (why) expect(line, ctx).toMatch(why);
    if (outcome === "kept" && !force && s.forced === "removed") expect(line, ctx).toMatch(/--force removes it$/);
    if (force || s.forced === "kept") expect(line, ctx).not.toMatch(/--force removes it/);
    if (s.project === "git" && outcome === "kept") expect(wts, ctx).toContain(p);
  }
}

const gitStates = STATES.filter((s) => s.project === "git");
const plainStates = STATES.filter((s) => s.project === "plain");
const removable = (states: State[], force: boolean) => states.filter((s) => (force ? s.forced : s.plain) === "removed");
const keepable = (states: State[], force: boolean) => states.filter((s) => (force ? s.forced : s.plain) !== "removed");
const names = (states: State[]) => states.map((s) => s.name);

function expectCode(r: RunResult, code: number, what: string): void {
  expect(r.code, `${what} exited ${r.code}\n${r.output}`).toBe(code);
  expect(r.output, what).not.toContain("    at ");
}

describe("worktree-safety matrix", () => {
  let w: World;
  beforeAll(async () => {
    w = await buildWorld();
  }, 180_000);
  afterAll(async () => {
    await w?.maker.dispose();
  });

  test("ws ls names every state, foreign ones with why, and touches nothing", async ({ e2e }) => {
    await restore(w);
    const r = await e2e.amux(["ws", "ls", "--json"], { cwd: w.wsp });
    expectCode(r, 0, "ws ls --json");
    const rows = JSON.parse(r.stdout) as { name: string; kind: string; foreign: string | null; unchecked: string | null; operation: string | null }[];
    expect(rows.map((x) => x.name).sort()).toEqual(names(gitStates).sort());
    const by = new Map(rows.map((x) => [x.name, x]));
    for (const s of gitStates) {
      const row = by.get(s.name);
      expect(row?.kind, `${s.name}: ${JSON.stringify(row)}`).toBe(s.plain === "foreign" ? "foreign" : s.name === "missing" ? "missing" : "worktree");
      if (s.plain === "foreign") expect(row?.foreign, s.name).toMatch(s.plainWhy as RegExp);
    }
    expect(by.get("corrupt")?.unchecked).toMatch(/git status failed/);
    expect(by.get("rebasing")).toMatchObject({ operation: "rebase", branch: "amux/rebasing" });
    expect(by.get("clean")).toMatchObject({ uncommitted: 0, untracked: 0, ignored: 0, unpushed: 0 });
    const table = await e2e.amux(["ws", "ls"], { cwd: w.wsp });
    expectCode(table, 0, "ws ls");
    expect(table.stdout).toMatch(/^clone\s+\(foreign\)\s+foreign: a separate git repository/m);
    expect(table.stdout).toMatch(/^folder\s+\(foreign\)\s+foreign: a plain folder/m);
    expect(table.stdout).toMatch(/^corrupt\s+amux\/corrupt\s+not checked: git status failed/m);
    expect(table.stdout).toMatch(/^clean\s+amux\/clean\s+clean\s/m);
    const dry = await e2e.amux(["ws", "prune", "--dry-run"], { cwd: w.wsp });
    expectCode(dry, 0, "ws prune --dry-run");
    expect(dry.stdout).toMatch(/^remove clean$/m);
    expect(dry.stdout).toMatch(/^keep uncommitted: 1 uncommitted change$/m);
    expect(dry.stdout).toMatch(/^leave clone: not amux's: /m);
    const plain = await e2e.amux(["ws", "ls", "--json"], { cwd: w.plainproj });
    expectCode(plain, 0, "ws ls --json outside git");
    expect((JSON.parse(plain.stdout) as { name: string; kind: string; files: number }[]).map((x) => [x.name, x.kind, x.files])).toEqual([
      [".cache", "foreign", 0],
      ["agent-files", "directory", 2],
      ["deep-repo", "directory", 1],
      ["empty-dir", "directory", 0],
      ["repo-dir", "foreign", 0],
    ]);
    for (const s of STATES) if (w.hashes.has(s.name)) expect(treeHash(pathOf(w, s)), s.name).toBe(w.hashes.get(s.name)?.tree);
  });

  for (const force of [false, true]) {
    const flag = force ? ["--force"] : [];
    const label = force ? " --force" : "";

    test(`ws rm${label}`, async ({ e2e }) => {
      await restore(w);
      // The ones that may go, alone: exit 0.
      const ok = await e2e.amux(["ws", "rm", ...flag, ...names(removable(gitStates, force))], { cwd: w.wsp });
      expectCode(ok, 0, `ws rm${label} of the removable ones`);
      for (const n of names(removable(gitStates, force))) {
        // Said once, on stdout.
        expect(ok.stdout).toMatch(new RegExp(`^(removed|pruned) workspace ${n} `, "m"));
        expect(ok.output.split(`workspace ${n} `).length - 1).toBe(1);
      }
      // The rest, each named: exit 1, every one kept and said why, even the foreign ones.
      const kept = await e2e.amux(["ws", "rm", ...flag, ...names(keepable(gitStates, force))], { cwd: w.wsp });
      expectCode(kept, 1, `ws rm${label} of the rest`);
      await checkMatrix(e2e, w, gitStates, force, `${ok.output}\n${kept.output}`, { named: true });
      // Outside git. A name amux never gives cannot even be named: exit 2, untouched.
      const nameable = plainStates.filter((s) => s.name !== ".cache");
      const bad = await e2e.amux(["ws", "rm", ...flag, ".cache"], { cwd: w.plainproj });
      expectCode(bad, 2, `ws rm${label} .cache`);
      const plainOk = await e2e.amux(["ws", "rm", ...flag, ...names(removable(nameable, force))], { cwd: w.plainproj });
      expectCode(plainOk, 0, `ws rm${label} outside git`);
      const plainKept = await e2e.amux(["ws", "rm", ...flag, ...names(keepable(nameable, force))], { cwd: w.plainproj });
      expectCode(plainKept, 1, `ws rm${label} of folders holding files or repositories outside git`);
      await checkMatrix(e2e, w, nameable, force, `${plainOk.output}\n${plainKept.output}`, { named: true });
      expect(treeHash(join(`${w.plainproj}.worktrees`, ".cache"))).toBe(w.hashes.get(".cache")?.tree);
    });

    test(`ws prune${label}`, async ({ e2e }) => {
      await restore(w);
      const r = await e2e.amux(["ws", "prune", ...flag], { cwd: w.wsp });
      // Keeping what holds work is prune's job: exit 0.
      expectCode(r, 0, `ws prune${label}`);
      const foreign = gitStates.filter((s) => (force ? s.forced : s.plain) === "foreign").length;
      const kept = gitStates.filter((s) => (force ? s.forced : s.plain) === "kept").length;
      expect(r.stdout.trim()).toBe(`${removable(gitStates, force).length} removed, ${kept} kept, ${foreign} not amux's left alone`);
      await checkMatrix(e2e, w, gitStates, force, r.output, { named: false });
      const p = await e2e.amux(["ws", "prune", ...flag], { cwd: w.plainproj });
      expectCode(p, 0, `ws prune${label} outside git`);
      await checkMatrix(e2e, w, plainStates, force, p.output, { named: false });
    });

    test(`down --workspaces${label}`, async ({ e2e }) => {
      await restore(w);
      const r = await e2e.amux(["down", "--workspaces", ...flag], { cwd: w.wsp });
      // Exit 1 naming each kept one; what is not amux's is left alone without failing.
      expectCode(r, gitStates.some((s) => (force ? s.forced : s.plain) === "kept") ? 1 : 0, `down --workspaces${label}`);
      await checkMatrix(e2e, w, gitStates, force, r.output, { named: false });
      const p = await e2e.amux(["down", "--workspaces", ...flag], { cwd: w.plainproj });
      expectCode(p, plainStates.some((s) => (force ? s.forced : s.plain) === "kept") ? 1 : 0, `down --workspaces${label} outside git`);
      await checkMatrix(e2e, w, plainStates, force, p.output, { named: false });
    });
  }
});
