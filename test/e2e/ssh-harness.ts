import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import type { SshHost } from "../../src/ssh/transport.js";

/**
 * Two hosts on loopback for the ssh tests, as ../shared/conformance/11-hosts sets them up: a
 * private OpenSSH server (its own config, host key and pid, on a free 127.0.0.1 port; never the
 * system's sshd) and two local users, amuxh1 and amuxh2, each with its own tmux server. The users
 * are the isolation: each host has its own home, tmux socket folder and processes, as two
 * machines would. Nothing is written in their homes: sshd reads the lab's authorized keys from
 * the lab's folder. The client side is a temp HOME with its own ~/.ssh/config (aliases h1, h2,
 * and broken ones) and a short XDG_RUNTIME_DIR for the control sockets.
 */

export const SSHD = "/usr/sbin/sshd";
export const LAB_USERS = ["amuxh1", "amuxh2"] as const;

/** Why the ssh tests cannot run here (they are skipped, saying so), or undefined. */
export function sshLabSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return "the ssh tests need root (they add two local users and run a private sshd)";
  if (!existsSync(SSHD)) return `no ${SSHD}: install openssh-server (.ci/run does)`;
  for (const tool of ["ssh", "ssh-keygen", "useradd", "runuser", "tmux"]) {
    if (spawnSync("sh", ["-c", 'command -v "$1"', "sh", tool]).status !== 0) return `no ${tool} on PATH`;
  }
  return undefined;
}

export interface LabHost extends SshHost {
  user: string;
  home: string;
}

export interface SshLab {
  /** The lab's folder (0755: the users read their authorized keys there). */
  dir: string;
  port: number;
  /** h1 → amuxh1, h2 → amuxh2. */
  hosts: [LabHost, LabHost];
  /** Aliases that fail: a closed port, a user sshd refuses, a wrong host key, a server that never answers. */
  broken: { closed: SshHost; denied: SshHost; badKey: SshHost; silent: SshHost };
  /** h2 under another name whose host key is not known yet (accept-new), with its known_hosts file. */
  fresh: SshHost & { knownHosts: string };
  /** The client's environment: HOME with the ssh config, XDG_RUNTIME_DIR for control sockets, the tmux socket name. */
  env: NodeJS.ProcessEnv;
  /** The control sockets' folder. */
  controlDir: string;
  /** The tmux socket name used on every host. */
  socket: string;
  /** A folder every user may write in: a canary created there means a value reached a shell. */
  canaryDir: string;
  /** Runs a command as a lab user (runuser), returning its stdout. */
  asUser(user: string, argv: string[]): { stdout: string; code: number | null };
  stopSshd(): Promise<void>;
  startSshd(): Promise<void>;
  teardown(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`ssh lab: ${what} within ${ms} ms`);
}

function ensureUser(user: string): string {
  if (spawnSync("id", [user]).status !== 0) execFileSync("useradd", ["-m", "-s", "/bin/sh", user]);
  // A locked account ("!") is refused by sshd even with a key; "*" is no password, not locked.
  execFileSync("usermod", ["-p", "*", user]);
  const entry = execFileSync("getent", ["passwd", user], { encoding: "utf8" }).trim().split(":");
  return entry[5] as string;
}

