#!/usr/bin/env node
// npm run bench: amux's speed in one run (under 3 minutes on 2 cores), printed as one table and
// written to bench/results.json.
//
// 1. Against the floor, side by side (interleaved rounds, the median of the per-round ratios, as
//    contract check 07 measures). Each floor is the least work the contract asks for, done by tmux
//    alone in one tmux process, plus Node's start-up (`node -e 0`), which every amux command pays:
//      up of 100 replicas   vs 100 new sessions with 5 labels and output capture each
//      ps --json with 100   vs one list of all panes and a capture of each
//      down of 100          vs one chained kill of 100 sessions
//      amux --version       vs node -e 0 (start-up alone; no target)
// 2. Against peers on the same 20 sessions, each running `sleep 100000`: tmuxp (`tmuxp load -d`,
//    all 20 workspace files in one call; it has no `down`, so a kill-session per session) and
//    tmuxinator (`start --no-attach` / `stop` per project). Installed here when missing (apt, as
//    root), never by `npm test`.
// 3. Scale: `up`, `ps --json`, one watch-mode status tick and `down` at 10, 100 and 500 agents, and
//    the cost per agent (it must stay flat: per agent at 500 <= 1.5x per agent at 100). The tick's
//    tmux processes are counted with strace (one per tick is the target).
// 4. `amux watch` at 100 agents over BENCH_WATCH_S (60) seconds: CPU (% of one core, its own and
//    its tmux clients', the live control client's too, from /proc/<pid>/stat), peak RSS (VmHWM), and the tmux server's CPU.
// 5. How fast `amux watch` notices a question or a quiet prompt (20 fake agents).
// 6. Hosts (bench/hosts.mjs): `ps --json` and a watch tick with 100 agents as 2 loopback hosts × 50
//    against 1 host × 100, the ssh processes of each counted with strace (one per host is the
//    target); a "skipped" row without root and sshd.
//
// Every scenario runs on its own private tmux socket under a temporary HOME; the bench kills only
// the servers it started and never talks to the default tmux server (its socket is checked).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { hostsBench, hostsRows } from "./hosts.mjs";

const N = Number(process.env.BENCH_N ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PEER_N = Number(process.env.BENCH_PEER_N ?? 20);
const PEER_ROUNDS = Number(process.env.BENCH_PEER_ROUNDS ?? 3);
// tmuxinator starts Ruby twice per session (start and stop): ~10 s a round for 20, so it takes
// part in the first round(s) only; its ratio is still side by side with amux in the same round.
const TMUXINATOR_ROUNDS = Number(process.env.BENCH_TMUXINATOR_ROUNDS ?? 1);
const SCALES = (process.env.BENCH_SCALES ?? "10,100,500").split(",").map(Number);
const WATCH_AT = Number(process.env.BENCH_WATCH_AT ?? 100);
const WATCH_S = Number(process.env.BENCH_WATCH_S ?? 60);
const LAT_N = Number(process.env.BENCH_LATENCY_N ?? 20);
const OUT = resolve(process.env.BENCH_OUT ?? "bench/results.json");
const TARGET = { up: 1.25, ps: 1.2, down: 1.15, peerUp: 10, perAgent: 1.5, tickTrips: 1, tickMs: 10, watchCpu: 2, watchRssMb: 100 };

const started = Date.now();
const bin = resolve("dist/amux.js");
const base = mkdtempSync(join(tmpdir(), "amux-bench-"));
const home = join(base, "home");
mkdirSync(home);
const baseEnv = { ...process.env, HOME: home, NO_COLOR: "1", CI: "1", SHELL: "/bin/sh" };
delete baseEnv.TMUX;
delete baseEnv.TMUX_PANE;
delete baseEnv.AMUX_TMUX_SOCKET;
const tmuxDir = join(process.env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid()}`);
const defaultSocket = join(tmuxDir, "default");
const defaultBefore = existsSync(defaultSocket);
const servers = new Set();
/** Detached watchers still running (their own process groups: Ctrl-C does not reach them). */
const watchers = new Set();
const sockName = (tag) => `amux-bench-${process.pid}-${tag}`;
const log = (s) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${s}\n`);

