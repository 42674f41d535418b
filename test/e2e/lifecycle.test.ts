import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { AMUX_BIN, fixture, q, SLOW, sleep, waitFor } from "./harness.js";
import { type EventLine, type LongRun, test } from "./harness-extra.js";

// The lifecycle a person expects: stop stays stopped, start/restart, logs -f that ends,
// bounded history (retention, capped logs, prune), and top on any terminal.

const compose = (services: string, extra = "") => `name: lc\nservices:\n${services}${extra}`;
const listFilesIn = (dir: string) => readdirSync(dir).sort();
const W2 = compose("  w:\n    agent: waits-at-prompt\n    replicas: 2\n");

function statusEvents(w: LongRun, session: string): EventLine[] {
  return w.json<EventLine>().filter((e) => e.type === "status" && e.session === session);
}

describe.concurrent("amux stop under amux watch", { timeout: SLOW }, () => {
  test("a stopped declared replica stays stopped; amux start and amux up bring it back", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("lc", { "amux.compose.yaml": W2 });
    const w = procs.start(["watch", "--json"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).length === 2, 15_000, "the watcher to create 2 replicas");
    await w.waitUntil((p) => statusEvents(p, "lc-w-2").length > 0, 10_000, "lc-w-2 seen by the watcher");

    expect((await repo.amuxOk(["stop", "lc-w-2"])).stdout).toContain("stopped lc-w-2");
    // The event says who stopped it.
    await w.waitUntil((p) => statusEvents(p, "lc-w-2").some((e) => e.to === "stopped"), 10_000, "the stopped event");
    const ev = statusEvents(w, "lc-w-2").find((e) => e.to === "stopped");
    expect(ev?.reason).toBe("stopped by amux stop");
    // Several watcher passes later (a pass a second, and one per record change), it is still gone.
    await sleep(4000);
    expect(await e2e.liveSessions()).toEqual(["lc-w-1"]);
    expect(w.json<EventLine>().filter((e) => e.type === "action" && e.session === "lc-w-2" && e.action === "create")).toHaveLength(1);
    // Plain ps hides it, as compose's ps hides stopped containers; --all shows it stopped.
    expect((await repo.ps()).map((r) => r.name)).toEqual(["lc-w-1"]);
    const all = await repo.ps(["--all"]);
    expect(all.find((r) => r.name === "lc-w-2")?.status).toBe("stopped");
    expect(all.find((r) => r.name === "lc-w-2")?.statusReason).toBe("stopped by amux stop");

    const started = await repo.amuxOk(["start", "lc-w-2"]);
    expect(started.stdout).toContain("started lc-w-2 (started by amux start)");
    await waitFor(async () => (await e2e.liveSessions()).length === 2, 5000, "lc-w-2 back");
    // Started by a person, the watcher keeps it (no hold left).
    await sleep(2000);
    expect(await e2e.liveSessions()).toEqual(["lc-w-1", "lc-w-2"]);

    // Stopped again, then a new `up` starts it, as compose's up does.
    await repo.amuxOk(["stop", "lc-w-1"]);
    // Watcher passes in which it must not come back: an absence, so a fixed window.
    await sleep(2500);
    expect(await e2e.liveSessions()).toEqual(["lc-w-2"]);
    expect((await repo.amuxOk(["up"])).stdout).toContain("lc: 1 created");
    // Watcher passes in which neither may go: an absence, so a fixed window.
    await sleep(2000);
    expect(await e2e.liveSessions()).toEqual(["lc-w-1", "lc-w-2"]);
    expect(w.exit).toBeNull();

    // A new watch is a new `up`: it starts what a stop held before it began.
    await repo.amuxOk(["stop", "lc-w-2"]);
    w.signal("SIGTERM");
    expect(await w.waitExit(10_000)).toEqual({ code: 0, signal: null });
    procs.start(["watch", "--json"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).length === 2, 15_000, "the new watcher to start lc-w-2");
  });

  test("amux events (no watcher) says a session was stopped by amux stop", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("lc");
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "e1", "--no-attach"]);
    const ev = procs.start(["events", "--json"], repo.dir);
    await ev.waitUntil((p) => statusEvents(p, "e1").length > 0, 10_000, "e1 seen");
    await repo.amuxOk(["stop", "e1"]);
    await ev.waitUntil((p) => statusEvents(p, "e1").some((e) => e.to === "stopped"), 10_000, "e1 stopped");
    expect(statusEvents(ev, "e1").find((e) => e.to === "stopped")?.reason).toBe("stopped by amux stop");
  });
});

