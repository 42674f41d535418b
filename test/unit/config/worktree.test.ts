import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { withAgentEnvironment } from "../../../src/config/locate.js";
import { findLinkedWorktree, mainCheckoutDir } from "../../../src/config/worktree.js";

// The files git leaves for a linked worktree, laid out by hand: no git process is needed to read them.
const tmp = realpathSync(mkdtempSync(join(tmpdir(), "amux-wt-")));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function layout(name: string, opts: { commondir?: string; bare?: boolean } = {}) {
  const main = join(tmp, name);
  const gitDir = opts.bare ? join(tmp, `${name}.git`) : join(main, ".git");
  const wtGit = join(gitDir, "worktrees", "team");
  mkdirSync(wtGit, { recursive: true });
  writeFileSync(join(wtGit, "commondir"), `${opts.commondir ?? "../.."}\n`);
  const ws = join(tmp, `${name}.worktrees`, "team");
  mkdirSync(join(ws, "src", "deep"), { recursive: true });
  writeFileSync(join(ws, ".git"), `gitdir: ${wtGit}\n`);
  return { main, ws, gitDir };
}

describe("findLinkedWorktree", () => {
  test("a linked worktree names its main checkout, from any folder inside it", () => {
    const { main, ws } = layout("a");
    expect(findLinkedWorktree(ws)).toEqual({ top: ws, main });
    expect(findLinkedWorktree(join(ws, "src", "deep"))).toEqual({ top: ws, main });
  });
  test("an absolute commondir works as well", () => {
    const { main, ws, gitDir } = layout("b", { commondir: join(tmp, "b", ".git") });
    expect(gitDir).toBe(join(main, ".git"));
    expect(findLinkedWorktree(ws)).toEqual({ top: ws, main });
  });
  test("the main checkout itself, a bare repo's worktree, a submodule and no repo: none", () => {
    const { main } = layout("c");
    expect(findLinkedWorktree(main)).toBeUndefined();
    const bare = layout("d", { bare: true });
    expect(findLinkedWorktree(bare.ws)).toBeUndefined();
    const sub = join(tmp, "sub");
    mkdirSync(sub);
    writeFileSync(join(sub, ".git"), "gitdir: ../c/.git/modules/sub\n");
    expect(findLinkedWorktree(sub)).toBeUndefined();
    expect(findLinkedWorktree(tmp)).toBeUndefined();
  });
});

describe("mainCheckoutDir", () => {
  test("a worktree elsewhere (a developer's own checkout) is a project of its own", () => {
    const { main } = layout("f");
    const mine = join(tmp, "elsewhere", "f-feature");
    mkdirSync(mine, { recursive: true });
    writeFileSync(join(mine, ".git"), `gitdir: ${join(main, ".git", "worktrees", "team")}\n`);
    expect(findLinkedWorktree(mine)).toEqual({ top: mine, main });
    expect(mainCheckoutDir(mine, () => true)).toBeUndefined();
  });
  test("a worktree inside the main checkout (workspaces.root under it) is a workspace", () => {
    const { main } = layout("g");
    const inner = join(main, ".amux", "ws", "team");
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(inner, ".git"), `gitdir: ${join(main, ".git", "worktrees", "team")}\n`);
    expect(mainCheckoutDir(inner, (d) => d === main)).toBe(main);
  });
  test("the same place in the main checkout when that is a project, else the nearest project above it", () => {
    const { main, ws } = layout("e");
    const projects = new Set([main]);
    expect(mainCheckoutDir(join(ws, "src", "deep"), (d) => projects.has(d))).toBe(main);
    projects.add(join(main, "src"));
    expect(mainCheckoutDir(join(ws, "src", "deep"), (d) => projects.has(d))).toBe(join(main, "src"));
    expect(mainCheckoutDir(ws, () => false)).toBeUndefined();
  });
});

describe("withAgentEnvironment", () => {
  const env = { AMUX_ROOT: tmp, AMUX_PROJECT: "acme" };
  test.each([
    [{}, env, { cwd: tmp, project: "acme" }],
    [{ project: "mine" }, env, { cwd: tmp, project: "mine" }],
    [{ cwd: "/x" }, env, { cwd: "/x" }],
    [{ file: "x.yaml" }, env, { file: "x.yaml" }],
    [{}, { AMUX_ROOT: "relative/dir" }, {}],
    [{}, { AMUX_ROOT: join(tmp, "missing") }, {}],
    [{}, {}, {}],
  ])("%j with %j → %j", (opts, e, want) => {
    expect(withAgentEnvironment(opts, e)).toEqual(want);
  });
});