function ms(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { env: baseEnv, cwd: base, encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}
const has = (cmd) => spawnSync("sh", ["-c", 'command -v "$1"', "sh", cmd]).status === 0;
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sessionsOn = (sock) => {
  const r = spawnSync("tmux", ["-L", sock, "list-sessions", "-F", "#{session_name}"], { encoding: "utf8", env: baseEnv });
  return r.status === 0 ? r.stdout.split("\n").filter(Boolean) : [];
};
function expectSessions(sock, n, what) {
  const got = sessionsOn(sock).length;
  if (got !== n) throw new Error(`${what}: ${got} sessions on tmux socket ${sock}, expected ${n}`);
}
/** A server on a private socket holding one session of its own, so that no step pays tmux's start. */
function startServer(sock) {
  servers.add(sock);
  run("tmux", ["-L", sock, "-f", "/dev/null", "new-session", "-d", "-s", "keep", "sleep 100000"]);
}
function killServer(name) {
  const pid = spawnSync("tmux", ["-L", name, "display", "-p", "#{pid}"], { encoding: "utf8" }).stdout.trim();
  spawnSync("tmux", ["-L", name, "kill-server"]);
  for (let i = 0; pid && i < 100; i++) {
    try {
      process.kill(Number(pid), 0);
    } catch {
      break;
    }
    execFileSync("sleep", ["0.05"]);
  }
  rmSync(join(tmuxDir, name), { force: true });
  servers.delete(name);
}

/** A project of n `sleep 100000` replicas on its own socket. */
function fleet(tag, n, project = tag) {
  const dir = join(base, tag);
  mkdirSync(join(dir, ".amux"), { recursive: true });
  writeFileSync(join(dir, ".amux/config.yaml"), 'agents:\n  sleeper: { name: Sleeper, type: tmux, params: { command: "sleep 100000" } }\n');
  writeFileSync(join(dir, "amux.compose.yaml"), `name: ${project}\nservices:\n  s: { agent: sleeper, replicas: ${n} }\n`);
  const sock = sockName(tag);
  const env = { ...baseEnv, AMUX_TMUX_SOCKET: sock };
  const amux = (...args) => run("node", [bin, ...args], { cwd: dir, env });
  return { dir, sock, env, n, amux };
}

// ---- machine -------------------------------------------------------------------------------
const version = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim().split("\n")[0] : null;
};
const machine = {
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
  node: process.version,
  tmux: version("tmux", ["-V"]),
  loadavg: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number),
  date: new Date().toISOString(),
};

// ---- peers: install when missing -------------------------------------------------------------
function ensurePeers() {
  const missing = ["tmuxp", "tmuxinator"].filter((c) => !has(c));
  if (!missing.length) return;
  if (process.getuid() !== 0 || !has("apt-get")) {
    log(`${missing.join(", ")} not installed (not root or no apt-get): their rows are skipped`);
    return;
  }
  log(`installing ${missing.join(" ")} (apt-get)`);
  const apt = (...args) => spawnSync("apt-get", args, { env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }, encoding: "utf8" });
  let r = apt("install", "-y", "--no-install-recommends", ...missing);
  // No package lists yet (a fresh container): fetch them once and try again.
  if (r.status !== 0 && apt("update").status === 0) r = apt("install", "-y", "--no-install-recommends", ...missing);
  if (r.status !== 0) log(`apt-get install failed: ${(r.stderr || r.stdout).trim().split("\n").pop()}`);
}

// ---- 1. side by side with the floor -----------------------------------------------------------
/** The floor's three steps for n sessions, on a private server `raw`: each one tmux process plus `node -e 0`. */
function floorOf(n, dir, raw, tag) {
  const upScript = [];
  const list = ["list-panes", "-a", "-F", "#{session_name} #{pane_pid} #{pane_dead} #{pane_dead_status} #{window_activity} #{@amux-service}"];
  const kill = [];
  for (let i = 1; i <= n; i++) {
    upScript.push(
      `new-session -d -s r${i} 'sleep 100000' ; set -t =r${i}: @amux-root ${dir} ; set -t =r${i}: @amux-project bench ; set -t =r${i}: @amux-service s ; set -t =r${i}: @amux-replica ${i} ; set -t =r${i}: @amux-hash v1:0123456789abcdef ; pipe-pane -t =r${i}: 'cat >>/dev/null'`,
    );
    list.push(";", "capture-pane", "-p", "-t", `=r${i}:`);
    kill.push("kill-session", "-t", `=r${i}`, ";");
  }
  const upFile = join(base, `up-${tag}.tmux`);
  writeFileSync(upFile, `${upScript.join("\n")}\n`);
  const node0 = () => ms(() => run("node", ["-e", "0"]));
  return {
    up: () => node0() + ms(() => run("tmux", ["-L", raw, "source-file", upFile])),
    ps: () => node0() + ms(() => run("tmux", ["-L", raw, ...list])),
    down: () => node0() + ms(() => run("tmux", ["-L", raw, ...kill])),
    version: node0,
  };
}

