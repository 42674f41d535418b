import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostUnreachableError, UsageError } from "../../src/errors.js";
import type { Reporter } from "../../src/io.js";
import { type SshHost, sshRun } from "../../src/ssh/transport.js";
import { logFile } from "../../src/state/paths.js";
import { ensureRemoteRuntimeDirs, followRemoteLogs, readRemoteLog, readRemoteLogs } from "../../src/state/remote-logs.js";
import { acquireLease, LeaseHeldError, LeaseLostError, newLeaseOwner, readLease, releaseLease, renewLease } from "../../src/tmux/lease.js";
import { createSessions } from "../../src/tmux/ops.js";
import { remoteTmux } from "../../src/tmux/remote.js";
import { tmuxOn } from "../../src/tmux/runner.js";
import { WorkspaceError } from "../../src/workspace/ensure.js";
import {
  ensureRemoteWorkspace,
  inspectRemoteWorkspace,
  listRemoteWorkspaceNames,
  type RemoteWorkspaceHost,
  removeRemoteWorkspace,
} from "../../src/workspace/remote.js";
import { gitOnHost } from "../../src/workspace/remote-git.js";
import { type SshLab, sshLabSkipReason, startSshLab } from "./ssh-harness.js";

/**
 * The remote effects the hosts wiring calls (workspaces, logs, the lease) against a real OpenSSH
 * server on loopback, two local users standing in for two hosts (ssh-harness.ts). Nothing mocked.
 */

const skip = sshLabSkipReason();
if (skip) console.warn(`ssh effects tests skipped: ${skip}`);

function collect(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (l) => lines.push(l), warn: (l) => lines.push(`WARN ${l}`) };
}

const ID = ["-c", "user.name=Lab", "-c", "user.email=lab@example.test"];

