#!/usr/bin/env node
// npm run bench: amux against the floor, side by side in one run (the contract's check 07 measures
// the same way). Each floor is the least work the contract asks for, done by tmux alone in one
// tmux process, plus Node's start-up, which every amux command pays:
//   up of N replicas   vs N new sessions with 5 labels and output capture each
//   ps --json with N   vs one list of all panes and a capture of each
//   down of N          vs one chained kill of N sessions
// Then the cost of one watch-mode status tick with N agents (target: one tmux round trip, < 30 ms).
// Runs on private tmux sockets only; kills only those servers.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const N = Number(process.env.BENCH_N ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const bin = resolve("dist/amux.js");
const sock = `amux-bench-${process.pid}`;
const raw = `amux-bench-raw-${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), "amux-bench-"));
const env = { ...process.env, AMUX_TMUX_SOCKET: sock, NO_COLOR: "1", CI: "1", SHELL: "/bin/sh" };

function ms(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { env, cwd: dir, encoding: "utf8", maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
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
  rmSync(join(process.env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid()}`, name), { force: true });
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Detection latency: LAT_N fake agents (fixtures/agents/latency) under `amux watch --json`. Each is
// told to show a question, then to answer it, print for a second and stop at its prompt; the agent
// records when it printed (ms), the watcher's event line is timed when it arrives.
const LAT_N = Number(process.env.BENCH_LATENCY_N ?? 20);
const TICK_MS = 1000;
const IDLE_MS = 1000;
const fmtLat = (xs) => {
  const s = xs.slice().sort((a, b) => a - b);
  if (process.env.BENCH_DEBUG) console.log(s.join(" "));
  return `median ${s[Math.floor(s.length / 2)]} ms, max ${s[s.length - 1]} ms`;
};
async function latency() {
  const { spawn } = await import("node:child_process");
  const ldir = mkdtempSync(join(tmpdir(), "amux-bench-lat-"));
  const lsock = `${sock}-lat`;
  const lenv = { ...env, AMUX_TMUX_SOCKET: lsock };
  const stamps = join(ldir, "stamps");
  const agent = resolve("fixtures/agents/latency");
  writeFileSync(
    join(ldir, "amux.compose.yaml"),
    `name: lat\nagents:\n  latency:\n    environment: { LATENCY_FILE: ${JSON.stringify(stamps)} }\n    params: { command: ${JSON.stringify(agent)} }\n    status: { idleAfter: ${IDLE_MS}ms }\nservices:\n  a: { agent: latency, replicas: ${LAT_N} }\n`,
  );
  const names = Array.from({ length: LAT_N }, (_, i) => `lat-a-${i + 1}`);
  const events = [];
  const w = spawn("node", [bin, "watch", "--json", "--interval", `${TICK_MS}ms`], { cwd: ldir, env: lenv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
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
    const lines = (() => {
      try {
        return readFileSync(stamps, "utf8").split("\n");
      } catch {
        return [];
      }
    })();
    const at = new Map();
    for (const l of lines) {
      const [k, session, ms] = l.split(" ");
      if (k === kind) at.set(session, Number(ms));
    }
    return at;
  };
  const out = { waiting: [], idle: [] };
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
    killServer(lsock);
    rmSync(ldir, { recursive: true, force: true });
  }
  return out;
}

mkdirSync(join(dir, ".amux"));
writeFileSync(join(dir, ".amux/config.yaml"), 'agents:\n  sleeper: { name: Sleeper, type: tmux, params: { command: "sleep 100000" } }\n');
writeFileSync(join(dir, "amux.compose.yaml"), `name: bench\nservices:\n  s: { agent: sleeper, replicas: ${N} }\n`);
const upScript = [];
const list = ["list-panes", "-a", "-F", "#{session_name} #{pane_pid} #{pane_dead} #{pane_dead_status} #{window_activity} #{@amux-service}"];
const kill = [];
for (let i = 1; i <= N; i++) {
  upScript.push(
    `new-session -d -s r${i} 'sleep 100000' ; set -t =r${i}: @amux-root ${dir} ; set -t =r${i}: @amux-project bench ; set -t =r${i}: @amux-service s ; set -t =r${i}: @amux-replica ${i} ; set -t =r${i}: @amux-hash v1:0123456789abcdef ; pipe-pane -t =r${i}: 'cat >>/dev/null'`,
  );
  list.push(";", "capture-pane", "-p", "-t", `=r${i}:`);
  kill.push("kill-session", "-t", `=r${i}`, ";");
}
writeFileSync(join(dir, "up.tmux"), `${upScript.join("\n")}\n`);