function floorRounds() {
  const f = fleet("floor", N, "bench");
  const raw = sockName("raw");
  const fl = floorOf(N, f.dir, raw, "floor");
  const rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    startServer(raw);
    const floor = { up: fl.up(), ps: fl.ps(), down: fl.down(), version: fl.version() };
    killServer(raw);
    startServer(f.sock);
    const amux = {};
    amux.up = ms(() => f.amux("up"));
    expectSessions(f.sock, N + 1, "amux up");
    amux.ps = ms(() => f.amux("ps", "--json"));
    amux.down = ms(() => f.amux("down"));
    expectSessions(f.sock, 1, "amux down");
    amux.version = ms(() => f.amux("--version"));
    killServer(f.sock);
    rounds.push({ amux, floor });
    log(
      `floor round ${r + 1}/${ROUNDS}: up ${amux.up.toFixed(0)}/${floor.up.toFixed(0)} ms, ps ${amux.ps.toFixed(0)}/${floor.ps.toFixed(0)} ms, down ${amux.down.toFixed(0)}/${floor.down.toFixed(0)} ms`,
    );
  }
  const out = {};
  for (const k of ["up", "ps", "down", "version"]) {
    out[k] = {
      amuxMs: median(rounds.map((r) => r.amux[k])),
      floorMs: median(rounds.map((r) => r.floor[k])),
      ratio: median(rounds.map((r) => r.amux[k] / r.floor[k])),
      rounds: rounds.map((r) => ({ amuxMs: r.amux[k], floorMs: r.floor[k] })),
    };
  }
  return out;
}

