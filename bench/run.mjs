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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
  const f = (x) => `x${median(x).toFixed(2)}`;
  console.log(`amux bench, ${N} agents, median of ${ROUNDS} rounds (amux ms / floor ms):`);
  console.log(`  up ${N}:        ${f(res.up)}`);
  console.log(`  ps --json ${N}: ${f(res.ps)}`);
  console.log(`  down ${N}:      ${f(res.down)}`);
  console.log(`  last round: ${res.last}`);
  console.log(
    `  status tick with ${tick.sessions} agents: ${tick.roundTripsPerTick} tmux round trip(s) per tick, ${tick.medianMs.toFixed(1)} ms median (${tick.p90Ms.toFixed(1)} ms p90) of tmux work`,
  );
  const ok = median(res.up) <= 2 && median(res.ps) <= 2 && median(res.down) <= 2 && tick.roundTripsPerTick <= 1 && tick.medianMs < 30;
  console.log(ok ? "targets met: each within 2.0x of the floor; tick in one round trip under 30 ms" : "TARGETS MISSED");
  process.exitCode = ok ? 0 : 1;
} finally {
  killServer(sock);
  killServer(raw);
  rmSync(dir, { recursive: true, force: true });
}