const res = { up: [], ps: [], down: [], last: "" };
try {
  for (let r = 0; r < ROUNDS; r++) {
    spawnSync("tmux", ["-L", raw, "-f", "/dev/null", "new-session", "-d", "-s", "keep", "sleep 100000"]);
    const node0 = () => ms(() => run("node", ["-e", "0"]));
    const fu = node0() + ms(() => run("tmux", ["-L", raw, "source-file", join(dir, "up.tmux")]));
    const fp = node0() + ms(() => run("tmux", ["-L", raw, ...list]));
    const fd = node0() + ms(() => run("tmux", ["-L", raw, ...kill]));
    killServer(raw);
    spawnSync("tmux", ["-L", sock, "new-session", "-d", "-s", "keep", "sleep 100000"], { env });
    const u = ms(() => run("node", [bin, "up"]));
    const p = ms(() => run("node", [bin, "ps", "--json"]));
    const d = ms(() => run("node", [bin, "down"]));
    res.up.push(u / fu);
    res.ps.push(p / fp);
    res.down.push(d / fd);
    res.last = `up ${u.toFixed(0)}/${fu.toFixed(0)} ms, ps ${p.toFixed(0)}/${fp.toFixed(0)} ms, down ${d.toFixed(0)}/${fd.toFixed(0)} ms`;
  }
  run("node", [bin, "up"]);
  const tick = JSON.parse(run("node", [bin, "bench-tick", "--ticks", "20"]));
  run("node", [bin, "down"]);
  const lat = await latency();
  const f = (x) => `x${median(x).toFixed(2)}`;
  console.log(`amux bench, ${N} agents, median of ${ROUNDS} rounds (amux ms / floor ms):`);
  console.log(`  up ${N}:        ${f(res.up)}`);
  console.log(`  ps --json ${N}: ${f(res.ps)}`);
  console.log(`  down ${N}:      ${f(res.down)}`);
  console.log(`  last round: ${res.last}`);
  console.log(
    `  status tick with ${tick.sessions} agents: ${tick.roundTripsPerTick} tmux round trip(s) per tick, ${tick.medianMs.toFixed(1)} ms median (${tick.p90Ms.toFixed(1)} ms p90) of tmux work`,
  );
  console.log(
    `  detection latency, ${LAT_N} agents under amux watch (tick ${TICK_MS} ms, idleAfter ${IDLE_MS} ms): ` +
      `question -> waiting ${fmtLat(lat.waiting)} (target <= tick + 200 = ${TICK_MS + 200}); output stops at prompt -> idle ${fmtLat(lat.idle)} (target <= idleAfter + tick + 200 = ${IDLE_MS + TICK_MS + 200}; tmux's activity clock has 1 s resolution)`,
  );
  const latOk = Math.max(...lat.waiting) <= TICK_MS + 200 && Math.max(...lat.idle) <= IDLE_MS + TICK_MS + 200;
  if (!latOk) console.log("  detection latency target missed (see above)");
  const ok = median(res.up) <= 2 && median(res.ps) <= 2 && median(res.down) <= 2 && tick.roundTripsPerTick <= 1 && tick.medianMs < 30 && latOk;
  console.log(ok ? "targets met: each within 2.0x of the floor; tick in one round trip under 30 ms" : "TARGETS MISSED");
  process.exitCode = ok ? 0 : 1;
} finally {
  killServer(sock);
  killServer(raw);
  rmSync(dir, { recursive: true, force: true });
}