// ---- 2. peers ---------------------------------------------------------------------------------
function peerRounds() {
  const f = fleet("peers", PEER_N);
  const tools = {
    tmuxp: has("tmuxp") ? { sock: sockName("tmuxp") } : null,
    tmuxinator: has("tmuxinator") ? { sock: sockName("tmuxinator") } : null,
  };
  const names = (p) => Array.from({ length: PEER_N }, (_, i) => `${p}-${i + 1}`);
  if (tools.tmuxp) {
    const d = join(base, "tmuxp");
    mkdirSync(d);
    tools.tmuxp.files = names("tp").map((n) => {
      const file = join(d, `${n}.yaml`);
      writeFileSync(file, `session_name: ${n}\nstart_directory: ${f.dir}\nwindows:\n  - window_name: main\n    panes:\n      - sleep 100000\n`);
      return file;
    });
    tools.tmuxp.up = () => run("tmuxp", ["load", "-L", tools.tmuxp.sock, "-d", "-y", ...tools.tmuxp.files]);
    tools.tmuxp.down = () => {
      for (const n of names("tp")) run("tmux", ["-L", tools.tmuxp.sock, "kill-session", "-t", `=${n}`]);
    };
    tools.tmuxp.mine = (s) => s.startsWith("tp-");
  }
  if (tools.tmuxinator) {
    const d = join(home, ".config/tmuxinator");
    mkdirSync(d, { recursive: true });
    for (const n of names("tx"))
      writeFileSync(join(d, `${n}.yml`), `name: ${n}\nroot: ${f.dir}\nsocket_name: ${tools.tmuxinator.sock}\nwindows:\n  - main: sleep 100000\n`);
    tools.tmuxinator.up = () => {
      for (const n of names("tx")) run("tmuxinator", ["start", n, "--no-attach"]);
    };
    tools.tmuxinator.down = () => {
      for (const n of names("tx")) run("tmuxinator", ["stop", n]);
    };
    tools.tmuxinator.mine = (s) => s.startsWith("tx-");
  }
  const rounds = [];
  for (let r = 0; r < PEER_ROUNDS; r++) {
    const round = {};
    startServer(f.sock);
    round.amux = { up: ms(() => f.amux("up")) };
    expectSessions(f.sock, PEER_N + 1, "amux up");
    round.amux.down = ms(() => f.amux("down"));
    expectSessions(f.sock, 1, "amux down");
    killServer(f.sock);
    for (const [name, t] of Object.entries(tools)) {
      if (!t || t.failed || (name === "tmuxinator" && r >= TMUXINATOR_ROUNDS)) continue;
      startServer(t.sock);
      try {
        const up = ms(t.up);
        // The peer's sessions are on its private socket, and only there.
        const got = sessionsOn(t.sock).filter(t.mine).length;
        if (got !== PEER_N) throw new Error(`${got} sessions on its private socket ${t.sock}, expected ${PEER_N}`);
        const down = ms(t.down);
        expectSessions(t.sock, 1, `${name} down`);
        round[name] = { up, down };
      } catch (e) {
        // A peer that does not work here is a row that says so, not a bench that stops.
        t.failed = String(e.message ?? e).split("\n")[0];
        log(`${name} failed: ${t.failed}`);
      } finally {
        killServer(t.sock);
      }
    }
    rounds.push(round);
    log(
      `peers round ${r + 1}/${PEER_ROUNDS}: ${Object.entries(round)
        .map(([k, v]) => `${k} up ${v.up.toFixed(0)} down ${v.down.toFixed(0)} ms`)
        .join(", ")}`,
    );
  }
  const out = { sessions: PEER_N, rounds };
  for (const name of ["amux", "tmuxp", "tmuxinator"]) {
    if (name !== "amux" && !tools[name]) {
      out[name] = { installed: false };
      continue;
    }
    const mine = rounds.filter((r) => r[name]);
    if (!mine.length) {
      out[name] = { installed: true, failed: tools[name]?.failed ?? "no round" };
      continue;
    }
    out[name] = {
      installed: true,
      rounds: mine.length,
      upMs: median(mine.map((r) => r[name].up)),
      downMs: median(mine.map((r) => r[name].down)),
      // How many times slower than amux, the median of the per-round ratios.
      upVsAmux: median(mine.map((r) => r[name].up / r.amux.up)),
      downVsAmux: median(mine.map((r) => r[name].down / r.amux.down)),
    };
  }
  out.tmuxp.version = out.tmuxp.installed ? version("tmuxp", ["--version"]) : null;
  out.tmuxinator.version = out.tmuxinator.installed ? version("tmuxinator", ["version"]) : null;
  return out;
}

// ---- 3. scale, and 4. watch -------------------------------------------------------------------
/** tmux processes a status tick starts, counted with strace (ticks 8 minus ticks 3, over 5). */
function tmuxPerTick(f) {
  if (!has("strace")) return null;
  const count = (ticks) => {
    const file = join(base, `strace-${ticks}`);
    const r = spawnSync(
      "strace",
      ["-f", "-qq", "--status=successful", "-e", "trace=execve", "-e", "signal=none", "-o", file, "node", bin, "bench-tick", "--ticks", String(ticks)],
      {
        cwd: f.dir,
        env: f.env,
        encoding: "utf8",
      },
    );
    if (r.status !== 0) return null;
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => /execve\("[^"]*\/tmux"/.test(l)).length;
  };
  const a = count(3);
  const b = count(8);
  return a === null || b === null ? null : (b - a) / 5;
}

const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;
/** CPU seconds of a process: its own, and with its reaped children (the tmux clients it ran). */
function cpuOf(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = s
    .slice(s.lastIndexOf(")") + 2)
    .split(" ")
    .map(Number);
  // Fields 14-17 of proc(5): utime stime cutime cstime; f[0] is field 3.
  return { self: (f[11] + f[12]) / CLK_TCK, all: (f[11] + f[12] + f[13] + f[14]) / CLK_TCK };
}
/**
 * CPU seconds of a process's live children (a watcher's tmux control client runs as long as it
 * does: its time is in no cutime until it is reaped). pid -> own seconds.
 */