describe.concurrent("amux start and amux restart", { timeout: SLOW }, () => {
  test("restart respawns in place: same session and log, new process, count back to 0", async ({ e2e }) => {
    const repo = await e2e.newRepo("lc", { "amux.compose.yaml": compose("  w:\n    agent: waits-at-prompt\n") });
    await repo.amuxOk(["up"]);
    await repo.waitForLog("lc-w-1", "fake agent ready");
    const before = await repo.psRow("lc-w-1");
    const pid = await e2e.panePid("lc-w-1");
    await repo.amuxOk(["send", "lc-w-1", "remember me"]);
    await repo.waitForLog("lc-w-1", "got: remember me");

    const r = await repo.amuxOk(["restart", "lc-w-1"]);
    expect(r.stdout).toContain("restarted lc-w-1 (restarted by amux restart)");
    await waitFor(async () => (await e2e.panePid("lc-w-1")) !== pid, 5000, "a new pane process");
    await waitFor(async () => (await repo.logs("lc-w-1")).split("fake agent ready").length === 3, 10_000, "the second banner in the same log");
    const log = await repo.logs("lc-w-1");
    expect(log).toContain("got: remember me");
    const after = await repo.psRow("lc-w-1");
    expect(after?.createdAt).toBe(before?.createdAt);
    expect(after?.restarts).toBe(0);
  });

  test("start: a service's stopped replicas, an exited run session in place; a forgotten run session is exit 2", async ({ e2e }) => {
    const repo = await e2e.newRepo("lc", { "amux.compose.yaml": W2 });
    await repo.amuxOk(["up"]);
    // A service name stops all its replicas, as compose's stop does.
    const stopped = await repo.amuxOk(["stop", "w"]);
    expect(stopped.stdout).toBe("stopped lc-w-1\nstopped lc-w-2\n");
    expect(await e2e.liveSessions()).toEqual([]);
    const s = await repo.amuxOk(["start", "w"]);
    expect(s.stdout).toContain("started lc-w-1 (started by amux start)");
    expect(s.stdout).toContain("started lc-w-2 (started by amux start)");
    expect(await e2e.liveSessions()).toEqual(["lc-w-1", "lc-w-2"]);
    expect((await repo.amuxOk(["start", "lc-w-1"])).stdout).toContain("lc-w-1 is already running");

    // An exited `run` session starts again in place, with what tmux kept for it.
    await repo.amux(["run", "exits-3", "--name", "x3", "--no-attach"]);
    await repo.waitForStatus("x3", "exited");
    await repo.amuxOk(["start", "x3"]);
    await waitFor(async () => (await repo.logs("x3")).split("cannot reach the model").length === 3, 10_000, "x3's second run in its log");

    await repo.amuxOk(["stop", "x3"]);
    const gone = await repo.amux(["start", "x3"]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("amux run exits-3 --name x3");
    const unknown = await repo.amux(["restart", "nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("lc-w-1");
  });
});

describe.concurrent("logs -f and tail end when the sessions do", { timeout: SLOW }, () => {
  test("tail of a finished session prints its history and how it ended, then returns", async ({ e2e }) => {
    const repo = await e2e.newRepo("lc");
    await repo.amux(["run", "exits-3", "--name", "f3", "--no-attach"]);
    await repo.waitForStatus("f3", "exited");
    const r = await repo.amux(["tail", "f3"], { timeoutMs: 10_000 });
    expect(r.timedOut).toBe(false);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fatal: cannot reach the model");
    expect(r.stderr).toContain("── f3 exited with code 3 ──");
  });

  test("logs -f of a live session ends when it is stopped; of a service, when every replica has", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("lc", { "amux.compose.yaml": W2 });
    await repo.amuxOk(["up"]);
    await repo.waitForLog("lc-w-2", "fake agent ready");
    const one = procs.start(["logs", "-f", "lc-w-1"], repo.dir);
    const svc = procs.start(["logs", "-f", "w"], repo.dir);
    await svc.waitUntil((p) => p.stdout.includes("lc-w-2 | fake agent ready"), 10_000, "the service's history");
    await repo.amuxOk(["stop", "lc-w-1"]);
    expect(await one.waitExit(10_000)).toEqual({ code: 0, signal: null });
    expect(one.stderr).toContain("── lc-w-1 stopped ──");
    // One replica of two has ended: the service's follow goes on.
    await sleep(1500);
    expect(svc.exit).toBeNull();
    await repo.amuxOk(["send", "lc-w-2", "still here"]);
    await svc.waitUntil((p) => p.stdout.includes("lc-w-2 | got: still here"), 10_000, "lc-w-2's new line");
    await repo.amuxOk(["stop", "lc-w-2"]);
    expect(await svc.waitExit(10_000)).toEqual({ code: 0, signal: null });
    expect(svc.stderr).toContain("── lc-w-2 stopped ──");
  });
});

describe.concurrent("logs -f of a service with an exited replica", { timeout: SLOW }, () => {
  test("says once that the replica exited and keeps following the live one", async ({ e2e, procs }) => {
    const agent = `agents:\n  mixed:\n    params: { command: ${q(`[ "$AMUX_REPLICA" = 1 ] && { echo one dies; exit 3; }; exec ${fixture("waits-at-prompt")}`)} }\n`;
    const repo = await e2e.newRepo("lc", { "amux.compose.yaml": `name: lc\n${agent}services:\n  m:\n    agent: mixed\n    replicas: 2\n` });
    await repo.amux(["up"]);
    await repo.waitForStatus("lc-m-1", "exited");
    await repo.waitForLog("lc-m-2", "fake agent ready");
    const f = procs.start(["logs", "-f", "m"], repo.dir);
    await f.waitUntil((p) => p.stderr.includes("── lc-m-1 exited with code 3 ──"), 10_000, "the end of lc-m-1");
    // Several polls of the follower, in which it must neither end nor repeat itself: a fixed window.
    await sleep(3000);
    expect(f.exit).toBeNull();
    expect(f.stderr.split("lc-m-1 exited").length - 1).toBe(1);
    await repo.amuxOk(["stop", "lc-m-2"]);
    expect(await f.waitExit(10_000)).toEqual({ code: 0, signal: null });
    expect(f.stdout).toContain("lc-m-1 | one dies");
  });
});

describe.concurrent("bounded history", { timeout: SLOW }, () => {
  test("a chatty agent's log is capped and rotated by its writer", async ({ e2e }) => {
    const chatty = `agents:\n  chatty:\n    params: { command: ${q("seq 1 20000; echo END-OF-OUTPUT; exec sleep 600")} }\n`;
    const repo = await e2e.newRepo("lc", {
      "amux.compose.yaml": `name: lc\n${chatty}services:\n  c:\n    agent: chatty\nlogs:\n  maxSize: 8KB\n  keep: 1\n`,
    });
    await repo.amuxOk(["up"]);
    await repo.waitForLog("lc-c-1", "END-OF-OUTPUT", 20_000);
    const log = join(repo.dir, ".amux", "logs", "lc-c-1.log");
    expect(statSync(log).size).toBeLessThanOrEqual(8192);
    expect(statSync(`${log}.1`).size).toBe(8192);
    expect(existsSync(`${log}.2`)).toBe(false);
    expect(await repo.logs("lc-c-1", ["-n", "2"])).toMatch(/20000\s+END-OF-OUTPUT/);
  });

  test("retention keeps at most maxStopped gone sessions; prune forgets the rest and never a live session's log", async ({ e2e }) => {
    const repo = await e2e.newRepo("lc", { "amux.compose.yaml": `name: lc\nservices: {}\nretention:\n  maxStopped: 2\n` });
    for (const n of ["g1", "g2", "g3", "g4"]) {
      await repo.amuxOk(["run", "waits-at-prompt", "--name", n, "--no-attach"]);
      await repo.amuxOk(["stop", n]);
      // Distinct stop times (ms resolution): retention orders by them.
      await sleep(20);
    }
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "live1", "--no-attach"]);
    await repo.waitForLog("live1", "fake agent ready");
    const stopped = (await repo.ps(["--all"])).filter((r) => r.status === "stopped").map((r) => r.name);
    expect(stopped.sort()).toEqual(["g3", "g4"]);
    // Session logs only (the shared pane and log scripts beside them are amux's own, never pruned).
    const logs = () =>
      readdirSync(join(repo.dir, ".amux", "logs"))
        .filter((f) => !f.startsWith(".amux-"))
        .sort();
    expect(logs()).toEqual(["g3.log", "g4.log", "live1.log"]);

    const p = await repo.amuxOk(["prune"]);
    expect(p.stdout).toContain("- forgot g3");
    expect(p.stdout).toContain("2 sessions forgotten");
    expect(logs()).toEqual(["live1.log"]);
    expect((await repo.ps(["--all"])).map((r) => r.name)).toEqual(["live1"]);
    expect((await repo.amuxOk(["prune"])).stdout).toContain("nothing to prune");
  });

  test("down keeps exactly the records retention keeps (the oldest gone first, then its own beyond maxStopped), a foreign session's name confirms nothing", async ({
    e2e,
  }) => {
    const repo = await e2e.newRepo("lc", {
      "amux.compose.yaml": `name: lc\nservices:\n  w:\n    agent: waits-at-prompt\n    replicas: 3\nretention:\n  maxStopped: 2\n`,
    });
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "old1", "--no-attach"]);
    await repo.amuxOk(["stop", "old1"]);
    await repo.amuxOk(["up"]);
    for (const n of ["lc-w-1", "lc-w-2", "lc-w-3"]) await repo.waitForLog(n, "fake agent ready");
    // Not amux's: a session whose name looks like a kill's confirmation.
    await e2e.tmux(["new-session", "-d", "-s", "@@amux-ok 2", "sleep 1000"]);
    const d = await repo.amuxOk(["down"]);
    expect(d.stdout).toContain("3 sessions removed");
    // Gone at the same instant, by name: lc-w-1 and lc-w-2 are kept; old1 (older) and lc-w-3 are forgotten, logs too.
    expect(listFilesIn(join(repo.dir, ".amux", "state", "sessions"))).toEqual(["lc-w-1.json", "lc-w-2.json"]);
    expect(listFilesIn(join(repo.dir, ".amux", "logs")).filter((f) => !f.startsWith(".amux-"))).toEqual(["lc-w-1.log", "lc-w-2.log"]);
    expect((await repo.ps(["--all"])).map((r) => [r.name, r.status])).toEqual([
      ["lc-w-1", "stopped"],
      ["lc-w-2", "stopped"],
    ]);
    expect(await e2e.liveSessions()).toEqual(["@@amux-ok 2"]);
  });

  test("prune keeps the stop mark of a declared replica (so watch keeps it stopped); prune --all forgets it", async ({ e2e }) => {
    const repo = await e2e.newRepo("lc", { "amux.compose.yaml": W2 });
    await repo.amuxOk(["up"]);
    await repo.amuxOk(["stop", "lc-w-2"]);
    const p = await repo.amuxOk(["prune"]);
    expect(p.stdout).toContain("kept lc-w-2");
    expect((await repo.ps(["--all"])).find((r) => r.name === "lc-w-2")?.status).toBe("stopped");
    const all = await repo.amuxOk(["prune", "--all"]);
    expect(all.stdout).toContain("- forgot lc-w-2");
    expect((await repo.ps(["--all"])).map((r) => r.name)).toEqual(["lc-w-1"]);
  });
});