/** Starts the lab: users, keys, sshd on a free port, the client's ssh config. */
export async function startSshLab(): Promise<SshLab> {
  const dir = mkdtempSync("/tmp/amux-sshlab-");
  chmodSync(dir, 0o755);
  const homes = LAB_USERS.map(ensureUser);
  const keygen = (file: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "amux-lab", "-f", file]);
  keygen(join(dir, "hostkey"));
  keygen(join(dir, "otherkey"));
  keygen(join(dir, "id"));
  const keys = join(dir, "authorized");
  mkdirSync(keys);
  chmodSync(keys, 0o755);
  for (const u of LAB_USERS) {
    writeFileSync(join(keys, u), readFileSync(join(dir, "id.pub")));
    chmodSync(join(keys, u), 0o644);
  }
  const canaryDir = join(dir, "canary");
  mkdirSync(canaryDir);
  chmodSync(canaryDir, 0o777);

  const port = await freePort();
  const closedPort = await freePort();
  // A TCP server that accepts and never says a word: ssh waits for a banner that never comes.
  const held = new Set<import("node:net").Socket>();
  const silent = createServer((sock) => {
    held.add(sock);
    sock.on("close", () => held.delete(sock));
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
  const silentAddr = silent.address();
  const silentPort = typeof silentAddr === "object" && silentAddr ? silentAddr.port : 0;

  const sshdConfig = join(dir, "sshd_config");
  writeFileSync(
    sshdConfig,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "hostkey")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${keys}/%u`,
      "StrictModes no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "UsePAM no",
      `AllowUsers ${LAB_USERS.join(" ")}`,
      "MaxStartups 100",
      "MaxSessions 100",
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true });

  const hostPub = readFileSync(join(dir, "hostkey.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
  const otherPub = readFileSync(join(dir, "otherkey.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostPub}\n`);
  writeFileSync(join(dir, "wrong_known_hosts"), `[localhost]:${port} ${otherPub}\n`);

  const home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  const common = [`  IdentityFile ${join(dir, "id")}`, "  IdentitiesOnly yes", "  LogLevel INFO"];
  const block = (alias: string, user: string, p: number, knownHosts = join(dir, "known_hosts"), hostName = "127.0.0.1", strict = "yes") =>
    [
      `Host ${alias}`,
      `  HostName ${hostName}`,
      `  Port ${p}`,
      `  User ${user}`,
      `  UserKnownHostsFile ${knownHosts}`,
      `  StrictHostKeyChecking ${strict}`,
      ...common,
    ].join("\n");
  writeFileSync(
    join(home, ".ssh", "config"),
    `${[
      block("h1", "amuxh1", port),
      block("h2", "amuxh2", port),
      block("hclosed", "amuxh1", closedPort),
      block("hdenied", "root", port),
      // Another name for the same server (a control socket is per name, port and user).
      block("hbadkey", "amuxh1", port, join(dir, "wrong_known_hosts"), "localhost"),
      block("hsilent", "amuxh1", silentPort),
      // First contact: ssh adds the key and says so at LogLevel INFO (the lab's level).
      block("hnew", "amuxh2", port, join(dir, "new_known_hosts"), "localhost", "accept-new"),
    ].join("\n")}\n`,
  );
  chmodSync(join(home, ".ssh", "config"), 0o600);
  chmodSync(join(dir, "id"), 0o600);

  // XDG_RUNTIME_DIR short: the control socket path must fit a Unix socket address.
  const runtime = mkdtempSync("/tmp/amux-rt-");
  const socket = `amux-sshlab-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: runtime, AMUX_TMUX_SOCKET: socket, LANG: "C.UTF-8" };

  let sshd: ChildProcess | undefined;
  const logFile = join(dir, "sshd.log");
  const startSshd = async () => {
    rmSync(join(dir, "sshd.pid"), { force: true });
    // -D: stays this process's child (its pid is ours to end); -E: its log in the lab.
    sshd = spawn(SSHD, ["-D", "-f", sshdConfig, "-E", logFile], { stdio: "ignore" });
    const child = sshd;
    await waitFor(`sshd listening on ${port} (log: ${existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-300) : "none"})`, () => {
      if (child.exitCode !== null) throw new Error(`sshd exited ${child.exitCode}: ${existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-300) : ""}`);
      return spawnSync("ssh", ["-F", join(home, ".ssh", "config"), "-o", "BatchMode=yes", "-o", "ControlMaster=no", "h1", "true"]).status === 0;
    });
  };
  const stopSshd = async () => {
    const child = sshd;
    sshd = undefined;
    if (!child || child.exitCode !== null) return;
    const gone = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill("SIGTERM");
    const late = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await gone;
    clearTimeout(late);
  };
  await startSshd();

  const asUser = (user: string, argv: string[]) => {
    const r = spawnSync("runuser", ["-u", user, "--", ...argv], { encoding: "utf8" });
    return { stdout: r.stdout ?? "", code: r.status };
  };
  const hosts: [LabHost, LabHost] = [
    { id: "h1", ssh: "h1", user: "amuxh1", home: homes[0] as string },
    { id: "h2", ssh: "h2", user: "amuxh2", home: homes[1] as string },
  ];
  const controlDir = join(runtime, "amux");
  return {
    dir,
    port,
    hosts,
    broken: {
      closed: { id: "hc", ssh: "hclosed" },
      denied: { id: "hd", ssh: "hdenied" },
      badKey: { id: "hk", ssh: "hbadkey" },
      silent: { id: "hs", ssh: "hsilent" },
    },
    fresh: { id: "hn", ssh: "hnew", knownHosts: join(dir, "new_known_hosts") },
    env,
    controlDir,
    socket,
    canaryDir,
    asUser,
    stopSshd,
    startSshd,
    async teardown() {
      // Control connections first (each ends its sshd session process), then sshd itself.
      for (const h of [...hosts, { ssh: "hbadkey" }, { ssh: "hnew" }]) {
        spawnSync("ssh", ["-F", join(home, ".ssh", "config"), "-o", `ControlPath=${join(controlDir, "%C")}`, "-O", "exit", h.ssh], { stdio: "ignore" });
      }
      await stopSshd();
      for (const sock of held) sock.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
      for (const u of LAB_USERS) asUser(u, ["tmux", "-L", socket, "kill-server"]);
      rmSync(dir, { recursive: true, force: true });
      rmSync(runtime, { recursive: true, force: true });
    },
  };
}