function liveChildrenCpu(pid) {
  const out = new Map();
  let kids = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").split(" ").filter(Boolean).map(Number);
  } catch {}
  for (const k of kids) {
    try {
      out.set(k, cpuOf(k).self);
    } catch {}
  }
  return out;
}
/** A watcher's CPU between two looks: its own, its reaped children's, and its live children's. */
function watcherCpu(a, b, kidsA, kidsB) {
  let s = b.all - a.all;
  for (const v of kidsB.values()) s += v;
  for (const v of kidsA.values()) s -= v;
  return s;
}
const statusKb = (pid, key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

async function watchWindow(f, seconds) {
  const w = spawn("node", [bin, "watch"], { cwd: f.dir, env: f.env, detached: true, stdio: ["ignore", "ignore", "pipe"] });
  watchers.add(w.pid);
  let err = "";
  w.stderr.on("data", (d) => {
    err += d;
  });
  const sleepMs = (n) => new Promise((r) => setTimeout(r, n));
  try {
    for (const end = Date.now() + 30_000; !err.includes("watching"); await sleepMs(50))
      if (Date.now() > end || w.exitCode !== null) throw new Error(`amux watch did not start: ${err}`);
    await sleepMs(2000); // its first pass (converge, first capture of every pane) is start-up, not steady state
    const serverPid = Number(run("tmux", ["-L", f.sock, "display", "-p", "#{pid}"], { env: f.env }).trim());
    const w0 = cpuOf(w.pid);
    const k0 = liveChildrenCpu(w.pid);
    const s0 = cpuOf(serverPid);
    const t0 = process.hrtime.bigint();
    let rssMax = 0;
    for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleepMs(1000)) rssMax = Math.max(rssMax, statusKb(w.pid, "VmRSS"));
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const w1 = cpuOf(w.pid);
    const k1 = liveChildrenCpu(w.pid);
    const s1 = cpuOf(serverPid);
    const hwm = statusKb(w.pid, "VmHWM");
    return {
      agents: f.n,
      windowS: Number(wall.toFixed(1)),
      cpuPct: (100 * watcherCpu(w0, w1, k0, k1)) / wall,
      cpuOwnPct: (100 * (w1.self - w0.self)) / wall,
      rssMaxMb: rssMax / 1024,
      hwmMb: hwm / 1024,
      tmuxServerCpuPct: (100 * (s1.self - s0.self)) / wall,
    };
  } finally {
    try {
      process.kill(-w.pid, "SIGTERM");
    } catch {}
    await new Promise((r) => (w.exitCode !== null ? r() : w.once("exit", r)));
    watchers.delete(w.pid);
  }
}

async function scale() {
  const out = { points: [], watch: null, tmuxPerTick: null };
  for (const n of SCALES) {
    const f = fleet(`scale${n}`, n);
    const p = { agents: n, floor: {} };
    // The floor at the same scale, just before: it tells tmux's own growth from amux's.
    const raw = sockName(`raw${n}`);
    const fl = floorOf(n, f.dir, raw, `scale${n}`);
    startServer(raw);
    p.floor.upMs = fl.up();
    p.floor.psMs = fl.ps();
    p.floor.downMs = fl.down();
    killServer(raw);
    startServer(f.sock);
    p.upMs = ms(() => f.amux("up"));
    expectSessions(f.sock, n + 1, `amux up of ${n}`);
    p.psMs = median([0, 1, 2].map(() => ms(() => f.amux("ps", "--json"))));
    const tick = JSON.parse(f.amux("bench-tick", "--ticks", "10"));
    p.tickMs = tick.medianMs;
    p.tickP90Ms = tick.p90Ms;
    p.tickRoundTrips = tick.roundTripsPerTick;
    if (n === WATCH_AT) {
      out.tmuxPerTick = tmuxPerTick(f);
      log(`watch at ${n} agents: sampling for ${WATCH_S} s`);
      out.watch = await watchWindow(f, WATCH_S);
    }
    p.downMs = ms(() => f.amux("down"));
    expectSessions(f.sock, 1, `amux down of ${n}`);
    killServer(f.sock);
    for (const k of ["up", "ps", "tick", "down"]) p[`${k}PerAgentMs`] = p[`${k}Ms`] / n;
    for (const k of ["up", "ps", "down"]) p.floor[`${k}PerAgentMs`] = p.floor[`${k}Ms`] / n;
    out.points.push(p);
    log(`scale ${n}: up ${p.upMs.toFixed(0)} ms, ps ${p.psMs.toFixed(0)} ms, tick ${p.tickMs.toFixed(1)} ms, down ${p.downMs.toFixed(0)} ms`);
  }
  return out;
}

