import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { type E2E, fixtureAgentsYaml, q, type Repo, waitFor } from "./harness.js";
import { panePath, test } from "./harness-extra.js";

// Workspaces: git worktrees beside the checkout (`<repo>.worktrees/<name>` on amux/<name>),
// made by `up`, `run --workspace` and `ws create`, removed only when no work would be lost.

const wsDir = (repo: Repo, name: string) => join(`${repo.dir}.worktrees`, name);

/** A repo on branch develop, one commit (develop.txt) ahead of main. */
async function repoWithDevelop(e2e: E2E): Promise<{ repo: Repo; developSha: string }> {
  const repo = await e2e.newRepo("wsp", { "amux.compose.yaml": "name: wsp\nservices: {}\n" });
  await gitOk(e2e, repo.dir, ["checkout", "-q", "-b", "develop"]);
  repo.write("develop.txt", "only on develop\n");
  await gitOk(e2e, repo.dir, ["add", "develop.txt"]);
  await gitOk(e2e, repo.dir, ["commit", "-qm", "develop work"]);
  return { repo, developSha: await gitOk(e2e, repo.dir, ["rev-parse", "HEAD"]) };
}

async function gitOk(e2e: E2E, cwd: string, args: string[]): Promise<string> {
  const r = await e2e.run("git", ["-C", cwd, ...args]);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} in ${cwd} failed: ${r.output}`);
  return r.stdout.trim();
}

/** The first line of `out` that names `name`. */
const lineOf = (out: string, name: string) => out.split("\n").find((l) => l.includes(name)) ?? "";

async function branches(repo: Repo): Promise<string[]> {
  return (await gitOk(repo.e2e, repo.dir, ["for-each-ref", "--format=%(refname:short)", "refs/heads"])).split("\n").filter(Boolean).sort();
}

async function worktreePaths(repo: Repo): Promise<string[]> {
  const out = await gitOk(repo.e2e, repo.dir, ["worktree", "list", "--porcelain"]);
  return out
    .split("\n")
    .filter((l) => l.startsWith("worktree "))
    .map((l) => l.slice(9));
}

interface WsRow {
  name: string;
  branch: string | null;
  path: string;
  dirty: boolean;
  uncommitted: number;
  untracked: number;
  unpushed: number;
  sessions: string[];
  [k: string]: unknown;
}

async function wsLs(repo: Repo): Promise<WsRow[]> {
  const r = await repo.amuxOk(["ws", "ls", "--json"]);
  const rows = JSON.parse(r.stdout) as unknown;
  if (!Array.isArray(rows)) throw new Error(`ws ls --json printed ${r.stdout}`);
  return rows as WsRow[];
}

/** An executable agent script in the test's temp dir that prints its workspace variables. */
function wsEnvAgent(e2e: E2E): string {
  const p = join(e2e.tmp, "prints-workspace");
  writeFileSync(p, '#!/bin/sh\necho "WS=[$AMUX_WORKSPACE] WSP=[$AMUX_WORKSPACE_PATH] PWD=[$(pwd -P)]"\nsleep 100000\n');
  chmodSync(p, 0o755);
  return p;
}

describe("workspaces made by up", () => {
  test("workspace: feature-auth with 2 replicas: one worktree on amux/feature-auth, both panes in it", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", {
      "amux.compose.yaml": "name: wsp\nservices:\n  auth:\n    agent: waits-at-prompt\n    workspace: feature-auth\n    replicas: 2\n",
    });
    await repo.amuxOk(["up"]);
    const dir = wsDir(repo, "feature-auth");
    expect(existsSync(join(dir, "README.md"))).toBe(true);
    expect(await gitOk(e2e, dir, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("amux/feature-auth");
    expect(await gitOk(e2e, dir, ["rev-parse", "--show-toplevel"])).toBe(dir);
    expect(await worktreePaths(repo)).toEqual([repo.dir, dir]);
    expect(await e2e.liveSessions()).toEqual(["wsp-auth-1", "wsp-auth-2"]);
    for (const s of ["wsp-auth-1", "wsp-auth-2"]) expect(await panePath(e2e, s), s).toBe(dir);
    for (const row of await repo.ps()) expect(row.workspace).toBe("feature-auth");
    expect(await repo.gitStatus()).toBe("");
    // A second up reuses the worktree, and down keeps it.
    await repo.amuxOk(["up"]);
    await repo.amuxOk(["down"]);
    expect(existsSync(dir)).toBe(true);
    expect(await repo.gitStatus()).toBe("");
  });

  test("plan lists the workspace step that up then performs; once made, no step is planned for it", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", {
      "amux.compose.yaml": "name: wsp\nservices:\n  auth:\n    agent: waits-at-prompt\n    workspace: team\n    replicas: 2\n",
    });
    const current = await gitOk(e2e, repo.dir, ["rev-parse", "--abbrev-ref", "HEAD"]);
    const plan = await repo.amuxOk(["plan"]);
    expect(plan.stdout.trim().split("\n")).toEqual([
      `+ workspace team (branch amux/team from ${current})`,
      "+ create wsp-auth-1 (scale 0 -> 2)",
      "+ create wsp-auth-2 (scale 0 -> 2)",
    ]);
    const json = JSON.parse((await repo.amuxOk(["plan", "--json"])).stdout) as { actions: { action: string }[]; workspaces: unknown[] };
    expect(json.actions.map((a) => a.action)).toEqual(["create", "create"]);
    expect(json.workspaces).toEqual([
      { action: "ensure-workspace", workspace: "team", branch: "amux/team", base: current, reason: `branch amux/team from ${current}` },
    ]);
    // plan changed nothing: no worktree, no branch.
    expect(existsSync(wsDir(repo, "team"))).toBe(false);
    expect(await branches(repo)).toEqual([current]);
    await repo.amuxOk(["up"]);
    expect(await gitOk(e2e, wsDir(repo, "team"), ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("amux/team");
    expect((await repo.amuxOk(["plan"])).stdout.trim()).toBe("nothing to do, 2 sessions up to date");
    // A replica made again in the workspace that is there: no workspace step.
    await repo.amuxOk(["stop", "wsp-auth-2"]);
    expect((await repo.amuxOk(["plan"])).stdout.trim()).toBe("+ create wsp-auth-2 (scale 1 -> 2)");
    // A folder amux did not make in the way of a new workspace: a conflict in the plan, and up exits 1 without starting there.
    repo.write(
      "amux.compose.yaml",
      "name: wsp\nservices:\n  auth:\n    agent: waits-at-prompt\n    workspace: team\n    replicas: 2\n  web:\n    agent: waits-at-prompt\n    workspace: other\n",
    );
    mkdirSync(wsDir(repo, "other"));
    const blocked = await repo.amuxOk(["plan"]);
    expect(blocked.stdout).toContain(
      `! conflict wsp-web-1: workspace other: ${wsDir(repo, "other")} is a plain folder, not a workspace amux made; left alone, wsp-web-1 not created`,
    );
    const up = await repo.amux(["up"]);
    expect(up.code, up.output).toBe(1);
    expect(await e2e.liveSessions()).toEqual(["wsp-auth-1", "wsp-auth-2"]);
  });

  test("isolation: replica gives each replica its own worktree", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", {
      "amux.compose.yaml": "name: wsp\nservices:\n  x:\n    agent: waits-at-prompt\n    workspace: feature-x\n    replicas: 2\n    isolation: replica\n",
    });
    await repo.amuxOk(["up"]);
    const one = wsDir(repo, "feature-x-1");
    const two = wsDir(repo, "feature-x-2");
    expect(await panePath(e2e, "wsp-x-1")).toBe(one);
    expect(await panePath(e2e, "wsp-x-2")).toBe(two);
    expect(await gitOk(e2e, one, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("amux/feature-x-1");
    expect(await gitOk(e2e, two, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("amux/feature-x-2");
    expect(existsSync(wsDir(repo, "feature-x"))).toBe(false);
    expect((await repo.ps()).map((r) => `${r.name} ${r.workspace}`)).toEqual(["wsp-x-1 feature-x-1", "wsp-x-2 feature-x-2"]);
    // Separate: a file made in one is not in the other.
    writeFileSync(join(one, "only-in-one.txt"), "1\n");
    expect(existsSync(join(two, "only-in-one.txt"))).toBe(false);
    expect(await repo.gitStatus()).toBe("");
  });

  test("AMUX_WORKSPACE and AMUX_WORKSPACE_PATH reach the agent", async ({ e2e }) => {
    const agent = wsEnvAgent(e2e);
    const repo = await e2e.newRepo("wsp", {
      "amux.compose.yaml": `name: wsp\nagents:\n  wsenv:\n    params: { command: ${q(agent)} }\nservices:\n  a:\n    agent: wsenv\n    workspace: feat-env\n  plain:\n    agent: wsenv\n`,
    });
    await repo.amuxOk(["up"]);
    const dir = wsDir(repo, "feat-env");
    await repo.waitForLog("wsp-a-1", `WS=[feat-env] WSP=[${dir}] PWD=[${dir}]`);
    // Without a workspace: empty name, the project root as the path.
    await repo.waitForLog("wsp-plain-1", `WS=[] WSP=[${repo.dir}] PWD=[${repo.dir}]`);
    // run --workspace too, with the fixture that prints AMUX_WORKSPACE.
    await repo.amuxOk(["run", "prints-env", "--workspace", "feat-run", "--name", "r1", "--no-attach"]);
    await repo.waitForLog("r1", "WORKSPACE=feat-run");
    expect(await panePath(e2e, "r1")).toBe(wsDir(repo, "feat-run"));
    expect(await repo.gitStatus()).toBe("");
  });
});

describe("removing workspaces never loses work", () => {
  test("uncommitted and untracked work survive down --workspaces and ws rm, which say why; --force removes", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", { "amux.compose.yaml": "name: wsp\nservices: {}\n" });
    for (const n of ["w-changed", "w-untracked", "w-clean"]) {
      const r = await repo.amuxOk(["ws", "create", n]);
      expect(r.stdout.trim()).toBe(wsDir(repo, n));
    }
    writeFileSync(join(wsDir(repo, "w-changed"), "README.md"), "# changed\n");
    writeFileSync(join(wsDir(repo, "w-untracked"), "new-file.txt"), "new\n");

    const down = await repo.amux(["down", "--workspaces"]);
    expect(down.code, down.output).toBe(1);
    expect(lineOf(down.output, "w-changed")).toMatch(/uncommitted/);
    expect(lineOf(down.output, "w-untracked")).toMatch(/untracked/);
    for (const n of ["w-changed", "w-untracked"]) expect(existsSync(wsDir(repo, n)), n).toBe(true);
    // The clean one had nothing to lose.
    expect(existsSync(wsDir(repo, "w-clean"))).toBe(false);
    expect(await branches(repo)).toEqual(["amux/w-changed", "amux/w-untracked", "main"]);
    expect(readFileSync(join(wsDir(repo, "w-changed"), "README.md"), "utf8")).toBe("# changed\n");
    expect(readFileSync(join(wsDir(repo, "w-untracked"), "new-file.txt"), "utf8")).toBe("new\n");

    for (const [n, why] of [
      ["w-changed", /uncommitted/],
      ["w-untracked", /untracked/],
    ] as const) {
      const rm = await repo.amux(["ws", "rm", n]);
      expect(rm.code, rm.output).toBe(1);
      expect(lineOf(rm.output, n)).toMatch(why);
      expect(existsSync(wsDir(repo, n)), n).toBe(true);
    }
    // prune keeps them too.
    const prune = await repo.amux(["ws", "prune"]);
    expect(prune.code, prune.output).toBe(0);
    expect((await wsLs(repo)).map((w) => w.name)).toEqual(["w-changed", "w-untracked"]);

    const forced = await repo.amux(["ws", "rm", "--force", "w-changed"]);
    expect(forced.code, forced.output).toBe(0);
    expect(existsSync(wsDir(repo, "w-changed"))).toBe(false);
    const forcedDown = await repo.amux(["down", "--workspaces", "--force"]);
    expect(forcedDown.code, forcedDown.output).toBe(0);
    expect(existsSync(wsDir(repo, "w-untracked"))).toBe(false);
    expect(await worktreePaths(repo)).toEqual([repo.dir]);
    expect(await branches(repo)).toEqual(["main"]);
    expect(await wsLs(repo)).toEqual([]);
    expect(await repo.gitStatus()).toBe("");
  });

  test("committed but unpushed work survives down --workspaces and ws rm; --force removes", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", { "amux.compose.yaml": "name: wsp\nservices: {}\n" });
    const dir = (await repo.amuxOk(["ws", "create", "w-unpushed"])).stdout.trim();
    writeFileSync(join(dir, "work.txt"), "work\n");
    await gitOk(e2e, dir, ["add", "work.txt"]);
    await gitOk(e2e, dir, ["commit", "-qm", "agent work"]);
    const sha = await gitOk(e2e, dir, ["rev-parse", "HEAD"]);
    // Clean in git status terms: only the commit is at stake.
    expect(await gitOk(e2e, dir, ["status", "--porcelain"])).toBe("");

    const down = await repo.amux(["down", "--workspaces"]);
    expect(existsSync(dir), `down --workspaces removed a worktree holding an unpushed commit:\n${down.output}`).toBe(true);
    expect(down.code, down.output).toBe(1);
    expect(lineOf(down.output, "w-unpushed")).toMatch(/commit/);
    const rm = await repo.amux(["ws", "rm", "w-unpushed"]);
    expect(existsSync(dir), `ws rm removed a worktree holding an unpushed commit:\n${rm.output}`).toBe(true);
    expect(rm.code, rm.output).toBe(1);
    expect(lineOf(rm.output, "w-unpushed")).toMatch(/commit/);
    expect(await gitOk(e2e, dir, ["rev-parse", "HEAD"])).toBe(sha);

    const forced = await repo.amux(["ws", "rm", "--force", "w-unpushed"]);
    expect(forced.code, forced.output).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(await worktreePaths(repo)).toEqual([repo.dir]);
    expect(await repo.gitStatus()).toBe("");
  });

  test("a workspace a live session uses is never removed, even with --force", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", {
      "amux.compose.yaml": "name: wsp\nservices:\n  a:\n    agent: waits-at-prompt\n    workspace: busy-ws\n",
    });
    await repo.amuxOk(["up"]);
    await repo.amuxOk(["run", "waits-at-prompt", "--workspace", "run-ws", "--name", "r1", "--no-attach"]);
    for (const n of ["busy-ws", "run-ws"]) {
      const rm = await repo.amux(["ws", "rm", "--force", n]);
      expect(rm.code, rm.output).toBe(1);
      expect(rm.output).toContain(n);
      expect(rm.output).toMatch(/in use/);
      expect(existsSync(wsDir(repo, n)), n).toBe(true);
    }
    const prune = await repo.amux(["ws", "prune", "--force"]);
    expect(prune.code, prune.output).toBe(0);
    expect(existsSync(wsDir(repo, "busy-ws"))).toBe(true);
    expect(existsSync(wsDir(repo, "run-ws"))).toBe(true);
    expect(await e2e.liveSessions()).toEqual(["r1", "wsp-a-1"]);
    expect(await panePath(e2e, "r1")).toBe(wsDir(repo, "run-ws"));
    // Once the sessions are gone, they may go.
    await repo.amuxOk(["down"]);
    await repo.amuxOk(["ws", "rm", "busy-ws", "run-ws"]);
    expect(existsSync(wsDir(repo, "busy-ws"))).toBe(false);
    expect(existsSync(wsDir(repo, "run-ws"))).toBe(false);
  });
});

describe("names and listing", () => {
  test("bad workspace names exit 2 and create nothing", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp");
    const pwned = join(e2e.tmp, "pwned");
    const bad = ["../escape", "a b", `x;touch ${pwned}`, "a..b", "x:1", "-rf", "a/b"];
    const before = await branches(repo);
    for (const name of bad) {
      // `--` so that "-rf" reaches amux's own check rather than the flag parser.
      for (const args of [
        ["ws", "create", "--", name],
        ["run", "waits-at-prompt", `--workspace=${name}`, "--no-attach"],
      ]) {
        const r = await repo.amux(args);
        expect(r.code, `amux ${args.join(" ")}: ${r.output}`).toBe(2);
        expect(r.output).not.toContain("    at ");
      }
    }
    const flag = await repo.amux(["ws", "create", "-rf"]);
    expect(flag.code, flag.output).toBe(2);
    // In the compose file as well.
    repo.write("amux.compose.yaml", `name: wsp\nservices:\n  a:\n    agent: waits-at-prompt\n    workspace: ${q("../escape")}\n`);
    const up = await repo.amux(["up"]);
    expect(up.code, up.output).toBe(2);
    expect(up.stderr).toMatch(/amux\.compose\.yaml:\d+:\d+/);
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(join(repo.dir, "pwned"))).toBe(false);
    expect(existsSync(`${repo.dir}.worktrees`)).toBe(false);
    expect(existsSync(join(e2e.tmp, "escape"))).toBe(false);
    expect(await branches(repo)).toEqual(before);
    expect(await worktreePaths(repo)).toEqual([repo.dir]);
    expect(await e2e.liveSessions()).toEqual([]);
    repo.rm("amux.compose.yaml");
    // The longest valid name, with dots, is fine.
    const longest = `a.b_c-${"d".repeat(57)}`;
    expect((await repo.amuxOk(["ws", "create", longest])).stdout.trim()).toBe(wsDir(repo, longest));
  });

  test("ws ls --json shows name, branch, path, dirty and unpushed counts, and the sessions", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", {
      "amux.compose.yaml": "name: wsp\nservices:\n  a:\n    agent: waits-at-prompt\n    workspace: used\n    replicas: 2\n",
    });
    await repo.amuxOk(["up"]);
    await repo.amuxOk(["ws", "create", "messy"]);
    const messy = wsDir(repo, "messy");
    writeFileSync(join(messy, "README.md"), "# changed\n");
    writeFileSync(join(messy, "u1.txt"), "1\n");
    writeFileSync(join(messy, "u2.txt"), "2\n");
    writeFileSync(join(messy, "c.txt"), "c\n");
    await gitOk(e2e, messy, ["add", "c.txt"]);
    await gitOk(e2e, messy, ["commit", "-qm", "one"]);
    writeFileSync(join(messy, "d.txt"), "d\n");
    await gitOk(e2e, messy, ["add", "d.txt"]);
    await gitOk(e2e, messy, ["commit", "-qm", "two"]);
    const rows = await wsLs(repo);
    expect(rows.map((w) => w.name)).toEqual(["messy", "used"]);
    const [m, u] = rows as [WsRow, WsRow];
    expect(m).toMatchObject({ name: "messy", branch: "amux/messy", path: messy, dirty: true, uncommitted: 1, untracked: 2, sessions: [] });
    expect(u).toMatchObject({ name: "used", branch: "amux/used", path: wsDir(repo, "used"), dirty: false, uncommitted: 0, untracked: 0, unpushed: 0 });
    expect([...u.sessions].sort()).toEqual(["wsp-a-1", "wsp-a-2"]);
    // The human table names them too.
    const table = (await repo.amuxOk(["ws", "ls"])).stdout;
    expect(table).toMatch(/^messy\s+amux\/messy/m);
    expect(table).toMatch(/^used\s+amux\/used/m);
    expect(await repo.gitStatus()).toBe("");
    // Two commits on amux/messy that no other branch holds; once another branch holds them, none.
    expect(m.unpushed, "unpushed commits on amux/messy").toBe(2);
    await gitOk(e2e, repo.dir, ["branch", "keep-messy", "amux/messy"]);
    expect((await wsLs(repo)).find((w) => w.name === "messy")?.unpushed).toBe(0);
  });
});

describe("how workspaces are made", () => {
  test("copy, symlink and setup from compose workspaces: go into a new worktree", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", {
      ".gitignore": ".env\nnode_modules/\nnode_modules\n",
      "amux.compose.yaml": `name: wsp\nworkspaces:\n  copy: [.env]\n  symlink: [node_modules]\n  setup: ${q("echo setup-ran > setup.txt")}\nservices:\n  a:\n    agent: waits-at-prompt\n    workspace: feat-setup\n`,
    });
    repo.write(".env", "API_URL=http://localhost\n");
    mkdirSync(join(repo.dir, "node_modules", "left-pad"), { recursive: true });
    repo.write("node_modules/left-pad/index.js", "module.exports = 1;\n");
    expect(await repo.gitStatus()).toBe("");
    await repo.amuxOk(["up"]);
    const dir = wsDir(repo, "feat-setup");
    expect(readFileSync(join(dir, ".env"), "utf8")).toBe("API_URL=http://localhost\n");
    expect(lstatSync(join(dir, ".env")).isSymbolicLink()).toBe(false);
    expect(lstatSync(join(dir, "node_modules")).isSymbolicLink()).toBe(true);
    expect(realpathSync(join(dir, "node_modules"))).toBe(join(repo.dir, "node_modules"));
    expect(readlinkSync(join(dir, "node_modules"))).toContain("node_modules");
    expect(readFileSync(join(dir, "node_modules", "left-pad", "index.js"), "utf8")).toContain("module.exports");
    expect(readFileSync(join(dir, "setup.txt"), "utf8")).toBe("setup-ran\n");
    // The setup ran in the worktree, not in the main checkout.
    expect(existsSync(join(repo.dir, "setup.txt"))).toBe(false);
    // ws create applies the same settings.
    const other = (await repo.amuxOk(["ws", "create", "feat-two"])).stdout.trim();
    expect(readFileSync(join(other, "setup.txt"), "utf8")).toBe("setup-ran\n");
    expect(lstatSync(join(other, "node_modules")).isSymbolicLink()).toBe(true);
    expect(await repo.gitStatus()).toBe("");
  });

  test("a failing setup is reported: exit 1 naming the workspace", async ({ e2e }) => {
    const repo = await e2e.newRepo("wsp", {
      "amux.compose.yaml": `name: wsp\nworkspaces:\n  setup: ${q("echo installing; echo boom >&2; exit 7")}\nservices:\n  a:\n    agent: waits-at-prompt\n    workspace: feat-broken\n`,
    });
    const create = await repo.amux(["ws", "create", "ws-broken"]);
    expect(create.code, create.output).toBe(1);
    expect(create.stderr).toContain("ws-broken");
    expect(create.stderr).toMatch(/setup/);
    expect(create.stderr).toMatch(/\b7\b/);
    expect(create.output).not.toContain("    at ");
    const up = await repo.amux(["up"]);
    expect(up.code, up.output).toBe(1);
    expect(up.stderr).toContain("feat-broken");
    expect(up.stderr).toMatch(/setup/);
    // The agent was not started in a half-made workspace.
    expect(await e2e.liveSessions()).toEqual([]);
    expect(await repo.gitStatus()).toBe("");
  });

  test("the base is the current branch", async ({ e2e }) => {
    const { repo, developSha } = await repoWithDevelop(e2e);
    await repo.amuxOk(["ws", "create", "from-dev"]);
    const dir = wsDir(repo, "from-dev");
    expect(await gitOk(e2e, dir, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("amux/from-dev");
    expect(await gitOk(e2e, dir, ["rev-parse", "HEAD"])).toBe(developSha);
    expect(readFileSync(join(dir, "develop.txt"), "utf8")).toBe("only on develop\n");
    // Back on main, a new workspace starts from main.
    await gitOk(e2e, repo.dir, ["checkout", "-q", "main"]);
    await repo.amuxOk(["ws", "create", "from-main"]);
    expect(existsSync(join(wsDir(repo, "from-main"), "develop.txt"))).toBe(false);
    expect(await gitOk(e2e, wsDir(repo, "from-main"), ["rev-parse", "HEAD"])).toBe(await gitOk(e2e, repo.dir, ["rev-parse", "main"]));
    // The workspaces did not move the main checkout.
    expect(await gitOk(e2e, repo.dir, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("main");
    expect(await repo.gitStatus()).toBe("");
  });

  test("a service's branch: and base: name the new worktree's branch and its start point", async ({ e2e }) => {
    const { repo, developSha } = await repoWithDevelop(e2e);
    await gitOk(e2e, repo.dir, ["checkout", "-q", "main"]);
    repo.write(
      "amux.compose.yaml",
      "name: wsp\nservices:\n  a: { agent: waits-at-prompt, workspace: auth, branch: feat/auth, base: develop }\n  b: { agent: waits-at-prompt, workspace: iso, branch: feat/iso, isolation: replica, replicas: 2 }\n",
    );
    await repo.amuxOk(["up"]);
    const auth = wsDir(repo, "auth");
    expect(await gitOk(e2e, auth, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("feat/auth");
    expect(await gitOk(e2e, auth, ["rev-parse", "HEAD"])).toBe(developSha);
    expect(await gitOk(e2e, wsDir(repo, "iso-1"), ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("feat/iso-1");
    expect(await gitOk(e2e, wsDir(repo, "iso-2"), ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("feat/iso-2");
    expect(await gitOk(e2e, repo.dir, ["rev-parse", "--abbrev-ref", "HEAD"])).toBe("main");
  });

  test("outside a git repository a workspace is a plain directory", async ({ e2e }) => {
    const dir = join(e2e.tmp, "plainproj");
    mkdirSync(join(dir, ".amux"), { recursive: true });
    writeFileSync(join(dir, ".amux", "config.yaml"), fixtureAgentsYaml());
    writeFileSync(join(dir, "amux.compose.yaml"), "name: plainproj\nservices:\n  a:\n    agent: waits-at-prompt\n    workspace: scratch\n");
    const run = (args: string[]) => e2e.amux(args, { cwd: dir });
    const up = await run(["up"]);
    expect(up.code, up.output).toBe(0);
    const ws = join(`${dir}.worktrees`, "scratch");
    expect(lstatSync(ws).isDirectory()).toBe(true);
    expect(existsSync(join(ws, ".git"))).toBe(false);
    expect(await panePath(e2e, "plainproj-a-1")).toBe(ws);
    const created = await run(["ws", "create", "other"]);
    expect(created.code, created.output).toBe(0);
    expect(created.stdout.trim()).toBe(join(`${dir}.worktrees`, "other"));
    const ls = await run(["ws", "ls", "--json"]);
    expect(ls.code, ls.output).toBe(0);
    const rows = JSON.parse(ls.stdout) as WsRow[];
    expect(rows.map((w) => [w.name, w.branch, w.path])).toEqual([
      ["other", null, join(`${dir}.worktrees`, "other")],
      ["scratch", null, ws],
    ]);
    expect(rows.find((w) => w.name === "scratch")?.sessions).toEqual(["plainproj-a-1"]);
    const rm = await run(["ws", "rm", "other"]);
    expect(rm.code, rm.output).toBe(0);
    expect(existsSync(join(`${dir}.worktrees`, "other"))).toBe(false);
    await waitFor(async () => (await e2e.liveSessions()).includes("plainproj-a-1"), 2000, "the session to stay");
  });
});

describe("a folder amux did not make is never used as a workspace", () => {
  test("a clone, a plain folder and a symlink holding a workspace's name: refused (exit 1), untouched, no agent started there", async ({ e2e }) => {
    const repo = await e2e.newRepo("foreignuse", { ".amux/config.yaml": fixtureAgentsYaml() });
    const root = `${repo.dir}.worktrees`;
    mkdirSync(root, { recursive: true });
    await gitOk(e2e, root, ["clone", "-q", repo.dir, "clone"]);
    mkdirSync(join(root, "plain"));
    writeFileSync(join(root, "plain", "notes.txt"), "mine\n");
    mkdirSync(join(root, "elsewhere"));
    const { symlinkSync } = await import("node:fs");
    symlinkSync(join(root, "elsewhere"), join(root, "link"));
    for (const [name, what] of [
      ["clone", /a git repository/],
      ["plain", /a plain folder/],
      ["link", /a symbolic link/],
    ] as const) {
      const ws = await repo.amux(["ws", "create", name]);
      expect(ws.code, ws.output).toBe(1);
      expect(ws.stderr).toMatch(what);
      const run = await repo.amux(["run", "waits-at-prompt", "--workspace", name]);
      expect(run.code, run.output).toBe(1);
      expect(run.stderr).toMatch(/not a workspace amux made/);
    }
    expect(readFileSync(join(root, "plain", "notes.txt"), "utf8")).toBe("mine\n");
    expect(lstatSync(join(root, "link")).isSymbolicLink()).toBe(true);
    const ls = await e2e.tmux(["list-sessions", "-F", "#{session_name}"]);
    expect(ls.stdout.trim()).toBe("");
  });
});