describe.skipIf(!!skip)("remote effects (real sshd on loopback)", () => {
  let lab: SshLab;
  const settings = () => ({ env: lab.env });
  const canary = () => join(lab.canaryDir, "pwned");

  beforeAll(async () => {
    lab = await startSshLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.teardown();
  }, 60_000);

  /** A fresh checkout on a host, owned by its user, with one commit on main. */
  async function checkout(host: SshHost & { user: string }, label: string): Promise<string> {
    const base = join(lab.dir, `ws-${label}-${host.user}`);
    mkdirSync(base);
    execFileSync("chown", [host.user, base]);
    const repo = join(base, "proj");
    await gitOnHost(host, base, ["-c", "init.defaultBranch=main", "init", "-q", repo], { settings: settings() });
    await gitOnHost(host, repo, [...ID, "commit", "-q", "--allow-empty", "-m", "init"], { settings: settings() });
    return repo;
  }
  const sh = async (host: SshHost, script: string, ...args: string[]) => {
    const r = await sshRun(host, ["sh", "-c", script, "sh", ...args], settings());
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  const wsHost = (host: SshHost, root: string, ws: Partial<RemoteWorkspaceHost["workspaces"]> = {}): RemoteWorkspaceHost => ({
    host,
    root,
    workspaces: { copy: [], symlink: [], ...ws },
    ssh: settings(),
  });

  describe("workspaces", () => {
    it("creates a worktree of the host's checkout beside it, reuses it, and runs setup there once", async () => {
      const host = lab.hosts[0];
      const repo = await checkout(host, "create");
      const h = wsHost(host, repo, { setup: "printf x >>../setup-count; echo setting up", copy: [".env"] });
      const rep = collect();
      const dir = await ensureRemoteWorkspace(h, "auth", rep);
      expect(dir).toBe(join(repo, "..", "proj.worktrees", "auth"));
      expect((await gitOnHost(host, dir, ["rev-parse", "--abbrev-ref", "HEAD"], { settings: settings() })).stdout).toBe("amux/auth");
      expect((await sshRun(host, ["stat", "-c", "%U", dir], settings())).stdout).toBe(`${host.user}\n`);
      expect(rep.lines.join("\n")).toMatch(/worktree .*auth on branch amux\/auth \(from main\)/);
      expect(rep.lines).toContain("  auth | setting up");
      expect(rep.lines.some((l) => l.startsWith("WARN") && /workspaces\.copy/.test(l))).toBe(true);
      const again = collect();
      expect(await ensureRemoteWorkspace(h, "auth", again)).toBe(dir);
      expect(again.lines).toEqual([]);
      expect(await sh(host, 'cat "$1"', join(repo, "..", "proj.worktrees", "setup-count"))).toBe("x");

      // A given branch and base; an existing branch is checked out as it is.
      await gitOnHost(host, repo, ["branch", "feature/x"], { settings: settings() });
      const fx = await ensureRemoteWorkspace(h, "fx", collect(), { branch: "feature/x" });
      expect((await gitOnHost(host, fx, ["rev-parse", "--abbrev-ref", "HEAD"], { settings: settings() })).stdout).toBe("feature/x");
      await expect(ensureRemoteWorkspace(h, "nobase", collect(), { base: "no-such-ref" })).rejects.toThrow(UsageError);
      expect(await inspectRemoteWorkspace(h, "nobase")).toBeNull();
    });

    it("a setup that fails is an error and runs again next time", async () => {
      const host = lab.hosts[0];
      const repo = await checkout(host, "setup");
      const h = wsHost(host, repo, { setup: "printf y >>../tries; exit 4" });
      await expect(ensureRemoteWorkspace(h, "s", collect())).rejects.toThrow(/setup command failed with exit 4/);
      await expect(ensureRemoteWorkspace(h, "s", collect())).rejects.toThrow(WorkspaceError);
      expect(await sh(host, 'cat "$1"', join(repo, "..", "proj.worktrees", "tries"))).toBe("yy");
    });

    it("refuses hostile names, branches and bases before anything reaches the host", async () => {
      // A host that cannot be reached: reaching it would be HostUnreachableError, not a usage error.
      const h = wsHost(lab.broken.closed, "/srv/x");
      const hostile = ["../up", "-rf", `a;touch ${canary()}`, "$(id)", "a b", "", ".hidden", "a/b"];
      for (const name of hostile) {
        await expect(ensureRemoteWorkspace(h, name, collect())).rejects.toThrow(UsageError);
        await expect(inspectRemoteWorkspace(h, name)).rejects.toThrow(UsageError);
        await expect(removeRemoteWorkspace(h, name, {}, collect())).rejects.toThrow(UsageError);
      }
      for (const branch of ["--upload-pack=x", "-b", "a..b", "HEAD", `x$(touch ${canary()})`]) {
        await expect(ensureRemoteWorkspace(h, "ok", collect(), { branch })).rejects.toThrow(UsageError);
      }
      for (const base of ["-x", "--orphan", "a b", `$(touch ${canary()})`]) {
        await expect(ensureRemoteWorkspace(h, "ok", collect(), { base })).rejects.toThrow(UsageError);
      }
      await expect(ensureRemoteWorkspace(wsHost(lab.broken.closed, "relative/root"), "ok", collect())).rejects.toThrow(UsageError);
      // The same valid call does go to the host, and says it cannot reach it.
      await expect(ensureRemoteWorkspace(h, "ok", collect())).rejects.toThrow(HostUnreachableError);
      expect(existsSync(canary())).toBe(false);
    });

    it("values reach git and the shell there literally (a root with quotes, spaces and $())", async () => {
      const host = lab.hosts[1];
      const base = join(lab.dir, `odd-${host.user}`, `it's $(touch ${canary()}) "x"`);
      mkdirSync(base, { recursive: true });
      execFileSync("chown", ["-R", host.user, join(lab.dir, `odd-${host.user}`)]);
      const repo = join(base, "proj");
      await gitOnHost(host, base, ["-c", "init.defaultBranch=main", "init", "-q", repo], { settings: settings() });
      await gitOnHost(host, repo, [...ID, "commit", "-q", "--allow-empty", "-m", "init"], { settings: settings() });
      const h = wsHost(host, repo);
      const dir = await ensureRemoteWorkspace(h, "odd", collect());
      expect(dir).toBe(join(base, "proj.worktrees", "odd"));
      expect(await inspectRemoteWorkspace(h, "odd")).toMatchObject({ kind: "worktree", branch: "amux/odd", uncommitted: 0, untracked: 0 });
      expect((await removeRemoteWorkspace(h, "odd", {}, collect())).removed).toBe(true);
      expect(existsSync(canary())).toBe(false);
    });

    it("never uses or removes a folder that is not amux's worktree", async () => {
      const host = lab.hosts[0];
      const repo = await checkout(host, "foreign");
      const h = wsHost(host, repo);
      const wt = join(repo, "..", "proj.worktrees");
      await sh(
        host,
        'mkdir -p "$1/plain" "$1/other" && echo keep >"$1/plain/notes.txt" && ln -s "$1/plain" "$1/link" && echo f >"$1/file" && git init -q "$1/clone"',
        wt,
      );
      await gitOnHost(host, repo, ["worktree", "add", "-q", "-b", "feature", join(wt, "theirs")], { settings: settings() });
      const cases: [string, RegExp][] = [
        ["plain", /a plain folder/],
        ["link", /a symbolic link/],
        ["file", /a file/],
        ["clone", /a git repository/],
      ];
      for (const [name, why] of cases) {
        await expect(ensureRemoteWorkspace(h, name, collect())).rejects.toThrow(why);
        const info = await inspectRemoteWorkspace(h, name);
        expect(info?.kind).toBe("foreign");
        const rep = collect();
        const r = await removeRemoteWorkspace(h, name, { force: true }, rep);
        expect(r.removed).toBe(false);
        expect(r.reasons.join()).toMatch(/not amux's/);
      }
      expect((await inspectRemoteWorkspace(h, "theirs"))?.foreign).toMatch(/on branch feature that amux did not create/);
      expect((await removeRemoteWorkspace(h, "theirs", { force: true }, collect())).removed).toBe(false);
      // The project itself under a workspaces root that points at it.
      const self = wsHost(host, repo, { root: ".." });
      expect((await inspectRemoteWorkspace(self, "proj"))?.foreign).toMatch(/the project itself/);
      expect(
        await sh(host, 'cat "$1/plain/notes.txt"; [ -L "$1/link" ] && [ -f "$1/file" ] && [ -d "$1/clone/.git" ] && [ -d "$1/theirs" ] && echo all-there', wt),
      ).toBe("keep\nall-there\n");
    });

    it("keeps a workspace with unsaved work (dirty, unpushed, locked, in use) and removes a clean one with its branch", async () => {
      const host = lab.hosts[1];
      const repo = await checkout(host, "keep");
      const h = wsHost(host, repo);
      const g = (cwd: string, args: string[]) => gitOnHost(host, cwd, args, { settings: settings(), allowFail: true });

      const dirty = await ensureRemoteWorkspace(h, "dirty", collect());
      await sh(host, 'echo new >"$1/new.txt"', dirty);
      let r = await removeRemoteWorkspace(h, "dirty", {}, collect());
      expect(r).toMatchObject({ removed: false, reasons: ["1 untracked file"] });
      await g(dirty, ["add", "new.txt"]);
      r = await removeRemoteWorkspace(h, "dirty", {}, collect());
      expect(r.reasons).toEqual(["1 uncommitted change"]);
      await g(dirty, [...ID, "commit", "-q", "-m", "work"]);
      r = await removeRemoteWorkspace(h, "dirty", {}, collect());
      expect(r.reasons).toEqual(["1 commit on no other branch, tag or remote"]);
      expect(await sh(host, 'cat "$1/new.txt"', dirty)).toBe("new\n");
      // --force discards the folder, but the branch holding the commit stays.
      const rep = collect();
      r = await removeRemoteWorkspace(h, "dirty", { force: true }, rep);
      expect(r.removed).toBe(true);
      expect(rep.lines.join("\n")).toMatch(/kept branch amux\/dirty: 1 commit\(s\) on no other branch/);
      expect((await g(repo, ["rev-parse", "--verify", "-q", "refs/heads/amux/dirty"])).code).toBe(0);
      expect(await sh(host, '[ -e "$1" ] && echo there || echo gone', dirty)).toBe("gone\n");

      const locked = await ensureRemoteWorkspace(h, "locked", collect());
      await g(repo, ["worktree", "lock", "--reason", "on a trip", locked]);
      r = await removeRemoteWorkspace(h, "locked", { force: true }, collect());
      expect(r.reasons).toEqual(["locked (on a trip): git worktree unlock it first"]);

      await ensureRemoteWorkspace(h, "used", collect());
      r = await removeRemoteWorkspace(h, "used", { force: true, sessions: ["proj-a-1"] }, collect());
      expect(r.reasons).toEqual(["in use by proj-a-1"]);

      const detached = await ensureRemoteWorkspace(h, "det", collect());
      await g(detached, ["checkout", "-q", "--detach"]);
      await g(detached, [...ID, "commit", "-q", "--allow-empty", "-m", "loose"]);
      r = await removeRemoteWorkspace(h, "det", { force: true }, collect());
      expect(r.reasons.join()).toMatch(/1 commit on a detached HEAD that no branch holds/);

      // A worktree whose folder someone deleted: only git's list still names it.
      const gone = await ensureRemoteWorkspace(h, "gone", collect());
      await sh(host, 'rm -rf "$1"', gone);
      expect(await inspectRemoteWorkspace(h, "gone")).toMatchObject({ kind: "missing", worktree: true });
      expect(await listRemoteWorkspaceNames(h)).toContain("gone");
      const pr = collect();
      expect((await removeRemoteWorkspace(h, "gone", {}, pr)).removed).toBe(true);
      expect(pr.lines.join("\n")).toMatch(/pruned workspace gone on host h2/);
      expect((await g(repo, ["worktree", "list", "--porcelain"])).stdout).not.toContain("/gone");

      expect(await listRemoteWorkspaceNames(h)).toEqual(["det", "locked", "used"]);
      await sh(host, 'mkdir "$1/../.odd name"', locked);
      expect(await listRemoteWorkspaceNames(h)).toEqual([".odd name", "det", "locked", "used"]);
      const clean = await ensureRemoteWorkspace(h, "clean", collect());
      expect(await inspectRemoteWorkspace(h, "clean")).toMatchObject({ kind: "worktree", worktree: true, unpushed: 0, unchecked: null });
      r = await removeRemoteWorkspace(h, "clean", {}, collect());
      expect(r).toMatchObject({ removed: true, reasons: [] });
      expect(await sh(host, '[ -e "$1" ] && echo there || echo gone', clean)).toBe("gone\n");
      expect((await g(repo, ["rev-parse", "--verify", "-q", "refs/heads/amux/clean"])).code).toBe(1);
      expect(await removeRemoteWorkspace(h, "clean", {}, collect())).toMatchObject({ absent: true, removed: false });
    });
  });

  /**
   * Settings whose ssh is the real one behind a wrapper that counts its runs: how many round
   * trips an operation costs (each run of ssh is one).
   */
  function counted(): { settings: { env: NodeJS.ProcessEnv }; calls: () => number } {
    const dir = join(lab.dir, `count-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir);
    const real = execFileSync("sh", ["-c", "command -v ssh"], { encoding: "utf8" }).trim();
    writeFileSync(join(dir, "ssh"), `#!/bin/sh\necho x >>${join(dir, "runs")}\nexec ${real} "$@"\n`);
    chmodSync(join(dir, "ssh"), 0o755);
    writeFileSync(join(dir, "runs"), "");
    return {
      settings: { env: { ...lab.env, PATH: `${dir}:${lab.env.PATH}` } },
      calls: () => readFileSync(join(dir, "runs"), "utf8").split("\n").filter(Boolean).length,
    };
  }

  it("each operation is one ssh round trip (removal: two, inspect then remove)", async () => {
    const host = lab.hosts[0];
    const repo = await checkout(host, "trips");
    const c = counted();
    const h: RemoteWorkspaceHost = { ...wsHost(host, repo, { setup: "true" }), ssh: c.settings };
    let before = c.calls();
    await ensureRemoteWorkspace(h, "t", collect());
    expect(c.calls() - before).toBe(1);
    before = c.calls();
    await ensureRemoteWorkspace(h, "t", collect());
    expect(c.calls() - before).toBe(1);
    before = c.calls();
    await inspectRemoteWorkspace(h, "t");
    expect(c.calls() - before).toBe(1);
    before = c.calls();
    expect((await removeRemoteWorkspace(h, "t", {}, collect())).removed).toBe(true);
    expect(c.calls() - before).toBe(2);
    before = c.calls();
    await ensureRemoteRuntimeDirs(host, repo, c.settings);
    expect(c.calls() - before).toBe(1);
    before = c.calls();
    await readRemoteLogs(host, repo, ["a", "b", "c", "d"], 10, false, c.settings);
    expect(c.calls() - before).toBe(1);
  });

  describe("logs", () => {
    it("makes the runtime folders 0700 and reads the last lines of several logs in one call", async () => {
      const host = lab.hosts[1];
      const root = await checkout(host, "logs");
      await ensureRemoteRuntimeDirs(host, root, settings());
      expect(await sh(host, 'stat -c "%a %U" "$1/.amux" "$1/.amux/logs" "$1/.amux/state/sessions"; cat "$1/.amux/.gitignore"', root)).toMatch(
        new RegExp(`^700 ${host.user}\\n700 ${host.user}\\n700 ${host.user}\\n# written by amux`),
      );
      await ensureRemoteRuntimeDirs(host, root, settings());
      await sh(host, 'printf "one\\ntwo\\r\\033[Kdone\\nthré é\\n" >"$1"; printf "partial" >"$2"', logFile(root, "s-a-1"), logFile(root, "s-b-1"));
      expect(await readRemoteLog(host, root, "s-a-1", undefined, false, settings())).toEqual(["one", "done", "thré é"]);
      expect(await readRemoteLog(host, root, "s-a-1", 2, true, settings())).toEqual(["two\r\x1b[Kdone", "thré é"]);
      const many = await readRemoteLogs(host, root, ["s-a-1", "s-b-1", "no-log"], 1, false, settings());
      expect(Object.fromEntries(many)).toEqual({ "s-a-1": ["thré é"], "s-b-1": ["partial"], "no-log": [] });
      for (const bad of ["../../etc/passwd", ".hidden", "a/b", ""]) {
        await expect(readRemoteLogs(host, root, [bad], 1, false, settings())).rejects.toThrow(/invalid session name/);
      }
      // A symbolic link where the logs folder belongs is refused, not written through.
      const other = await checkout(host, "logs-link");
      await sh(host, 'mkdir "$1/.amux" && ln -s /tmp "$1/.amux/logs"', other);
      await expect(ensureRemoteRuntimeDirs(host, other, settings())).rejects.toThrow(/is not a folder/);
    });

    it("follows logs on a host: new text, rotation, new sessions, and the end of a session", async () => {
      const host = lab.hosts[0];
      const root = await checkout(host, "follow");
      await ensureRemoteRuntimeDirs(host, root, settings());
      const a = logFile(root, "f-a-1");
      const b = logFile(root, "f-b-1");
      await sh(host, 'printf "old\\n" >"$1"', a);
      const got: string[] = [];
      const ctl = new AbortController();
      let live = new Map([["f-a-1", { dead: false, exitCode: null as number | null }]]);
      const ends: string[] = [];
      let sessions = ["f-a-1"];
      const done = followRemoteLogs(
        host,
        root,
        async () => sessions,
        ["f-a-1"],
        (l) => got.push(`${l.session}: ${l.text}`),
        ctl.signal,
        false,
        async () => live,
        (s, code) => ends.push(`${s} ${code}`),
        settings(),
      );
      const waitFor = async (what: () => boolean) => {
        const end = Date.now() + 10_000;
        while (Date.now() < end && !what()) await new Promise((r) => setTimeout(r, 50));
        expect(what()).toBe(true);
      };
      await new Promise((r) => setTimeout(r, 600));
      await sh(host, 'printf "new é\\nhalf" >>"$1"', a);
      await waitFor(() => got.includes("f-a-1: new é"));
      expect(got).not.toContain("f-a-1: old");
      // Rotated as the writer does it: the rest of the old file, then the new one.
      await sh(host, 'printf " done\\n" >>"$1"; mv "$1" "$1.1"; printf "after\\n" >"$1"', a);
      await waitFor(() => got.includes("f-a-1: after"));
      expect(got).toContain("f-a-1: half done");
      // A character whose bytes arrive in two polls comes out whole.
      await sh(host, 'printf "split \\303" >>"$1"', a);
      await new Promise((r) => setTimeout(r, 700));
      await sh(host, 'printf "\\251 ok\\n" >>"$1"', a);
      await waitFor(() => got.includes("f-a-1: split é ok"));
      sessions = ["f-a-1", "f-b-1"];
      live = new Map([...live, ["f-b-1", { dead: false, exitCode: null }]]);
      await sh(host, 'printf "b first\\n" >"$1"', b);
      await waitFor(() => got.includes("f-b-1: b first"));
      live = new Map([
        ["f-a-1", { dead: true, exitCode: 3 }],
        ["f-b-1", { dead: true, exitCode: 0 }],
      ]);
      await done;
      expect(ends.sort()).toEqual(["f-a-1 3", "f-b-1 0"]);
      ctl.abort();
    });

    it("a remote pane's output lands in its log on the host, read back through ssh", async () => {
      const host = lab.hosts[1];
      const root = await checkout(host, "pane");
      await ensureRemoteRuntimeDirs(host, root, settings());
      const remote = remoteTmux(host, settings());
      await createSessions(
        [
          {
            name: "pane-a-1",
            cwd: root,
            argv: ["/bin/sh", "-c", "for i in 1 2 3; do echo line $i; done; sleep 30"],
            env: {},
            labels: { project: "pane" },
            logFile: logFile(root, "pane-a-1"),
          },
        ],
        { key: "k".repeat(64), unsetEnvironment: [] },
        remote,
      );
      const end = Date.now() + 10_000;
      let lines: string[] = [];
      while (Date.now() < end && lines.at(-1) !== "line 3") {
        lines = await readRemoteLog(host, root, "pane-a-1", 2, false, settings());
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(lines).toEqual(["line 2", "line 3"]);
      expect(await sh(host, 'stat -c "%a" "$1"', logFile(root, "pane-a-1"))).toBe("600\n");
      await tmuxOn(remote, ["kill-session", "-t", "=pane-a-1"]);
    });
  });

  describe("lease", () => {
    it("of many controllers racing for a host's server exactly one wins; the others are told who holds it", async () => {
      const host = lab.hosts[0];
      const remote = remoteTmux(host, settings());
      await tmuxOn(remote, ["start-server", ";", "new-session", "-d", "-s", "lease-keep"]);
      const owners = Array.from({ length: 6 }, (_, i) => newLeaseOwner(`ctl${i}`));
      const results = await Promise.allSettled(owners.map((o) => acquireLease(remote, o)));
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<{ owner: string }>).value.owner;
      for (const r of results) {
        if (r.status === "rejected") {
          expect(r.reason).toBeInstanceOf(LeaseHeldError);
          expect((r.reason as LeaseHeldError).owner).toBe(winner);
          expect((r.reason as Error).message).toMatch(new RegExp(`host h1's tmux server is held by another amux \\(${winner}\\) until \\d{4}-`));
        }
      }
      expect(await readLease(remote)).toMatchObject({ host: "h1", owner: winner });
      // Another host's server is a different lease.
      const other = remoteTmux(lab.hosts[1], settings());
      await tmuxOn(other, ["start-server", ";", "new-session", "-d", "-s", "lease-keep"]);
      const o2 = newLeaseOwner("ctl-other");
      expect((await acquireLease(other, o2)).owner).toBe(o2);
      expect(await releaseLease(other, o2)).toBe(true);
      expect(await releaseLease(remote, winner)).toBe(true);
      expect(await readLease(remote)).toBeNull();
    });

    it("renews, is taken over only once expired, and is released only by its owner", async () => {
      const remote = remoteTmux(lab.hosts[0], settings());
      await tmuxOn(remote, ["start-server", ";", "new-session", "-d", "-s", "lease-keep2"]);
      const a = newLeaseOwner("a");
      const b = newLeaseOwner("b");
      let t = 1_000_000;
      const now = () => t;
      expect(await acquireLease(remote, a, { ttlSec: 10, now })).toEqual({ host: "h1", owner: a, until: t + 10 });
      // Acquiring again is a renewal for its owner.
      t += 5;
      expect((await acquireLease(remote, a, { ttlSec: 10, now })).until).toBe(t + 10);
      t += 5;
      expect((await renewLease(remote, a, { ttlSec: 10, now })).until).toBe(t + 10);
      t += 9;
      await expect(acquireLease(remote, b, { ttlSec: 10, now })).rejects.toThrow(LeaseHeldError);
      expect(await releaseLease(remote, b)).toBe(false);
      expect((await readLease(remote))?.owner).toBe(a);
      t += 2;
      expect((await acquireLease(remote, b, { ttlSec: 10, now })).owner).toBe(b);
      await expect(renewLease(remote, a, { ttlSec: 10, now })).rejects.toThrow(LeaseLostError);
      expect(await releaseLease(remote, a)).toBe(false);
      expect((await readLease(remote))?.owner).toBe(b);
      expect(await releaseLease(remote, b)).toBe(true);
      await expect(renewLease(remote, b, { ttlSec: 10, now })).rejects.toThrow(/released or the server restarted/);
      expect(() => newLeaseOwner("we ird#{x}")).not.toThrow();
      expect(newLeaseOwner("we ird#{x}")).toMatch(/^we_ird__x_-\d+-[0-9a-f]{12}$/);
      await expect(acquireLease(remote, "#{pane_id}")).rejects.toThrow(/invalid lease owner/);
    });
  });
});