// ---- 5. detection latency ---------------------------------------------------------------------
// LAT_N fake agents (fixtures/agents/latency) under `amux watch --json`. Each is told to show a
// question, then to answer it, print for a second and stop at its prompt; the agent records when
// it printed (ms), the watcher's event line is timed when it arrives.
const TICK_MS = 1000;
const IDLE_MS = 1000;
async function latency() {
  const ldir = join(base, "latency");
  mkdirSync(ldir);
  const lsock = sockName("lat");
  servers.add(lsock);
  const lenv = { ...baseEnv, AMUX_TMUX_SOCKET: lsock };
  const stamps = join(ldir, "stamps");
  const agent = resolve("fixtures/agents/latency");
  writeFileSync(
    join(ldir, "amux.compose.yaml"),
    `name: lat\nagents:\n  latency:\n    environment: { LATENCY_FILE: ${JSON.stringify(stamps)} }\n    params: { command: ${JSON.stringify(agent)} }\n    status: { idleAfter: ${IDLE_MS}ms }\nservices:\n  a: { agent: latency, replicas: ${LAT_N} }\n`,
  );
  const names = Array.from({ length: LAT_N }, (_, i) => `lat-a-${i + 1}`);
  const events = [];
  const w = spawn("node", [bin, "watch", "--json", "--interval", `${TICK_MS}ms`], { cwd: ldir, env: lenv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  watchers.add(w.pid);
  let buf = "";
  w.stdout.on("data", (d) => {
    buf += d.toString("utf8");
    let i = buf.indexOf("\n");
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const e = JSON.parse(line);
        if (e.type === "status") events.push({ ...e, at: Date.now() });
      } catch {}
      i = buf.indexOf("\n");
    }
  });
  const sleepMs = (n) => new Promise((r) => setTimeout(r, n));
  const until = async (pred, what, ms = 30_000) => {
    for (const end = Date.now() + ms; Date.now() < end; await sleepMs(20)) if (pred()) return;
    throw new Error(`latency bench: no ${what} within ${ms} ms`);
  };
  const last = (n) => events.filter((e) => e.session === n).at(-1)?.to;
  const send = (key) => run("tmux", ["-L", lsock, ...names.flatMap((n, i) => [...(i ? [";"] : []), "send-keys", "-t", `=${n}:`, key, "Enter"])], { env: lenv });
  const stampsOf = (kind) => {
    const at = new Map();
    const text = existsSync(stamps) ? readFileSync(stamps, "utf8") : "";
    for (const l of text.split("\n")) {
      const [k, session, t] = l.split(" ");
      if (k === kind) at.set(session, Number(t));
    }
    return at;
  };
  const out = { agents: LAT_N, tickMs: TICK_MS, idleAfterMs: IDLE_MS, waiting: [], idle: [] };
  try {
    await until(() => names.every((n) => last(n) === "idle"), "idle agents after start");
    for (let round = 0; round < 2; round++) {
      const mark = events.length;
      send("q");
      await until(() => names.every((n) => events.slice(mark).some((e) => e.session === n && e.to === "waiting")), "waiting events");
      const asked = stampsOf("waiting");
      for (const n of names) out.waiting.push(events.slice(mark).find((e) => e.session === n && e.to === "waiting").at - asked.get(n));
      const mark2 = events.length;
      send("y");
      await until(() => names.every((n) => events.slice(mark2).some((e) => e.session === n && e.to === "idle")), "idle events");
      const stopped = stampsOf("idle");
      for (const n of names) out.idle.push(events.slice(mark2).find((e) => e.session === n && e.to === "idle").at - stopped.get(n));
    }
  } finally {
    try {
      process.kill(-w.pid, "SIGKILL");
    } catch {}
    watchers.delete(w.pid);
    killServer(lsock);
  }
  const sum = (xs) => ({ medianMs: median(xs), maxMs: Math.max(...xs) });
  return { ...out, waiting: sum(out.waiting), idle: sum(out.idle) };
}

