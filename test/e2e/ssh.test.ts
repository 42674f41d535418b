/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostUnreachableError } from "../../src/errors.js";
import { type SshHost, sshConnected, sshDisconnect, sshInteractiveArgv, sshRun } from "../../src/ssh/transport.js";
import { observeServer, observeWithScreens } from "../../src/tmux/observe.js";
import { createSessions, killSessions, pressEnter, typeText } from "../../src/tmux/ops.js";
import { commandLine } from "../../src/tmux/quote.js";
import { remoteTmux } from "../../src/tmux/remote.js";
import { localTmux, type TmuxRunner, tmuxOn, tmuxScriptOn } from "../../src/tmux/runner.js";
import { gitOnHost } from "../../src/workspace/remote-git.js";
import { waitFor } from "./harness.js";
import { type SshLab, sshLabSkipReason, startSshLab } from "./ssh-harness.js";

/**
 * The ssh transport and the remote tmux client against a real OpenSSH server on loopback, two
 * local users standing in for two hosts (ssh-harness.ts). The transport is not wired into the CLI
 * yet, so these tests drive src/ssh and src/tmux/remote.ts directly; nothing is mocked.
 */

const skip = sshLabSkipReason();
if (skip) console.warn(`ssh tests skipped: ${skip}`);

describe.skipIf(!!skip)("ssh transport and remote tmux (real sshd on loopback)", () => {
  let lab: SshLab;
  let h1: SshHost;
  let h2: SshHost;
  const settings = () => ({ env: lab.env });

  beforeAll(async () => {
    lab = await startSshLab();
    [h1, h2] = lab.hosts;
  }, 60_000);
  afterAll(async () => {
    await lab?.teardown();
  }, 60_000);

  it("runs a command on each host as that host's user", async () => {
    const [a, b] = await Promise.all([sshRun(h1, ["id", "-un"], settings()), sshRun(h2, ["id", "-un"], settings())]);
    expect(a).toEqual({ stdout: "amuxh1\n", stderr: "", code: 0 });
    expect(b).toEqual({ stdout: "amuxh2\n", stderr: "", code: 0 });
  });

  const canary = () => join(lab.canaryDir, "pwned");
  const hostile = () => [
    "",
    " ",
    "plain",
    "two words",
    "'",
    "''",
    `it's`,
    '"double"',
    "\\",
    "back\\'slash",
    `$(touch ${canary()})`,
    `\`touch ${canary()}\``,
    `; touch ${canary()}`,
    `'; touch ${canary()}; '`,
    `" ; touch ${canary()} ; "`,
    `\ntouch ${canary()}\n`,
    `| touch ${canary()}`,
    `&& touch ${canary()}`,
    `> ${canary()}`,
    "$HOME ${HOME} $((1+1)) $1 $@ $*",
    "*",
    "/*",
    "?",
    "[a-z]*",
    "~",
    "~root",
    "-n",
    "--",
    "-e",
    "--help",
    "#comment",
    "a\tb",
    "line1\nline2\n",
    "\r",
    "ünïcödé ❯ ✻ 日本語 🙂",
    "\x1b[31mred\x1b[0m",
    "{a,b}",
    "!!",
    "%s %d",
    "#{pane_id} #(touch pwned)",
  ];

  it.each([
    ["plain", undefined],
    ["in a clean environment", ["PATH", "HOME"]],
  ] as const)("passes hostile values literally to the remote program (%s)", async (_what, keepEnv) => {
    const values = hostile();
    for (const host of [h1, h2]) {
      const r = await sshRun(host, ["printf", "%s\\0", ...values], { ...settings(), ...(keepEnv ? { keepEnv } : {}) });
      expect(r.code).toBe(0);
      expect(r.stdout.split("\0").slice(0, -1)).toEqual(values);
    }
    expect(existsSync(canary())).toBe(false);
  });

  it("ssh's own notices do not pollute the remote command's stderr (first contact with a new host key)", async () => {
    const r = await sshRun(lab.fresh, ["sh", "-c", "id -un; echo remote-err >&2"], settings());
    expect(r).toEqual({ stdout: "amuxh2\n", stderr: "remote-err\n", code: 0 });
    expect(readFileSync(lab.fresh.knownHosts, "utf8")).toMatch(/^\[localhost\]:\d+ ssh-ed25519 /);
    await sshDisconnect(lab.fresh, settings());
  });

  it("feeds stdin to the remote command and returns stdout, stderr and its exit code", async () => {
    const input = `${hostile().join("\n")}\n`;
    const cat = await sshRun(h1, ["cat"], { ...settings(), input });
    expect(cat.stdout).toBe(input);
    const failed = await sshRun(h2, ["sh", "-c", 'echo out; echo "err $1" >&2; exit 3', "sh", "x'y"], settings());
    expect(failed).toEqual({ stdout: "out\n", stderr: "err x'y\n", code: 3 });
    // A command the host does not have: the remote shell's answer, not "unreachable".
    const missing = await sshRun(h1, ["no-such-program-amux"], settings());
    expect(missing.code).toBe(127);
    expect(existsSync(canary())).toBe(false);
  });

  it("reuses one control connection per host", async () => {
    await sshRun(h1, ["true"], settings());
    expect(await sshConnected(h1, settings())).toBe(true);
    const sockets = readdirSync(lab.controlDir);
    expect(sockets.length).toBeGreaterThanOrEqual(1);
    const masterPid = async () => {
      const r = spawnSync(
        "ssh",
        ["-F", join(lab.env.HOME as string, ".ssh", "config"), "-o", `ControlPath=${join(lab.controlDir, "%C")}`, "-O", "check", "h1"],
        { encoding: "utf8" },
      );
      return /pid=(\d+)/.exec(r.stderr)?.[1];
    };
    const before = await masterPid();
    expect(before).toMatch(/^\d+$/);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t = Date.now();
      await sshRun(h1, ["true"], settings());
      times.push(Date.now() - t);
    }
    // The same master served every call, and no call made a new socket.
    expect(await masterPid()).toBe(before);
    expect(readdirSync(lab.controlDir).sort()).toEqual(sockets.sort());
    console.log(`ssh round trips on the control connection: ${times.join(", ")} ms`);
  });

  it("runs tmux batches on each host's own tmux server through the remote client", async () => {
    for (const host of lab.hosts) {
      const tmux = remoteTmux(host, settings());
      const name = `lab-${host.id}`;
      const value = `$(touch ${canary()}) 'q' "d" #{pane_id} ; \\ ünï`;
      const r = await tmuxScriptOn(tmux, [
        commandLine(["new-session", "-d", "-s", name, "-c", "/tmp", "-e", "LAB_VALUE=x", "sleep", "300"]),
        commandLine(["set-option", "-t", `=${name}:`, "@amux-lab", value]),
      ]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(await tmuxOn(tmux, ["list-sessions", "-F", "#{session_name}"])).toBe(`${name}\n`);
      expect(await tmuxOn(tmux, ["show-options", "-v", "-t", `=${name}:`, "@amux-lab"])).toBe(`${value}\n`);
      // The host's own server, seen by its user without amux: the session is there, not elsewhere.
      expect(lab.asUser(host.user, ["tmux", "-L", lab.socket, "list-sessions", "-F", "#{session_name}"]).stdout).toBe(`${name}\n`);
      // The ssh session's variables did not become the server's global environment.
      const global = await tmux.raw(["show-environment", "-g"]);
      expect(global.stdout).not.toMatch(/^SSH_(CONNECTION|CLIENT)=/m);
      expect(global.stdout).toMatch(new RegExp(`^HOME=${host.home}$`, "m"));
    }
    // The local server (same socket name) holds none of them.
    const local = await localTmux.raw(["-L", lab.socket, "list-sessions"]).catch(() => undefined);
    expect(local?.stdout ?? "").not.toMatch(/lab-h/);
    expect(existsSync(canary())).toBe(false);
  });

  it("amux's own tmux operations run on a host through the runner: create, observe, type, read the log, kill", async () => {
    const host = lab.hosts[1];
    const remote = remoteTmux(host, settings());
    let calls = 0;
    const counted: TmuxRunner = {
      host: remote.host,
      raw: (args, input) => {
        calls++;
        return remote.raw(args, input);
      },
    };
    const logs = join(lab.dir, `logs-${host.user}`);
    mkdirSync(logs);
    execFileSync("chown", [host.user, logs]);
    const logFile = join(logs, "lab-agent.log");
    const key = randomBytes(32).toString("hex");
    const hostile = `$(touch ${canary()}) 'x' #{pane_id}`;
    const created = await createSessions(
      [
        {
          name: "lab-agent",
          cwd: host.home,
          argv: ["/bin/sh", "-c", 'echo ready; while read l; do echo "got $l"; done'],
          env: { LAB_HOSTILE: hostile },
          labels: { project: "lab", service: "a", replica: "1", agent: "chat" },
          logFile,
        },
      ],
      { key, unsetEnvironment: [] },
      counted,
    );
    expect(created).toEqual({ ok: ["lab-agent"], failed: [], key });
    expect(calls).toBe(1);

    calls = 0;
    const server = await observeServer(counted);
    expect(calls).toBe(1);
    expect(server.key).toBe(key);
    const s = server.sessions.find((x) => x.name === "lab-agent");
    expect(s).toMatchObject({ cwd: host.home, dead: false, labels: { project: "lab", service: "a", replica: "1", agent: "chat" } });

    await typeText("lab-agent", `hi ${hostile}`, remote);
    await pressEnter("lab-agent", remote);
    // The log is written on the host, by its user; read back through ssh.
    const end = Date.now() + 10_000;
    let log = "";
    while (Date.now() < end && !log.includes(`got hi ${hostile}`)) {
      log = (await sshRun(host, ["cat", logFile], settings())).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(log).toContain(`got hi ${hostile}`);

    calls = 0;
    const seen = await observeWithScreens([s?.paneId as string], [], undefined, counted);
    expect(calls).toBe(1);
    expect(seen.screens.get(s?.paneId as string)?.join("\n")).toContain(`got hi ${hostile}`);
    const env = await tmuxOn(remote, ["show-environment", "-t", "=lab-agent:", "LAB_HOSTILE"]);
    expect(env).toBe(`LAB_HOSTILE=${hostile}\n`);

    expect(await killSessions(["lab-agent"], remote)).toEqual({ ok: ["lab-agent"], failed: [], key: null });
    expect((await observeServer(remote)).sessions.some((x) => x.name === "lab-agent")).toBe(false);
    expect(existsSync(canary())).toBe(false);
  });

  it("git runs on a host in the given checkout: a repository and a worktree of it, values literal", async () => {
    const host = lab.hosts[0];
    const base = join(lab.dir, `repos-${host.user}`);
    mkdirSync(base);
    execFileSync("chown", [host.user, base]);
    const repo = join(base, "proj");
    const id = ["-c", "user.name=Lab", "-c", "user.email=lab@example.test", "-c", "init.defaultBranch=main"];
    const g = (cwd: string, args: string[]) => gitOnHost(host, cwd, args, { settings: settings() });
    await g(base, [...id, "init", "-q", repo]);
    await g(repo, [...id, "commit", "-q", "--allow-empty", "-m", `init $(touch ${canary()})`]);
    const ws = join(base, "proj.worktrees", "auth 'x'");
    await g(repo, ["worktree", "add", "-q", "-b", "amux/auth", ws]);
    expect((await g(ws, ["rev-parse", "--abbrev-ref", "HEAD"])).stdout).toBe("amux/auth");
    expect((await g(ws, ["log", "-1", "--format=%s"])).stdout).toBe(`init $(touch ${canary()})`);
    // Owned by the host's user: git ran there, as that user.
    expect((await sshRun(host, ["stat", "-c", "%U", ws], settings())).stdout).toBe(`${host.user}\n`);
    await expect(g(repo, ["rev-parse", "--verify", "no-such-branch"])).rejects.toThrow(/^git rev-parse --verify failed in .* on host h1: /);
    expect((await gitOnHost(host, repo, ["rev-parse", "--verify", "-q", "nope"], { allowFail: true, settings: settings() })).code).toBe(1);
    expect(existsSync(canary())).toBe(false);
  });

  it("maps a tmux failure on the host to TmuxError naming it, not to unreachable", async () => {
    const tmux = remoteTmux(h2, settings());
    await expect(tmuxOn(tmux, ["has-session", "-t", "=no-such-session:"])).rejects.toThrow(/^tmux has-session on host h2: /);
  });

  async function unreachable(host: SshHost, connectTimeoutSec = 3): Promise<{ err: HostUnreachableError; ms: number }> {
    const t = Date.now();
    const err = await sshRun(host, ["true"], { ...settings(), connectTimeoutSec }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostUnreachableError);
    return { err: err as HostUnreachableError, ms: Date.now() - t };
  }

  it("says why a host cannot be reached, quickly, with a typed error (exit 1)", async () => {
    const closed = await unreachable(lab.broken.closed);
    expect(closed.err.message).toBe("host hc (hclosed): connection refused");
    expect(closed.err.exitCode).toBe(1);
    expect(closed.ms).toBeLessThan(5_000);

    const denied = await unreachable(lab.broken.denied);
    expect(denied.err.message).toMatch(/^host hd \(hdenied\): permission denied \(publickey[^)]*\)$/);

    const badKey = await unreachable(lab.broken.badKey);
    expect(badKey.err.message).toMatch(/^host hk \(hbadkey\): host key (verification failed|changed)/);

    // A server that accepts the connection and never answers: the connect timeout ends it.
    const silent = await unreachable(lab.broken.silent, 1);
    expect(silent.err.gist).toBe("timed out");
    expect(silent.ms).toBeLessThan(6_000);
  });

  it("a stopped sshd gives the unreachable error; the host works again once it is back", async () => {
    await sshRun(h2, ["true"], settings());
    await sshDisconnect(h2, settings());
    await lab.stopSshd();
    try {
      const down = await unreachable(h2);
      expect(down.err.message).toBe("host h2 (h2): connection refused");
      expect(down.ms).toBeLessThan(5_000);
    } finally {
      await lab.startSshd();
    }
    expect((await sshRun(h2, ["id", "-un"], settings())).stdout).toBe("amuxh2\n");
  });

  it("many first calls at once to a host without a connection all succeed (one becomes the master)", async () => {
    await sshDisconnect(h2, settings());
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => sshRun(h2, ["echo", `call ${i}`], settings())));
    expect(rs.map((r) => r.stdout)).toEqual(Array.from({ length: 8 }, (_, i) => `call ${i}\n`));
    expect(await sshConnected(h2, settings())).toBe(true);
  });

  it("a call that gets no answer in time ends as timed out, and the host still works", async () => {
    const t = Date.now();
    const err = await sshRun(h1, ["sleep", "5"], { ...settings(), timeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostUnreachableError);
    expect((err as HostUnreachableError).message).toBe("host h1 (h1): timed out (no answer in 1s)");
    expect(Date.now() - t).toBeLessThan(5_000);
    expect((await sshRun(h1, ["echo", "still here"], settings())).stdout).toBe("still here\n");
  });

  it("a control connection that died (its socket left behind) is replaced, not reported unreachable", async () => {
    await sshRun(h1, ["true"], settings());
    const r = spawnSync("ssh", ["-F", join(lab.env.HOME as string, ".ssh", "config"), "-o", `ControlPath=${join(lab.controlDir, "%C")}`, "-O", "check", "h1"], {
      encoding: "utf8",
    });
    const pid = Number(/pid=(\d+)/.exec(r.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, "SIGKILL");
    expect(readdirSync(lab.controlDir).length).toBeGreaterThanOrEqual(1);
    expect((await sshRun(h1, ["id", "-un"], settings())).stdout).toBe("amuxh1\n");
    // The new master goes to the background as the call returns: it answers within moments.
    expect(await waitFor(() => sshConnected(h1, settings()), 5000, "the new control connection")).toBe(true);
  });

  it("the interactive command line (attach) runs the quoted argv on a terminal request", () => {
    const argv = sshInteractiveArgv(h1, ["printf", "%s|", "a b", "$(x)", "'"], settings());
    expect(argv[0]).toBe("ssh");
    expect(argv).toContain("-t");
    const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8", env: lab.env });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("a b|$(x)|'|");
  });

  it("closing a host's control connection removes its socket", async () => {
    await Promise.all([sshRun(h1, ["true"], settings()), sshRun(h2, ["true"], settings())]);
    expect(readdirSync(lab.controlDir).length).toBeGreaterThanOrEqual(1);
    expect(await sshDisconnect(h1, settings())).toBe(true);
    expect(await sshDisconnect(h2, settings())).toBe(true);
    // Each master unlinks its socket as it exits, a moment after it acknowledged the exit.
    await waitFor(
      () => readdirSync(lab.controlDir).length === 0,
      5000,
      () => `no control socket left (${readdirSync(lab.controlDir).join(", ")})`,
    );
    expect(await sshConnected(h1, settings())).toBe(false);
    // Closing what is not open is not an error.
    expect(await sshDisconnect(h1, settings())).toBe(false);
  });
});
