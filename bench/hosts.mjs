// The hosts part of `npm run bench` (bench/run.mjs calls hostsBench and hostsRows): `ps --json`
// and one watch-mode status tick with 100 agents as 2 loopback hosts × 50, against the same 100 on
// one host. A host must cost one ssh round trip per look, not one per session: the ssh processes
// (and this machine's tmux processes) that `ps --json` and a tick start are counted with strace.
//
// The lab is the e2e one (test/e2e/ssh-harness.ts) cut down: a private sshd on a free 127.0.0.1
// port with its own host key and config, two local users amuxh1 and amuxh2 as the two hosts, keys
// and the client's ssh config in a temp folder. It needs root and /usr/sbin/sshd; without them the
// bench prints a "skipped" row.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

const SSHD = "/usr/sbin/sshd";
const USERS = ["amuxh1", "amuxh2"];
const HOSTS_N = Number(process.env.BENCH_HOSTS_N ?? 100);

const has = (cmd) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", cmd]).status === 0;
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleepMs = (n) => new Promise((r) => setTimeout(r, n));

/** Why the hosts part cannot run here, or undefined. */
export function hostsSkipReason() {
  if (process.getuid?.() !== 0) return "needs root and sshd (not root)";
  if (!existsSync(SSHD)) return `needs root and sshd (no ${SSHD})`;
  for (const t of ["ssh", "ssh-keygen", "useradd", "runuser", "git"]) if (!has(t)) return `needs root and sshd (no ${t})`;
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

function ensureUser(user) {
  if (spawnSync("id", [user]).status !== 0) execFileSync("useradd", ["-m", "-s", "/bin/sh", user]);
  execFileSync("usermod", ["-p", "*", user]);
  return execFileSync("getent", ["passwd", user], { encoding: "utf8" }).trim().split(":")[5];
}

/** sshd on loopback, the two users, and a client HOME whose ~/.ssh/config names them h1 and h2. */
async function startLab(base) {
  const dir = mkdtempSync("/tmp/amux-benchlab-");
  chmodSync(dir, 0o755);
  const homes = USERS.map(ensureUser);
  const keygen = (file) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "amux-bench", "-f", file]);
  keygen(join(dir, "hostkey"));
  keygen(join(dir, "id"));
  const keys = join(dir, "authorized");
  mkdirSync(keys);
  chmodSync(keys, 0o755);
  for (const u of USERS) {
    writeFileSync(join(keys, u), readFileSync(join(dir, "id.pub")));
    chmodSync(join(keys, u), 0o644);
  }
  const port = await freePort();
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
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
      `AllowUsers ${USERS.join(" ")}`,
      "MaxStartups 100",
      "MaxSessions 100",
      "",
    ].join("\n"),
  );
  mkdirSync("/run/sshd", { recursive: true });
  const hostPub = readFileSync(join(dir, "hostkey.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostPub}\n`);
  const home = join(base, "hosts-home");
  mkdirSync(join(home, ".ssh"), { recursive: true, mode: 0o700 });
  const block = (alias, user) =>
    [
      `Host ${alias}`,
      "  HostName 127.0.0.1",
      `  Port ${port}`,
      `  User ${user}`,
      `  UserKnownHostsFile ${join(dir, "known_hosts")}`,
      "  StrictHostKeyChecking yes",
      `  IdentityFile ${join(dir, "id")}`,
      "  IdentitiesOnly yes",
    ].join("\n");
  writeFileSync(join(home, ".ssh", "config"), `${block("h1", USERS[0])}\n${block("h2", USERS[1])}\n`);
  chmodSync(join(home, ".ssh", "config"), 0o600);
  chmodSync(join(dir, "id"), 0o600);
  // Short: the control sockets' path must fit a Unix socket address.
  const runtime = mkdtempSync("/tmp/amux-rt-");
  const sshd = spawn(SSHD, ["-D", "-f", config, "-E", join(dir, "sshd.log")], { stdio: "ignore" });
  const ready = () => spawnSync("ssh", ["-F", join(home, ".ssh", "config"), "-o", "BatchMode=yes", "-o", "ControlMaster=no", "h1", "true"]).status === 0;
  for (const end = Date.now() + 10_000; !ready(); await sleepMs(50)) {
    if (sshd.exitCode !== null || Date.now() > end) throw new Error(`bench sshd did not start: ${readFileSync(join(dir, "sshd.log"), "utf8").slice(-300)}`);
  }
  return {
    dir,
    home,
    runtime,
    homes,
    async stop() {
      for (const alias of ["h1", "h2"])
        spawnSync("ssh", ["-F", join(home, ".ssh", "config"), "-o", `ControlPath=${join(runtime, "amux", "%C")}`, "-O", "exit", alias], { stdio: "ignore" });
      if (sshd.exitCode === null) {
        const gone = new Promise((r) => sshd.once("exit", r));
        sshd.kill("SIGTERM");
        await gone;
      }
      rmSync(dir, { recursive: true, force: true });
      rmSync(runtime, { recursive: true, force: true });
    },
  };
}

/** ssh and tmux processes a command starts (strace: every execve that succeeded, children included). */
function execsOf(cmd, args, opts, file) {
  const r = spawnSync("strace", ["-f", "-qq", "--status=successful", "-e", "trace=execve", "-e", "signal=none", "-o", file, cmd, ...args], {
    ...opts,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`strace ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  const lines = readFileSync(file, "utf8").split("\n");
  return {
    ssh: lines.filter((l) => /execve\("[^"]*\/ssh"/.test(l)).length,
    tmux: lines.filter((l) => /execve\("[^"]*\/tmux"/.test(l)).length,
    stdout: r.stdout,
  };
}

/**
 * The hosts scenarios: `layout` is the hosts a service's replicas spread over. Each runs `up`,
 * then `ps --json` (median of 3, and its processes once under strace), bench-tick (timing; then
 * processes per tick as ticks 8 minus ticks 3, over 5, under strace), then `down`.
 */
async function scenario(ctx, lab, layout, tag) {
  const { base, bin, baseEnv, log } = ctx;
  const n = HOSTS_N;
  const dir = join(base, `hosts-${tag}`);
  mkdirSync(join(dir, ".amux"), { recursive: true });
  const sock = `amux-bench-${process.pid}-hosts-${tag}`;
  const roots = lab.homes.map((h) => join(h, `amux-bench-${process.pid}-${tag}`));
  writeFileSync(join(dir, ".amux/config.yaml"), 'agents:\n  sleeper: { name: Sleeper, type: tmux, params: { command: "sleep 100000" } }\n');
  writeFileSync(
    join(dir, "amux.compose.yaml"),
    [
      `name: bh${tag}`,
      // Only the hosts used are declared: every declared host is looked at.
      "hosts:",
      ...[...new Set(layout)].map((h) => `  ${h}: { ssh: ${h}, root: ${roots[Number(h.slice(1)) - 1]} }`),
      "services:",
      `  s: { agent: sleeper, host: [${layout.join(", ")}], replicas: ${n} }`,
      "",
    ].join("\n"),
  );
  const env = { ...baseEnv, HOME: lab.home, XDG_RUNTIME_DIR: lab.runtime, AMUX_TMUX_SOCKET: sock };
  const git = (args, cwd = dir) => execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@localhost", ...args], { cwd, env, stdio: "ignore" });
  git(["init", "-q"]);
  git(["add", "-A"]);
  git(["commit", "-qm", "bench"]);
  USERS.forEach((u, i) => {
    git(["clone", "-q", dir, roots[i]], base);
    execFileSync("chown", ["-R", u, roots[i]]);
  });
  const amux = (...args) => {
    const r = spawnSync("node", [bin, ...args], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 << 20 });
    if (r.status !== 0) throw new Error(`amux ${args.join(" ")} (hosts ${tag}) failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  const onHost = (i) => {
    const r = spawnSync("runuser", ["-u", USERS[i], "--", "tmux", "-L", sock, "list-sessions", "-F", "#{session_name}"], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.split("\n").filter(Boolean).length : 0;
  };
  const ms = (fn) => {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  try {
    const p = { hosts: new Set(layout).size, agents: n };
    p.upMs = ms(() => amux("up"));
    const placed = [0, 1].map(onHost);
    if (placed[0] + placed[1] !== n) throw new Error(`hosts ${tag}: ${placed.join(" + ")} sessions on the hosts after up, expected ${n}`);
    const rows = JSON.parse(amux("ps", "--json"));
    if (rows.length !== n || rows.some((r) => !r.host)) throw new Error(`hosts ${tag}: ps --json shows ${rows.length} sessions, expected ${n} on hosts`);
    p.psMs = median([0, 1, 2].map(() => ms(() => amux("ps", "--json"))));
    const opts = { cwd: dir, env };
    const ps = execsOf("node", [bin, "ps", "--json"], opts, join(base, `strace-hosts-${tag}-ps`));
    p.psSsh = ps.ssh;
    p.psTmux = ps.tmux;
    const tick = JSON.parse(amux("bench-tick", "--ticks", "10"));
    p.tickMs = tick.medianMs;
    p.tickSessions = tick.sessions;
    // The control connections are open (the calls above made them): a traced ssh is a client of
    // its host's master, never a new master that strace would wait for.
    const a = execsOf("node", [bin, "bench-tick", "--ticks", "3"], opts, join(base, `strace-hosts-${tag}-3`));
    const b = execsOf("node", [bin, "bench-tick", "--ticks", "8"], opts, join(base, `strace-hosts-${tag}-8`));
    p.tickSsh = (b.ssh - a.ssh) / 5;
    p.tickTmux = (b.tmux - a.tmux) / 5;
    p.downMs = ms(() => amux("down"));
    log(
      `hosts ${tag}: up ${p.upMs.toFixed(0)} ms, ps ${p.psMs.toFixed(0)} ms (${p.psSsh} ssh), tick ${p.tickMs.toFixed(1)} ms (${p.tickSsh} ssh, ${p.tickTmux} tmux per tick), down ${p.downMs.toFixed(0)} ms`,
    );
    return p;
  } finally {
    USERS.forEach((u, i) => {
      spawnSync("runuser", ["-u", u, "--", "tmux", "-L", sock, "kill-server"], { stdio: "ignore" });
      rmSync(roots[i], { recursive: true, force: true });
    });
  }
}

/** The hosts part: `{ skipped }` when it cannot run here, else both layouts' figures. */
export async function hostsBench(ctx) {
  const why = hostsSkipReason() ?? (has("strace") ? undefined : "needs strace");
  if (why) {
    ctx.log(`hosts: skipped (${why})`);
    return { skipped: why };
  }
  const started = Date.now();
  const lab = await startLab(ctx.base);
  try {
    const two = await scenario(ctx, lab, ["h1", "h2"], "two");
    const one = await scenario(ctx, lab, ["h1"], "one");
    return { agents: HOSTS_N, twoHosts: two, oneHost: one, seconds: Number(((Date.now() - started) / 1000).toFixed(1)) };
  } finally {
    await lab.stop();
  }
}

/**
 * The table's rows for the hosts part. The target: per host, one ssh process per `ps --json` and
 * per tick (whatever the number of its sessions), and none of this machine's tmux per session.
 */
export function hostsRows(h, row, local) {
  if (!h) return;
  if (h.skipped) {
    row("hosts: 2 × 50 agents over ssh", `skipped: ${h.skipped}`, "", "", "", "", "", null);
    return;
  }
  const num = (x, d = 0) => (x === undefined || x === null ? "" : x.toFixed(d));
  const two = h.twoHosts;
  const one = h.oneHost;
  const half = h.agents / 2;
  const localNote = local ? `; local ${h.agents}: ${num(local.psMs)} ms` : "";
  row(
    `ps --json, ${h.agents} agents: 2 hosts × ${half} / 1 host × ${h.agents} (ssh processes)`,
    `${num(two.psMs)} ms (${two.psSsh} ssh) / ${num(one.psMs)} ms (${one.psSsh} ssh)`,
    "",
    "",
    "",
    `×${(two.psMs / one.psMs).toFixed(2)} 2 hosts vs 1${localNote}`,
    "1 ssh per host",
    two.psSsh <= 2 && one.psSsh <= 1,
  );
  const localTick = local ? `; local ${h.agents}: ${num(local.tickMs, 1)} ms` : "";
  row(
    `watch tick, ${h.agents} agents: 2 hosts × ${half} / 1 host × ${h.agents} (ssh per tick)`,
    `${num(two.tickMs, 1)} ms (${num(two.tickSsh, 1)} ssh) / ${num(one.tickMs, 1)} ms (${num(one.tickSsh, 1)} ssh)`,
    "",
    "",
    "",
    `×${(two.tickMs / one.tickMs).toFixed(2)} 2 hosts vs 1${localTick}`,
    "≤ 1 ssh per host",
    two.tickSsh <= 2 && one.tickSsh <= 1,
  );
}