// ---- the table --------------------------------------------------------------------------------
function table(r) {
  const rows = [];
  const num = (x, d = 0) => (x === undefined || x === null ? "" : x.toFixed(d));
  const mark = (ok) => (ok === null ? "" : ok ? "ok" : "MISS");
  const row = (what, amux, floor, tmuxp, tmuxinator, ratio, target, ok) => rows.push({ what, amux, floor, tmuxp, tmuxinator, ratio, target, ok: mark(ok) });
  const fl = r.floor;
  const vs = (k, label, t) =>
    row(label, `${num(fl[k].amuxMs)} ms`, `${num(fl[k].floorMs)} ms`, "", "", `×${fl[k].ratio.toFixed(2)}`, t ? `≤ ${t}×` : "", t ? fl[k].ratio <= t : null);
  vs("up", `up ${N}`, TARGET.up);
  vs("ps", `ps --json ${N}`, TARGET.ps);
  vs("down", `down ${N}`, TARGET.down);
  vs("version", "start-up (--version / node -e 0)", null);
  const p = r.peers;
  const measured = (t) => t.installed && !t.failed;
  const peer = (k) => (t) => (!t.installed ? "not installed" : t.failed ? "failed" : `${num(t[`${k}Ms`])} ms`);
  const slower = (k) =>
    `÷ amux: ${[p.tmuxp, p.tmuxinator].map((t) => (measured(t) ? `×${t[`${k}VsAmux`].toFixed(t[`${k}VsAmux`] < 1 ? 2 : 1)}` : "–")).join(" / ")}`;
  row(
    `up ${p.sessions}`,
    `${num(p.amux.upMs)} ms`,
    "",
    peer("up")(p.tmuxp),
    peer("up")(p.tmuxinator),
    slower("up"),
    `tmuxp ≥ ${TARGET.peerUp}×`,
    measured(p.tmuxp) ? p.tmuxp.upVsAmux >= TARGET.peerUp : null,
  );
  row(`down ${p.sessions}`, `${num(p.amux.downMs)} ms`, "", peer("down")(p.tmuxp), peer("down")(p.tmuxinator), slower("down"), "", null);
  const pts = r.scale.points;
  const at = (n) => pts.find((x) => x.agents === n);
  const [lo, hi] = [at(100), at(500)];
  for (const [k, label] of [
    ["up", "up"],
    ["ps", "ps --json"],
    ["tick", "watch tick"],
    ["down", "down"],
  ]) {
    const flat = lo && hi ? hi[`${k}PerAgentMs`] / lo[`${k}PerAgentMs`] : null;
    row(
      `${label} at ${pts.map((x) => x.agents).join("/")} (ms per agent)`,
      pts.map((x) => `${num(x[`${k}Ms`], k === "tick" ? 1 : 0)} (${num(x[`${k}PerAgentMs`], 2)})`).join(" / "),
      k === "tick" ? "" : pts.map((x) => `${num(x.floor[`${k}Ms`])} (${num(x.floor[`${k}PerAgentMs`], 2)})`).join(" / "),
      "",
      "",
      flat === null
        ? ""
        : `×${flat.toFixed(2)} per agent 500 vs 100${k === "tick" ? "" : ` (floor ×${(hi.floor[`${k}PerAgentMs`] / lo.floor[`${k}PerAgentMs`]).toFixed(2)})`}`,
      k === "down" ? "" : `≤ ${TARGET.perAgent}×`,
      flat === null || k === "down" ? null : flat <= TARGET.perAgent,
    );
  }
  const w = r.scale.watch;
  const wp = at(WATCH_AT);
  if (wp) {
    const trips = r.scale.tmuxPerTick ?? wp.tickRoundTrips;
    row(
      `tick at ${WATCH_AT}: tmux processes per tick${r.scale.tmuxPerTick === null ? " (tracker's count)" : " (strace)"}`,
      num(trips, 1),
      "",
      "",
      "",
      "",
      `≤ ${TARGET.tickTrips}`,
      trips <= TARGET.tickTrips,
    );
    row(`tick at ${WATCH_AT}: median time`, `${num(wp.tickMs, 1)} ms`, "", "", "", "", `≤ ${TARGET.tickMs} ms`, wp.tickMs <= TARGET.tickMs);
  }
  if (w) {
    row(
      `watch ${w.agents}, ${w.windowS} s: CPU (own + tmux clients)`,
      `${num(w.cpuPct, 2)}% (${num(w.cpuOwnPct, 2)}% own)`,
      "",
      "",
      "",
      "",
      `≤ ${TARGET.watchCpu}%`,
      w.cpuPct <= TARGET.watchCpu,
    );
    row(
      `watch ${w.agents}: peak RSS (VmHWM; max in window)`,
      `${num(w.hwmMb, 0)} MB (${num(w.rssMaxMb, 0)} MB)`,
      "",
      "",
      "",
      "",
      `≤ ${TARGET.watchRssMb} MB`,
      w.hwmMb <= TARGET.watchRssMb,
    );
    row(`watch ${w.agents}: tmux server CPU`, `${num(w.tmuxServerCpuPct, 2)}%`, "", "", "", "", "", null);
  }
  const l = r.latency;
  if (l) {
    row(
      `latency ${l.agents}: question -> waiting (median/max)`,
      `${l.waiting.medianMs}/${l.waiting.maxMs} ms`,
      "",
      "",
      "",
      "",
      `≤ ${l.tickMs + 200} ms`,
      l.waiting.maxMs <= l.tickMs + 200,
    );
    row(
      `latency ${l.agents}: quiet prompt -> idle (median/max)`,
      `${l.idle.medianMs}/${l.idle.maxMs} ms`,
      "",
      "",
      "",
      "",
      `≤ ${l.idleAfterMs + l.tickMs + 200} ms`,
      l.idle.maxMs <= l.idleAfterMs + l.tickMs + 200,
    );
  }
  hostsRows(r.hosts, row, at(100));
  const cols = ["what", "amux", "floor", "tmuxp", "tmuxinator", "ratio", "target", "ok"];
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((x) => [...x[c]].length))]));
  const line = (x) =>
    cols
      .map((c) => x[c] + " ".repeat(width[c] - [...x[c]].length))
      .join("  ")
      .trimEnd();
  return { rows, text: [line(Object.fromEntries(cols.map((c) => [c, c]))), ...rows.map(line)].join("\n") };
}

