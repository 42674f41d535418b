import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { describe, expect } from "vitest";
import { AMUX_BIN, type E2E, q, type Repo, waitFor } from "./harness.js";
import { type Procs, test } from "./harness-extra.js";
import { connectMcp } from "./mcp-client.js";

// Reviewing and landing agents' work: amux diff, ws ls, merge and push on real git repositories,
// and the same over MCP. A refused merge must leave both checkouts byte-for-byte as they were.

const wsDir = (repo: Repo, name: string) => `${repo.dir}.worktrees/${name}`;

async function gitIn(e2e: E2E, dir: string, args: string[]): Promise<string> {
  const r = await e2e.run("git", ["-C", dir, ...args]);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} in ${dir} failed: ${r.output}`);
  return r.stdout.trim();
}

/** Commits files in a checkout (writing them first); returns the new commit. */
async function commit(e2e: E2E, dir: string, files: Record<string, string | null>, msg: string): Promise<string> {
  const { mkdirSync, rmSync, writeFileSync } = await import("node:fs");
  const { dirname } = await import("node:path");
  for (const [rel, text] of Object.entries(files)) {
    if (text === null) rmSync(join(dir, rel));
    else {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
  }
  await gitIn(e2e, dir, ["add", "-A"]);
  await gitIn(e2e, dir, ["commit", "-qm", msg]);
  return gitIn(e2e, dir, ["rev-parse", "HEAD"]);
}

/**
 * Every byte of a checkout that a merge could change: its files and, in the git folder, HEAD,
 * index, refs, reflogs and the worktrees' admin folders (objects aside: testing a merge may write
 * unreachable ones). amux's own runtime folder .amux is left out.
 */
function fingerprint(dirs: string[]): string {
  const h = createHash("sha256");
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      if (r === ".amux" || r === ".git/objects") continue;
      const st = lstatSync(join(dir, r));
      if (st.isDirectory()) walk(dir, r);
      else if (st.isSymbolicLink()) h.update(`${dir}/${r} -> ${readlinkSync(join(dir, r))}\n`);
      else h.update(`${dir}/${r} ${st.mode} `).update(readFileSync(join(dir, r)));
    }
  };
  for (const d of dirs) walk(d, "");
  return h.digest("hex");
}

/** A repo with workspace `feat` made by amux from main. */
async function withWorkspace(e2e: E2E, name = "feat", files: Record<string, string> = {}): Promise<{ repo: Repo; ws: string }> {
  const repo = await e2e.newRepo("land", { "lib.txt": "one\ntwo\nthree\n", "old.txt": "old\n", ...files });
  await repo.amuxOk(["ws", "create", name]);
  return { repo, ws: wsDir(repo, name) };
}

interface DiffJson {
  workspace: string;
  branch: string | null;
  path: string;
  head: string;
  base: { ref: string; sha: string; mergeBase: string; recorded: boolean };
  ahead: number;
  behind: number;
  commits: { sha: string; subject: string; author: string; date: string }[];
  files: { path: string; status: string; kind: string; additions: number; deletions: number; binary: boolean }[];
  additions: number;
  deletions: number;
}

describe("amux diff", () => {
  test("commits ahead and behind its base, committed, uncommitted and untracked changes apart: --json exactly, --stat, --name-only", async ({ e2e }) => {
    const { repo, ws } = await withWorkspace(e2e);
    const base = await gitIn(e2e, repo.dir, ["rev-parse", "HEAD"]);
    const c1 = await commit(e2e, ws, { "lib.txt": "one\nTWO\nthree\nfour\n", "new.txt": "a\nb\n" }, "agent: lib and new");
    const c2 = await commit(e2e, ws, { "old.txt": null }, "agent: drop old");
    repo.write("README.md", "# demo\nmain moved\n");
    await gitIn(e2e, repo.dir, ["commit", "-qam", "main moves"]);
    const mainSha = await gitIn(e2e, repo.dir, ["rev-parse", "HEAD"]);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(ws, "README.md"), "# demo\nedited, not committed\n");
    writeFileSync(join(ws, "scratch.txt"), "x\ny\nz\n");

    const d = JSON.parse((await repo.amuxOk(["diff", "feat", "--json"])).stdout) as DiffJson;
    const commits = d.commits.map((c) => ({ ...c, date: "DATE" }));
    expect({ ...d, commits }).toEqual({
      workspace: "feat",
      branch: "amux/feat",
      path: ws,
      head: c2,
      base: { ref: "main", sha: mainSha, mergeBase: base, recorded: true },
      ahead: 2,
      behind: 1,
      commits: [
        { sha: c2, subject: "agent: drop old", author: "amux e2e <e2e@example.test>", date: "DATE" },
        { sha: c1, subject: "agent: lib and new", author: "amux e2e <e2e@example.test>", date: "DATE" },
      ],
      files: [
        { path: "lib.txt", status: "modified", kind: "committed", additions: 2, deletions: 1, binary: false },
        { path: "new.txt", status: "added", kind: "committed", additions: 2, deletions: 0, binary: false },
        { path: "old.txt", status: "deleted", kind: "committed", additions: 0, deletions: 1, binary: false },
        { path: "README.md", status: "modified", kind: "uncommitted", additions: 1, deletions: 0, binary: false },
        { path: "scratch.txt", status: "untracked", kind: "untracked", additions: 3, deletions: 0, binary: false },
      ],
      additions: 8,
      deletions: 2,
    });
    for (const c of d.commits) expect(Number.isNaN(Date.parse(c.date))).toBe(false);

    const stat = (await repo.amuxOk(["diff", "feat", "--stat"])).stdout;
    expect(stat).toContain("feat (amux/feat): 2 ahead, 1 behind main");
    const sections = stat.split(/^== /m).slice(1);
    expect(sections.map((s) => s.split("\n")[0]?.replace(/\(.*\)/, "()"))).toEqual([
      "Commits ()",
      "Committed changes since main ()",
      "Uncommitted changes",
      "Untracked files ()",
    ]);
    expect(sections[1]).toMatch(/lib\.txt \| 3 \+\+-/);
    expect(sections[1]).toMatch(/3 files changed/);
    expect(sections[2]).toMatch(/README\.md \| 1 \+/);
    expect(sections[3]).toContain("scratch.txt | 3 +");

    const names = (await repo.amuxOk(["diff", "feat", "--name-only"])).stdout.split(/^== /m).slice(1);
    expect(names[1]?.split("\n").slice(1).filter(Boolean)).toEqual(["lib.txt", "new.txt", "old.txt"]);
    expect(names[2]?.split("\n").slice(1).filter(Boolean)).toEqual(["README.md"]);
    expect(names[3]?.split("\n").slice(1).filter(Boolean)).toEqual(["scratch.txt"]);

    const patch = (await repo.amuxOk(["diff", "feat"])).stdout;
    expect(patch).toContain("+TWO");
    expect(patch).toContain("+edited, not committed");
    expect(patch).toContain("+++ b/scratch.txt");
    expect(patch).not.toContain("\x1b[");
    // Nothing in either checkout changed by looking.
    expect(await repo.gitStatus()).toBe("");
  });

  test.skipIf(!existsSync("/usr/bin/script"))("on a terminal: coloured, through the user's pager (GIT_PAGER), one pager for every section", async ({ e2e }) => {
    const { repo, ws } = await withWorkspace(e2e);
    await commit(e2e, ws, { "lib.txt": "one\nTWO\nthree\n" }, "agent edits lib");
    // script(1) gives amux a terminal; the pager marks each line it shows.
    const r = await e2e.run("/usr/bin/script", ["-qec", `${q(process.execPath)} ${q(AMUX_BIN)} diff feat`, "/dev/null"], {
      cwd: repo.dir,
      env: { NO_COLOR: undefined, TERM: "xterm", GIT_PAGER: "echo PAGER-STARTED; sed s/^/PAGED:/" },
    });
    expect(r.code, r.output).toBe(0);
    const all = r.stdout.split(/\r?\n/).filter(Boolean);
    expect(all.filter((l) => l === "PAGER-STARTED")).toHaveLength(1);
    const lines = all.filter((l) => l !== "PAGER-STARTED");
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(l.startsWith("PAGED:"), `not paged: ${JSON.stringify(l)}`).toBe(true);
    expect(r.stdout).toContain("\x1b[31m-two");
    expect(r.stdout).toContain("\x1b[32m+");
    expect(r.stdout).toContain("TWO");
  });

  test("a session or service names its workspace; ws ls shows ahead/behind, dirty, last commit and sessions", async ({ e2e }) => {
    const repo = await e2e.newRepo("land", { "amux.compose.yaml": "name: land\nservices:\n  coder:\n    agent: waits-at-prompt\n    workspace: feat\n" });
    await repo.amuxOk(["up", "--wait"]);
    const ws = wsDir(repo, "feat");
    await commit(e2e, ws, { "a.txt": "a\n" }, "agent adds a");
    const bySession = JSON.parse((await repo.amuxOk(["diff", "land-coder-1", "--json"])).stdout) as DiffJson;
    const byService = JSON.parse((await repo.amuxOk(["diff", "coder", "--json"])).stdout) as DiffJson;
    expect(bySession.workspace).toBe("feat");
    expect(byService).toEqual(bySession);
    expect(bySession.ahead).toBe(1);
    const rows = JSON.parse((await repo.amuxOk(["ws", "ls", "--json"])).stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      name: "feat",
      branch: "amux/feat",
      base: "main",
      ahead: 1,
      behind: 0,
      dirty: false,
      sessions: ["land-coder-1"],
      lastCommit: { subject: "agent adds a" },
    });
    const table = (await repo.amuxOk(["ws", "ls"])).stdout;
    expect(table).toMatch(/feat\s+amux\/feat\s+1 unpushed\s+\+1 -0 main\s+agent adds a \(\d+s ago\)\s+land-coder-1/);
    const none = await repo.amux(["diff", "nothing-here"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no workspace nothing-here");
  });
});

describe("amux merge", () => {
  test.for([
    ["merge", [], "a merge commit"],
    ["squash", ["--squash"], "one squashed commit"],
    ["rebase", ["--rebase"], "rebase amux/feat onto main"],
  ] as [string, string[], string][])("%s lands the work on a moved main", async ([strategy, flags, says], { e2e }) => {
    const { repo, ws } = await withWorkspace(e2e);
    await commit(e2e, ws, { "lib.txt": "one\ntwo\nthree\nfour\n" }, "agent: four");
    await commit(e2e, ws, { "new.txt": "new\n" }, "agent: new");
    await commit(e2e, repo.dir, { "README.md": "# demo\nmain moved\n" }, "main moves");
    const before = await gitIn(e2e, repo.dir, ["rev-parse", "HEAD"]);
    const dry = await repo.amuxOk(["merge", "feat", ...flags, "--dry-run"]);
    expect(dry.stdout).toContain(`would merge amux/feat into main (${strategy})`);
    expect(dry.stdout).toContain(says);
    expect(dry.stdout).toContain("2 commits:");
    expect(dry.stdout).toMatch(/modified\s+lib\.txt \+1 -0/);
    expect(await gitIn(e2e, repo.dir, ["rev-parse", "HEAD"])).toBe(before);

    const r = await repo.amuxOk(["merge", "feat", ...flags]);
    expect(r.stdout).toContain(`merged amux/feat into main (${strategy})`);
    expect(repo.read("lib.txt")).toBe("one\ntwo\nthree\nfour\n");
    expect(repo.read("new.txt")).toBe("new\n");
    expect(repo.read("README.md")).toBe("# demo\nmain moved\n");
    expect(await repo.gitStatus()).toBe("");
    const log = (await gitIn(e2e, repo.dir, ["log", "--format=%s|%P", `${before}..HEAD`])).split("\n");
    if (strategy === "merge") {
      expect(log[0]).toMatch(/^Merge branch 'amux\/feat' into main\|\w+ \w+$/);
      expect(log).toHaveLength(3);
    } else if (strategy === "squash") {
      expect(log).toEqual([expect.stringMatching(/^Squash merge amux\/feat into main\|\w+$/)]);
      const body = await gitIn(e2e, repo.dir, ["log", "-1", "--format=%b"]);
      expect(body).toBe("* agent: four\n* agent: new");
    } else {
      expect(log.map((l) => l.split("|")[0])).toEqual(["agent: new", "agent: four"]);
      // The workspace's branch is now the rebased commits, so nothing of it is left unmerged.
      expect(await gitIn(e2e, ws, ["rev-parse", "HEAD"])).toBe(await gitIn(e2e, repo.dir, ["rev-parse", "HEAD"]));
    }
    expect(readdirSync(join(repo.dir, ".amux/state/land"))).toEqual([]);
    expect((await gitIn(e2e, repo.dir, ["worktree", "list", "--porcelain"])).match(/^worktree /gm)).toHaveLength(2);
  });

  test("ff-only fast-forwards, and refuses a diverged main; --remove then removes the workspace and its merged branch", async ({ e2e }) => {
    const { repo, ws } = await withWorkspace(e2e);
    const tip = await commit(e2e, ws, { "a.txt": "a\n" }, "agent adds a");
    // A scratch worktree left by a merge that was killed (its process is gone) is swept.
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(repo.dir, ".amux/state/land"), { recursive: true });
    await gitIn(e2e, repo.dir, ["worktree", "add", "--detach", "-q", ".amux/state/land/merge-999999999-0badc0de", "HEAD"]);
    await gitIn(e2e, repo.dir, ["worktree", "add", "--detach", "-q", ".amux/state/land/merge-999999998-0badc0de", "HEAD"]);
    repo.rm(".amux/state/land/merge-999999998-0badc0de");
    // The user's own worktree whose folder is away stays registered: amux prunes nothing else.
    await repo.amuxOk(["ws", "create", "away"]);
    const { renameSync } = await import("node:fs");
    renameSync(wsDir(repo, "away"), join(e2e.tmp, "away-moved"));
    const r = await repo.amuxOk(["merge", "feat", "--ff-only", "--remove"]);
    expect(readdirSync(join(repo.dir, ".amux/state/land"))).toEqual([]);
    const wl = await gitIn(e2e, repo.dir, ["worktree", "list", "--porcelain"]);
    expect(wl).not.toContain("merge-99999999");
    expect(wl).toContain(wsDir(repo, "away"));
    renameSync(join(e2e.tmp, "away-moved"), wsDir(repo, "away"));
    await repo.amuxOk(["ws", "rm", "away"]);
    expect(r.stdout).toContain("fast-forward main to amux/feat");
    expect(r.stdout).toContain("removed workspace feat");
    expect(await gitIn(e2e, repo.dir, ["rev-parse", "HEAD"])).toBe(tip);
    expect(existsSync(ws)).toBe(false);
    expect((await repo.git(["rev-parse", "--verify", "--quiet", "refs/heads/amux/feat"])).code).not.toBe(0);

    await repo.amuxOk(["ws", "create", "two"]);
    await commit(e2e, wsDir(repo, "two"), { "b.txt": "b\n" }, "agent adds b");
    await commit(e2e, repo.dir, { "c.txt": "c\n" }, "main adds c");
    const snap = fingerprint([repo.dir, wsDir(repo, "two")]);
    const refused = await repo.amux(["merge", "two", "--ff-only"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("amux/two cannot fast-forward main: main has 1 commit amux/two lacks; nothing was changed");
    expect(fingerprint([repo.dir, wsDir(repo, "two")])).toBe(snap);
  });

  test("refuses, changing nothing: a dirty main checkout, uncommitted or untracked work in the workspace, conflicts (merge, squash, rebase)", async ({
    e2e,
  }) => {
    const { repo, ws } = await withWorkspace(e2e);
    await commit(e2e, ws, { "lib.txt": "one\nAGENT\nthree\n" }, "agent edits lib");
    await commit(e2e, repo.dir, { "lib.txt": "one\nMAIN\nthree\n" }, "main edits lib");
    const both = [repo.dir, ws];
    const refuse = async (args: string[], says: string[], code = 1) => {
      const snap = fingerprint(both);
      const r = await repo.amux(["merge", "feat", ...args]);
      expect(r.code, r.output).toBe(code);
      for (const s of says) expect(r.stderr).toContain(s);
      expect(fingerprint(both), `amux merge ${args.join(" ")} changed a checkout`).toBe(snap);
      expect(readdirSync(join(repo.dir, ".amux/state/land"), { withFileTypes: true }).length).toBe(0);
      expect((await gitIn(e2e, repo.dir, ["worktree", "list", "--porcelain"])).match(/^worktree /gm)).toHaveLength(2);
    };
    for (const flags of [[], ["--squash"], ["--rebase"], ["--dry-run"]]) {
      await refuse(flags, ["conflict (lib.txt)", "nothing was changed"]);
    }
    repo.write("README.md", "dirty\n");
    await refuse([], ["the main checkout has uncommitted changes (README.md)"]);
    await gitIn(e2e, repo.dir, ["checkout", "--", "README.md"]);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(ws, "notes.txt"), "untracked\n");
    writeFileSync(join(ws, "old.txt"), "changed\n");
    await refuse([], ["workspace feat has 1 uncommitted change and 1 untracked file", "--commit -m MESSAGE"]);
    // --commit commits them, and the conflict still refuses the merge itself.
    const r = await repo.amux(["merge", "feat", "--commit", "-m", "agent wip"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("conflict (lib.txt)");
    expect(await gitIn(e2e, ws, ["log", "-1", "--format=%s"])).toBe("agent wip");
    expect(await gitIn(e2e, ws, ["status", "--porcelain"])).toBe("");
    // A merge stopped half-way in the main checkout.
    await commit(e2e, ws, { "x.txt": "x\n" }, "more");
    await repo.git(["merge", "amux/feat"]);
    expect(existsSync(join(repo.dir, ".git/MERGE_HEAD"))).toBe(true);
    await refuse([], ["a merge is in progress in the main checkout"]);
    await gitIn(e2e, repo.dir, ["merge", "--abort"]);
    // A rebase stopped half-way in the workspace.
    expect((await e2e.run("git", ["-C", ws, "rebase", "main"])).code).not.toBe(0);
    await refuse(["--commit", "-m", "x"], ["a rebase is in progress in workspace feat"]);
  });

  test("an invalid compose file does not stop landing work: it merges, says the hooks did not run", async ({ e2e }) => {
    const { repo, ws } = await withWorkspace(e2e, "feat", { "amux.compose.yaml": "name: land\nservices:\n  x:\n    agent: waits-at-prompt\n" });
    const tip = await commit(e2e, ws, { "a.txt": "a\n" }, "agent adds a");
    repo.write("amux.compose.yaml", "name: land\nservices:\n  x:\n    agent: waits-at-prompt\n    replicas: many\n");
    await gitIn(e2e, repo.dir, ["commit", "-qam", "break the compose file"]);
    const r = await repo.amuxOk(["merge", "feat"]);
    expect(r.stderr).toContain("the configuration is invalid, so no hooks run");
    expect(r.stderr).toContain("services.x.replicas");
    expect(await gitIn(e2e, repo.dir, ["merge-base", "--is-ancestor", tip, "HEAD"])).toBe("");
  });

  test("interrupted while testing the merge (SIGTERM): the scratch worktree is removed and nothing changed", async ({ e2e, procs }) => {
    const { repo, ws } = await withWorkspace(e2e, "feat", { ".gitattributes": "slow.txt filter=slow\n", "slow.txt": "slow\n" });
    await commit(e2e, ws, { "lib.txt": "one\nTWO\nthree\n" }, "agent edits lib");
    await commit(e2e, repo.dir, { "README.md": "# moved\n" }, "main moves");
    // Checking out slow.txt takes seconds: the scratch worktree exists while amux waits on it.
    await gitIn(e2e, repo.dir, ["config", "filter.slow.smudge", "sleep 3; cat"]);
    const snap = fingerprint([repo.dir, ws]);
    const merge = procs.start(["merge", "feat"], repo.dir);
    const land = join(repo.dir, ".amux/state/land");
    await waitFor(() => existsSync(land) && readdirSync(land).length > 0, 15_000, "the scratch worktree to appear", 50);
    process.kill(merge.pid, "SIGTERM");
    const exit = await merge.exited;
    expect(exit.code, merge.output).toBe(143);
    expect(merge.stderr).toContain("interrupted");
    expect(readdirSync(land)).toEqual([]);
    expect((await gitIn(e2e, repo.dir, ["worktree", "list", "--porcelain"])).match(/^worktree /gm)).toHaveLength(2);
    expect(fingerprint([repo.dir, ws])).toBe(snap);
  });

  test("--commit -m lands uncommitted work (never amux's copied .env); --into a branch checked out nowhere moves only its ref; bad names never reach git", async ({
    e2e,
  }) => {
    const repo = await e2e.newRepo("land", { "amux.compose.yaml": "name: land\nworkspaces:\n  copy: [.env]\n" });
    // An untracked, unignored .env in the main checkout that amux copies into each workspace.
    repo.write(".env", `TOKEN=${e2e.secret}\n`);
    await repo.amuxOk(["ws", "create", "feat"]);
    const ws = wsDir(repo, "feat");
    expect(readFileSync(join(ws, ".env"), "utf8")).toContain(e2e.secret);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(ws, "work.txt"), "work\n");
    const d = JSON.parse((await repo.amuxOk(["diff", "feat", "--json"])).stdout) as DiffJson;
    expect(d.files.map((f) => `${f.kind} ${f.path}`)).toEqual(["untracked work.txt"]);
    expect((await repo.amuxOk(["diff", "feat"])).output).not.toContain(e2e.secret);
    await gitIn(e2e, repo.dir, ["branch", "release"]);
    const main = await gitIn(e2e, repo.dir, ["rev-parse", "HEAD"]);
    const r = await repo.amuxOk(["merge", "feat", "--commit", "-m", "agent work", "--into", "release", "--json"]);
    const j = JSON.parse(r.stdout) as { into: string; checkout: boolean; after: string; committed: string };
    expect(j).toMatchObject({ into: "release", checkout: false });
    expect(await gitIn(e2e, repo.dir, ["rev-parse", "release"])).toBe(j.after);
    expect(await gitIn(e2e, repo.dir, ["log", "-1", "--format=%s", "release"])).toBe("agent work");
    expect(await gitIn(e2e, repo.dir, ["rev-parse", "HEAD"])).toBe(main);
    expect(existsSync(join(repo.dir, "work.txt"))).toBe(false);
    expect((await gitIn(e2e, repo.dir, ["ls-tree", "-r", "--name-only", "release"])).split("\n")).not.toContain(".env");
    expect(await gitIn(e2e, ws, ["status", "--porcelain"])).toBe("?? .env");

    const other = await repo.amux(["merge", "feat", "--into", "amux/feat"]);
    expect(other.code).toBe(2);
    for (const bad of ["--upload-pack=touch x", "-x", "a..b", "@{-1}"]) {
      const b = await repo.amux(["merge", "feat", `--into=${bad}`]);
      expect(b.code, b.output).toBe(2);
      expect(b.stderr).toContain(`invalid branch ${JSON.stringify(bad)}`);
    }
    expect(existsSync(join(repo.dir, "x"))).toBe(false);
    const two = await repo.amux(["merge", "feat", "--squash", "--rebase"]);
    expect(two.code).toBe(2);
    const noMsg = await repo.amux(["merge", "feat", "--commit"]);
    expect(noMsg.code).toBe(2);
  });

  test("merged and pushed events reach the event log and amux events, and run hooks with AMUX_WORKSPACE, AMUX_BRANCH, AMUX_REMOTE", async ({ e2e, procs }) => {
    const log = join(e2e.tmp, "hooks.log");
    const hook = `printf '%s %s %s %s\\n' "$AMUX_EVENT" "$AMUX_WORKSPACE" "$AMUX_BRANCH" "$AMUX_REMOTE" >> ${q(log)}`;
    const { repo, ws } = await withWorkspace(e2e, "feat", {
      "amux.compose.yaml": `name: land\nhooks:\n  - on: [workspace.merged, workspace.pushed]\n    run: ${q(hook)}\n`,
    });
    await gitIn(e2e, e2e.tmp, ["init", "-q", "--bare", "remote.git"]);
    await gitIn(e2e, repo.dir, ["remote", "add", "origin", join(e2e.tmp, "remote.git")]);
    await commit(e2e, ws, { "a.txt": "a\n" }, "agent adds a");
    // No watcher runs: amux events still shows what merge and push append.
    const stream = procs.start(["events", "--json"], repo.dir);
    await stream.waitUntil((p) => p.stderr.includes("no `amux watch` runs"), 15_000, "amux events to start");
    await repo.amuxOk(["merge", "feat"]);
    await repo.amuxOk(["push", "feat"]);
    await stream.waitUntil((p) => p.json().filter((e) => e.type === "workspace").length === 2, 15_000, "both workspace events in amux events");
    expect(
      stream
        .json()
        .filter((e) => e.type === "workspace")
        .map((e) => `${e.action} ${e.workspace}`),
    ).toEqual(["merged feat", "pushed feat"]);
    expect(readFileSync(log, "utf8")).toBe("workspace.merged feat amux/feat \nworkspace.pushed feat amux/feat origin\n");
    const events = readFileSync(join(repo.dir, ".amux/state/events.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.type === "workspace");
    expect(events).toEqual([
      expect.objectContaining({ type: "workspace", action: "merged", workspace: "feat", branch: "amux/feat", into: "main", project: "land" }),
      expect.objectContaining({ type: "workspace", action: "pushed", workspace: "feat", branch: "amux/feat", remote: "origin", project: "land" }),
    ]);
  });
});

describe("amux push", () => {
  test("pushes with upstream set to a bare remote; refuses non-fast-forward unless --force-with-lease (after a fetch)", async ({ e2e }) => {
    const { repo, ws } = await withWorkspace(e2e);
    const noRemote = await repo.amux(["push", "feat"]);
    expect(noRemote.code).toBe(2);
    expect(noRemote.stderr).toContain("no remote to push to");
    const bare = join(e2e.tmp, "remote.git");
    await gitIn(e2e, e2e.tmp, ["init", "-q", "--bare", "remote.git"]);
    await gitIn(e2e, repo.dir, ["remote", "add", "origin", bare]);
    const mine = await commit(e2e, ws, { "a.txt": "a\n" }, "agent adds a");
    const r = await repo.amuxOk(["push", "feat"]);
    expect(r.stdout).toContain("pushed amux/feat to origin; upstream origin/amux/feat");
    expect(await gitIn(e2e, bare, ["rev-parse", "refs/heads/amux/feat"])).toBe(mine);
    expect(await gitIn(e2e, ws, ["rev-parse", "--abbrev-ref", "@{upstream}"])).toBe("origin/amux/feat");

    // Someone else pushes to the branch; our next commit does not descend from theirs.
    const clone = join(e2e.tmp, "clone");
    await gitIn(e2e, e2e.tmp, ["clone", "-q", "--branch", "amux/feat", bare, "clone"]);
    const theirs = await commit(e2e, clone, { "theirs.txt": "t\n" }, "someone else");
    await gitIn(e2e, clone, ["push", "-q", "origin", "amux/feat"]);
    await commit(e2e, ws, { "b.txt": "b\n" }, "agent adds b");
    const rejected = await repo.amux(["push", "feat"]);
    expect(rejected.code).toBe(1);
    expect(rejected.stderr).toContain("origin rejected amux/feat");
    expect(rejected.stderr).toContain("--force-with-lease");
    expect(await gitIn(e2e, bare, ["rev-parse", "refs/heads/amux/feat"])).toBe(theirs);
    // The lease is what we last saw of the remote: stale until we fetch.
    const stale = await repo.amux(["push", "feat", "--force-with-lease"]);
    expect(stale.code).toBe(1);
    expect(await gitIn(e2e, bare, ["rev-parse", "refs/heads/amux/feat"])).toBe(theirs);
    await gitIn(e2e, repo.dir, ["fetch", "-q", "origin"]);
    const forced = await repo.amuxOk(["push", "feat", "--force-with-lease"]);
    expect(forced.stdout).toContain("(force-with-lease)");
    expect(await gitIn(e2e, bare, ["rev-parse", "refs/heads/amux/feat"])).toBe(await gitIn(e2e, ws, ["rev-parse", "HEAD"]));

    for (const bad of ["--exec=touch pwned", "nope"]) {
      const b = await repo.amux(["push", "feat", `--remote=${bad}`]);
      expect(b.code).toBe(2);
      expect(b.stderr).toContain("no remote");
    }
    expect(existsSync(join(repo.dir, "pwned"))).toBe(false);
  });
});

describe("over MCP", () => {
  async function connect(e2e: E2E, procs: Procs, repo: Repo): Promise<Client> {
    return (await connectMcp(e2e, procs, repo.dir)).client;
  }
  type Result = Awaited<ReturnType<Client["callTool"]>>;
  const text = (r: Result) =>
    ((r.content ?? []) as { type: string; text?: string }[])
      .filter((c) => c.type === "text")
      .map((c) => c.text ?? "")
      .join("\n");

  test("workspace_list, workspace_diff and workspace_merge (dryRun, refusal, merge with remove); unknown keys refused", async ({ e2e, procs }) => {
    const { repo, ws } = await withWorkspace(e2e);
    await commit(e2e, ws, { "a.txt": "a\n" }, "agent adds a");
    const c = await connect(e2e, procs, repo);
    const call = async (name: string, args: Record<string, unknown>) => (await c.callTool({ name, arguments: args })) as Result;

    const list = await call("workspace_list", {});
    expect(list.isError).toBeFalsy();
    expect((list.structuredContent as { workspaces: Record<string, unknown>[] }).workspaces[0]).toMatchObject({ name: "feat", ahead: 1, behind: 0 });

    const d = await call("workspace_diff", { workspace: "feat" });
    expect(d.isError, text(d)).toBeFalsy();
    const cli = JSON.parse((await repo.amuxOk(["diff", "feat", "--json"])).stdout) as DiffJson;
    expect(d.structuredContent).toEqual(cli);

    const unknown = await c.callTool({ name: "workspace_merge", arguments: { workspace: "feat", force: true } }).catch((e: Error) => e);
    expect(unknown instanceof Error ? unknown.message : text(unknown as Result)).toContain(`Unrecognized key: "force"`);

    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(ws, "loose.txt"), "x\n");
    const snap = fingerprint([repo.dir, ws]);
    const refused = await call("workspace_merge", { workspace: "feat" });
    expect(refused.isError).toBe(true);
    expect(text(refused)).toContain("workspace feat has 1 untracked file");
    expect(fingerprint([repo.dir, ws])).toBe(snap);
    // A conflict comes back with the files, for the reviewer to act on.
    await commit(e2e, repo.dir, { "a.txt": "main's a\n" }, "main adds a too");
    const snap2 = fingerprint([repo.dir, ws]);
    const conflict = await call("workspace_merge", { workspace: "feat", strategy: "rebase", dryRun: true, commitMessage: "loose" });
    expect(conflict.isError).toBe(true);
    expect(conflict.structuredContent).toMatchObject({ refused: true, conflicts: ["a.txt"] });
    expect(fingerprint([repo.dir, ws])).toBe(snap2);
    await gitIn(e2e, repo.dir, ["reset", "-q", "--hard", "HEAD~1"]);
    const snap3 = fingerprint([repo.dir, ws]);

    const dry = await call("workspace_merge", { workspace: "feat", dryRun: true, commitMessage: "loose" });
    expect(dry.isError, text(dry)).toBeFalsy();
    expect(dry.structuredContent).toMatchObject({ dryRun: true, fastForward: true, wouldCommit: 1, after: null });
    expect(fingerprint([repo.dir, ws])).toBe(snap3);

    const done = await call("workspace_merge", { workspace: "feat", commitMessage: "loose", remove: true, strategy: "squash" });
    expect(done.isError, text(done)).toBeFalsy();
    expect(done.structuredContent).toMatchObject({ strategy: "squash", removed: false });
    // A squash copies the commits into one new one: the branch's own commits are on no other branch, so it stays.
    expect(text(done)).toContain("kept workspace feat");
    expect(repo.read("loose.txt")).toBe("x\n");
    await waitFor(() => existsSync(ws), 1000, "the workspace to be kept");
  });
});