describe.concurrent("top", { timeout: SLOW }, () => {
  test("FOR counts from the status change, LAST LINE is the screen's, the clock is 24-hour", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("lc");
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "t1", "--no-attach"]);
    await repo.waitForStatus("t1", "idle");
    // Time passing is the point: FOR must count at least these 3 s.
    await sleep(3000);
    const top = procs.start(["top", "--interval", "1s"], repo.dir);
    await top.waitUntil((p) => /^t1 /m.test(p.stdout), 10_000, "a row for t1");
    const row = top.stdout.split("\n").find((l) => l.startsWith("t1 ")) ?? "";
    const cells = row.trim().split(/\s{2,}/);
    // NAME STATUS FOR RESTARTS WORKSPACE LAST LINE
    expect(cells[1]).toBe("idle");
    expect(cells[2]).toMatch(/^\d+s$/);
    expect(Number(cells[2]?.slice(0, -1))).toBeGreaterThanOrEqual(3);
    expect(cells[5]).toBe(">");
    expect(top.stdout).toMatch(/ — ([01]\d|2[0-3]):[0-5]\d:[0-5]\d\n/);
    expect(top.stdout).not.toContain("\x1b[2J");
  });

  test("--help explains every column", async ({ e2e }) => {
    const r = await e2e.amux(["top", "--help"]);
    for (const col of ["NAME", "STATUS", "FOR", "RESTARTS", "WORKSPACE", "LAST LINE", "--interval", "24-hour"]) expect(r.stdout).toContain(col);
  });

  test("a 0-column terminal gets plain lines from top and up", async ({ e2e }) => {
    const repo = await e2e.newRepo("lc", { "amux.compose.yaml": compose("  w:\n    agent: waits-at-prompt\n") });
    const inPty = (cmd: string) =>
      e2e.run("script", ["-qec", `stty cols 0 rows 0; ${cmd}`, "/dev/null"], { cwd: repo.dir, timeoutMs: 30_000, env: { TERM: "xterm" } });
    const amux = `${q(process.execPath)} ${q(AMUX_BIN)}`;
    const up = await inPty(`${amux} up`);
    expect(up.stdout).toContain("+ create lc-w-1 (scale 0 -> 1): done");
    // No cursor movement or line erasing: nothing redrawn.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape sequences are what this looks for
    expect(up.stdout).not.toMatch(/\u001b\[\d*[ABGHJK]/);
    // top runs until killed: two seconds is two redraws' worth.
    const top = await inPty(`${amux} top --interval 1s & sleep 2; kill $!`);
    expect(top.stdout).toMatch(/^lc-w-1 /m);
    expect(top.stdout).not.toContain("\x1b[2J");
  });
});