// ---- main -------------------------------------------------------------------------------------
const results = { machine };
// Ctrl-C: the servers this bench started go too (spawnSync returns once its child got the signal).
for (const sig of ["SIGINT", "SIGTERM"])
  process.once(sig, () => {
    for (const pid of watchers)
      try {
        process.kill(-pid, "SIGKILL");
      } catch {}
    for (const s of [...servers]) killServer(s);
    rmSync(base, { recursive: true, force: true });
    process.exit(130);
  });
try {
  ensurePeers();
  log(`side by side with the floor: ${N} agents, ${ROUNDS} rounds`);
  results.floor = floorRounds();
  log(`peers: ${PEER_N} sessions, ${PEER_ROUNDS} rounds`);
  results.peers = peerRounds();
  log(`scale: ${SCALES.join(", ")} agents`);
  results.scale = await scale();
  results.hosts = await hostsBench({ base, bin, baseEnv, log });
  if (LAT_N > 0) {
    log(`detection latency: ${LAT_N} agents`);
    results.latency = await latency();
  }
  results.defaultTmuxServer = { socketBefore: defaultBefore, socketAfter: existsSync(defaultSocket) };
  if (!defaultBefore && results.defaultTmuxServer.socketAfter) throw new Error("the default tmux server was started during the bench");
  results.seconds = Number(((Date.now() - started) / 1000).toFixed(1));
  machine.loadavgAtEnd = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).map(Number);
  const t = table(results);
  results.table = t.rows;
  results.allTargetsMet = t.rows.every((x) => x.ok !== "MISS");
  writeFileSync(OUT, `${JSON.stringify(results, null, 2)}\n`);
  console.log(
    `amux bench — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node.slice(1)}, ${machine.tmux}; load average ${machine.loadavg.join(" ")} at start, ${machine.loadavgAtEnd.join(" ")} at end; ${results.seconds} s`,
  );
  console.log(
    `(ratios: medians of per-round ratios, interleaved rounds: ${ROUNDS} against the floor, ${PEER_ROUNDS} against tmuxp, ${Math.min(TMUXINATOR_ROUNDS, PEER_ROUNDS)} against tmuxinator)`,
  );
  console.log(t.text);
  console.log(
    results.allTargetsMet
      ? "all targets met"
      : `TARGETS MISSED: ${t.rows
          .filter((x) => x.ok === "MISS")
          .map((x) => x.what)
          .join("; ")}`,
  );
  if (results.seconds > 180)
    console.log(`the bench took ${results.seconds} s, over its 3 minutes: load average ${machine.loadavgAtEnd.join(" ")} at the end (${machine.cores} cores)`);
  console.log(`written: ${OUT}`);
  process.exitCode = results.allTargetsMet ? 0 : 1;
} finally {
  for (const s of [...servers]) killServer(s);
  rmSync(base, { recursive: true, force: true });
}
