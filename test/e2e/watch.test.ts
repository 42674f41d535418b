import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { q, sleep, waitFor } from "./harness.js";
import { type EventLine, isAlive, type LongRun, test } from "./harness-extra.js";

// `amux watch` (up --watch), `amux events`, `amux top`: the supervisor driven black-box.

const compose = (services: string, extra = "") => `name: wp\nservices:\n${services}${extra}`;

/** Waits until the watcher has reported its first pass (a status event for each named session). */
function waitForSessionsSeen(w: LongRun, names: string[], timeoutMs = 10_000) {
  return w.waitUntil(
    (p) => names.every((n) => p.json<EventLine>().some((e) => e.type === "status" && e.session === n)),
    timeoutMs,
    `status events for ${names.join(", ")}`,
  );
}

describe("amux watch converges", () => {
  test("an edit to replicas converges within 2 s of the save", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("wp", { "amux.compose.yaml": compose("  w:\n    agent: waits-at-prompt\n    replicas: 1\n") });
    const w = procs.start(["watch", "--json"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).includes("wp-w-1"), 10_000, "wp-w-1 to be created by the watcher");
    await waitForSessionsSeen(w, ["wp-w-1"]);
    // The first pass has settled (the replica made and at its prompt), so the edit is the only thing going on.
    await w.waitUntil(
      (p) => p.json<EventLine>().some((e) => e.type === "status" && e.session === "wp-w-1" && e.to === "idle"),
      10_000,
      "wp-w-1 idle in the watcher's stream",
    );
    const pid1 = await e2e.panePid("wp-w-1");

    const saved = Date.now();
    repo.write("amux.compose.yaml", compose("  w:\n    agent: waits-at-prompt\n    replicas: 3\n"));
    await waitFor(async () => (await e2e.liveSessions()).length === 3, 5000, "3 sessions after the edit", 20);
    const up = Date.now() - saved;
    expect(await e2e.liveSessions()).toEqual(["wp-w-1", "wp-w-2", "wp-w-3"]);
    expect(up, `3 sessions ${up} ms after the save`).toBeLessThan(2000);
    // Scaling up leaves the running replica alone.
    expect(await e2e.panePid("wp-w-1")).toBe(pid1);

    const down = Date.now();
    repo.write("amux.compose.yaml", compose("  w:\n    agent: waits-at-prompt\n    replicas: 1\n"));
    await waitFor(async () => (await e2e.liveSessions()).length === 1, 5000, "1 session after scaling down", 20);
    expect(Date.now() - down).toBeLessThan(2000);
    expect(await e2e.liveSessions()).toEqual(["wp-w-1"]);
    // tmux has done the work before the watcher hears back and prints it: wait for the lines.
    const actionsOf = (p: LongRun) => p.json<EventLine>().filter((e) => e.type === "action");
    await w.waitUntil((p) => actionsOf(p).length >= 5, 3000, "five action events");
    expect(actionsOf(w).map((a) => `${a.action} ${a.session}`)).toEqual(["create wp-w-1", "create wp-w-2", "create wp-w-3", "remove wp-w-3", "remove wp-w-2"]);
    expect(w.exit).toBeNull();
  });

  test("invalid YAML mid-watch keeps every session and the watcher; fixing it converges", async ({ e2e, procs }) => {
    const good = compose("  w:\n    agent: waits-at-prompt\n    replicas: 2\n");
    const repo = await e2e.newRepo("wp", { "amux.compose.yaml": good });
    const w = procs.start(["watch", "--json"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).length === 2, 10_000, "2 sessions");
    await waitForSessionsSeen(w, ["wp-w-1", "wp-w-2"]);
    const pids = [await e2e.panePid("wp-w-1"), await e2e.panePid("wp-w-2")];

    // Line 4, an unclosed flow sequence: a YAML syntax error, not a schema error.
    repo.write("amux.compose.yaml", "name: wp\nservices:\n  w:\n    agent: [waits-at-prompt\n    replicas: 1\n");
    await w.waitUntil((p) => /amux\.compose\.yaml:\d+:\d+/.test(p.stderr), 5000, "the YAML error with file:line:col on stderr");
    // A second kind of mistake: valid YAML, invalid schema (replicas: -1), also reported by place.
    // Window: nothing may happen to the watcher or the sessions meanwhile (a deadline poll cannot prove an absence).
    await sleep(1500);
    expect(w.exit).toBeNull();
    expect(await e2e.liveSessions()).toEqual(["wp-w-1", "wp-w-2"]);
    expect([await e2e.panePid("wp-w-1"), await e2e.panePid("wp-w-2")]).toEqual(pids);
    repo.write("amux.compose.yaml", compose("  w:\n    agent: waits-at-prompt\n    replicas: -1\n"));
    await w.waitUntil((p) => /amux\.compose\.yaml:5:\d+ services\.w\.replicas/.test(p.stderr), 5000, "the schema error at amux.compose.yaml:5");
    // Window: the invalid file must change nothing (an absence, so a fixed wait).
    await sleep(1500);
    expect(w.exit).toBeNull();
    expect(await e2e.liveSessions()).toEqual(["wp-w-1", "wp-w-2"]);
    expect(w.stderr).not.toContain("    at ");

    const fixed = Date.now();
    repo.write("amux.compose.yaml", compose("  w:\n    agent: waits-at-prompt\n    replicas: 3\n"));
    await waitFor(async () => (await e2e.liveSessions()).length === 3, 5000, "3 sessions once the file is fixed", 20);
    expect(Date.now() - fixed).toBeLessThan(3000);
    expect([await e2e.panePid("wp-w-1"), await e2e.panePid("wp-w-2")]).toEqual(pids);
    const config = w.json<EventLine>().filter((e) => e.type === "config");
    expect(config.some((e) => typeof e.error === "string" && /amux\.compose\.yaml:\d+:\d+/.test(e.error))).toBe(true);
    expect(w.exit).toBeNull();
  });
});

describe("restarts, stuck and hooks", () => {
  test("exits-3 under restart: on-failure, maxRestarts: 3 restarts with growing delays, then is failed", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("wp", {
      "amux.compose.yaml": compose("  crash:\n    agent: exits-3\n    restart: on-failure\n    maxRestarts: 3\n"),
    });
    const w = procs.start(["watch", "--json"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).includes("wp-crash-1"), 10_000, "wp-crash-1 to be created");
    const restarts = (p: LongRun) => p.json<EventLine>().filter((e) => e.type === "action" && e.action === "restart" && e.session === "wp-crash-1");
    // Backoff 1s, 2s, 4s: three restarts take ~7s after the first exit.
    await w.waitUntil((p) => restarts(p).length >= 3, 20_000, "3 restart actions");
    const row = await repo.waitForStatus("wp-crash-1", "failed", 10_000);
    expect(row.restarts).toBe(3);
    expect(row.exitCode).toBe(3);

    // Gaps between restarts grow (backoff 1s, 2s, 4s; tmux's clocks have 1-second resolution, so
    // only the restart-to-restart gaps are compared here, not the first delay).
    const times = restarts(w).map((e) => Date.parse(e.time));
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    expect(gaps[1] as number, `gaps between restarts: ${gaps.join(", ")} ms`).toBeGreaterThan(gaps[0] as number);
    expect(gaps[0] as number, `gaps between restarts: ${gaps.join(", ")} ms`).toBeGreaterThanOrEqual(1000);
    expect(gaps[1] as number, `gaps between restarts: ${gaps.join(", ")} ms`).toBeGreaterThanOrEqual(3000);

    // No fourth restart: the replica stays failed (the next backoff would be 8s; 3s shows it is not retried at a tick).
    await sleep(3000);
    expect(restarts(w)).toHaveLength(3);
    const again = await repo.psRow("wp-crash-1");
    expect(again?.status).toBe("failed");
    expect(again?.restarts).toBe(3);
    // The watcher reported the failed status, once.
    const failed = w.json<EventLine>().filter((e) => e.type === "status" && e.session === "wp-crash-1" && e.to === "failed");
    expect(failed).toHaveLength(1);
    // The same actions are in the project's event log, which `amux events` follows.
    const logged = repo
      .read(".amux/state/events.jsonl")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as EventLine);
    expect(logged.filter((e) => e.type === "action" && e.action === "restart").map((e) => e.time)).toEqual(restarts(w).map((e) => e.time));
  });

  test("each restart waits at least its backoff (1s, 2s, 4s) after the exit", async ({ e2e, procs }) => {
    // An agent that dies late in a wall-clock second (x.9s), noting when: a backoff counted from
    // a whole-second clock would come due almost at once.
    const deaths = join(e2e.tmp, "deaths");
    const agent = join(e2e.tmp, "dies-late");
    writeFileSync(
      agent,
      `#!/bin/sh\nwhile [ "$(date +%N | cut -c1)" -lt 9 ]; do sleep 0.02; done\ndate +%s%N >> '${deaths}'\necho "fatal: dying late in the second"\nexit 3\n`,
    );
    chmodSync(agent, 0o755);
    const repo = await e2e.newRepo("wp", {
      "amux.compose.yaml": `name: wp\nagents:\n  late:\n    params: { command: ${q(agent)} }\nservices:\n  late:\n    agent: late\n    restart: on-failure\n    maxRestarts: 3\n`,
    });
    // A fast tick, so that a restart happens close to when it is due.
    const w = procs.start(["watch", "--json", "--interval", "100ms"], repo.dir);
    const restarts = (p: LongRun) => p.json<EventLine>().filter((e) => e.type === "action" && e.action === "restart");
    await w.waitUntil((p) => restarts(p).length >= 3, 25_000, "3 restart actions");
    await repo.waitForStatus("wp-late-1", "failed", 10_000);
    const died = readFileSync(deaths, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((ns) => Number(BigInt(ns) / 1_000_000n));
    expect(died).toHaveLength(4);
    const delays = restarts(w).map((e, i) => Date.parse(e.time) - (died[i] as number));
    const text = `delays from exit to restart: ${delays.join(", ")} ms; exits at ${died.map((t) => new Date(t).toISOString()).join(", ")}\n${w.stdout}`;
    delays.forEach((d, i) => {
      expect(d, text).toBeGreaterThanOrEqual(1000 * 2 ** i - 100);
      expect(d, text).toBeLessThan(1000 * 2 ** i + 2000);
    });
  });

  test("a silent agent becomes stuck and an on: [notify] hook runs with AMUX_SESSION", async ({ e2e, procs }) => {
    const envFile = join(e2e.tmp, "hook-env.txt");
    const repo = await e2e.newRepo("wp", {
      "amux.compose.yaml": compose(
        "  silent:\n    agent: hangs-silently\n    stuckAfter: 2s\n    onStuck: notify\n",
        `hooks:\n  - on: [notify]\n    run: ${q(`env > '${envFile}'`)}\n    timeout: 5s\n`,
      ),
    });
    const w = procs.start(["watch", "--json"], repo.dir);
    await w.waitUntil(
      (p) => p.json<EventLine>().some((e) => e.type === "status" && e.session === "wp-silent-1" && e.to === "stuck"),
      15_000,
      "wp-silent-1 to turn stuck",
    );
    await w.waitUntil((p) => p.json<EventLine>().some((e) => e.type === "notify" && e.session === "wp-silent-1"), 5000, "a notify event");
    const env = await waitFor(
      () => {
        try {
          const text = readFileSync(envFile, "utf8");
          return text.includes("AMUX_SESSION=") ? text : undefined;
        } catch {
          return undefined;
        }
      },
      10_000,
      `the hook to write ${envFile}`,
    );
    const vars = new Map(
      env
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)] as const),
    );
    expect(vars.get("AMUX_SESSION")).toBe("wp-silent-1");
    expect(vars.get("AMUX_EVENT")).toBe("notify");
    expect(vars.get("AMUX_SERVICE")).toBe("silent");
    expect(vars.get("AMUX_PROJECT")).toBe("wp");
    expect(vars.get("AMUX_STATUS")).toBe("stuck");
    expect((await repo.psRow("wp-silent-1"))?.status).toBe("stuck");
    // The hook ran once (one notify per stuck episode), and the watcher said it succeeded.
    await w.waitUntil((p) => p.json<EventLine>().some((e) => e.type === "hook" && e.session === "wp-silent-1"), 5000, "a hook event");
    expect(w.json<EventLine>().filter((e) => e.type === "notify")).toHaveLength(1);
    expect(w.json<EventLine>().find((e) => e.type === "hook")?.error).toBeUndefined();
  });

  test("the event stream shows each status transition exactly once", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("wp", {
      "amux.compose.yaml": compose(
        [
          "  prompt:\n    agent: waits-at-prompt\n",
          "  silent:\n    agent: hangs-silently\n    stuckAfter: 2s\n",
          "  ask:\n    agent: asks-permission\n",
          "  busy:\n    agent: prints-forever\n",
          "  crash:\n    agent: exits-3\n",
        ].join(""),
      ),
    });
    const w = procs.start(["watch", "--json", "--interval", "500ms"], repo.dir);
    const statusOf = (p: LongRun, s: string) => p.json<EventLine>().filter((e) => e.type === "status" && e.session === s);
    await w.waitUntil(
      (p) =>
        statusOf(p, "wp-silent-1").some((e) => e.to === "stuck") &&
        statusOf(p, "wp-prompt-1").some((e) => e.to === "idle") &&
        statusOf(p, "wp-ask-1").some((e) => e.to === "waiting") &&
        statusOf(p, "wp-crash-1").some((e) => e.to === "exited"),
      20_000,
      "stuck, idle, waiting and exited transitions",
    );
    // Keep ticking a while: a steady fleet must add nothing (an absence over a window, so a fixed wait).
    await sleep(2500);
    // Stopping one session is one more transition, to stopped.
    await repo.amuxOk(["stop", "wp-prompt-1"]);
    await w.waitUntil((p) => statusOf(p, "wp-prompt-1").some((e) => e.to === "stopped" || e.to === undefined), 5000, "wp-prompt-1 to be seen gone");
    // A few more ticks, in which no stray transition may appear (an absence, so a fixed wait).
    await sleep(1200);
    for (const s of ["wp-prompt-1", "wp-silent-1", "wp-ask-1", "wp-busy-1", "wp-crash-1"]) {
      const chain = statusOf(w, s);
      const text = chain.map((e) => `${e.from ?? "new"}->${e.to}`).join(", ");
      expect(chain.length, `${s}: ${text}`).toBeGreaterThan(0);
      expect(chain[0]?.from ?? null, `${s} starts from nothing: ${text}`).toBeNull();
      for (let i = 0; i < chain.length; i++) {
        const e = chain[i] as EventLine;
        expect(e.from, `${s}: a transition to the same status: ${text}`).not.toBe(e.to);
        if (i === 0) continue;
        const before = chain[i - 1]?.to;
        // A session seen gone and then made again (the watcher re-creates a stopped replica) starts over.
        if (before === "stopped" && (e.from ?? null) === null) continue;
        expect(e.from, `${s}: each transition starts where the last ended: ${text}`).toBe(before);
      }
    }
    expect(statusOf(w, "wp-crash-1").map((e) => e.to)).toEqual(["exited"]);
  });
});

describe("status in the watcher's stream", () => {
  test("an agent that prints twice a second stays running: no running -> idle flaps (idleAfter: 1s)", async ({ e2e, procs }) => {
    // It prints in the x.4 and x.9 tenths of every wall-clock second, so it is never quiet for as
    // long as 0.7s. Its idleAfter is 1s: any idle reading is a misreading of the quiet time.
    const agent = join(e2e.tmp, "twice-a-second");
    writeFileSync(
      agent,
      '#!/bin/sh\nwhile :; do f=$(date +%N | cut -c1); if [ "$f" = 4 ] || [ "$f" = 9 ]; then echo "beat $(date +%s.%N)"; sleep 0.15; fi; sleep 0.02; done\n',
    );
    chmodSync(agent, 0o755);
    const repo = await e2e.newRepo("wp", {
      "amux.compose.yaml": `name: wp\nagents:\n  beat:\n    params: { command: ${q(agent)} }\n    status: { idleAfter: 1s }\nservices:\n  beat:\n    agent: beat\n    replicas: 2\n`,
    });
    const w = procs.start(["watch", "--json", "--interval", "250ms"], repo.dir);
    await waitForSessionsSeen(w, ["wp-beat-1", "wp-beat-2"]);
    // Time passing is the point: many ticks, each one a chance to misread the pane as quiet.
    await sleep(5000);
    await repo.waitForLog("wp-beat-1", "beat ");
    const flaps = w.json<EventLine>().filter((e) => e.type === "status" && e.to !== "running");
    expect(flaps.map((e) => `${e.time} ${e.session} ${e.from}->${e.to} (${e.reason})`)).toEqual([]);
  });
});

describe("amux events", () => {
  test("events --json follows the watcher's event log, and the watcher survives being followed", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("wp", { "amux.compose.yaml": compose("  w:\n    agent: waits-at-prompt\n") });
    const w = procs.start(["watch", "--json"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).includes("wp-w-1"), 10_000, "wp-w-1");
    await waitForSessionsSeen(w, ["wp-w-1"]);
    const ev = procs.start(["events", "--json"], repo.dir);
    // Until it follows the log, `amux events` shows nothing: touch the compose file (each save is a
    // "configuration reloaded" event) until one reaches it. Being followed must not hurt the watcher.
    await waitFor(
      () => {
        repo.write("amux.compose.yaml", compose("  w:\n    agent: waits-at-prompt\n"));
        return ev.json<EventLine>().some((e) => e.type === "config");
      },
      15_000,
      "amux events to follow the watcher's log (a config event)",
      500,
    );
    expect(w.exit, `the watcher died while amux events followed it\n${w.output}`).toBeNull();
    expect(ev.stderr).not.toContain("no `amux watch` runs");
    repo.write("amux.compose.yaml", compose("  w:\n    agent: waits-at-prompt\n    replicas: 2\n"));
    await ev.waitUntil(
      (p) => p.json<EventLine>().some((e) => e.type === "action" && e.action === "create" && e.session === "wp-w-2"),
      8000,
      "the watcher's create of wp-w-2 in amux events",
    );
    await ev.waitUntil(
      (p) => p.json<EventLine>().some((e) => e.type === "status" && e.session === "wp-w-2" && e.to === "idle"),
      8000,
      "wp-w-2 turning idle in amux events",
    );
    // Each line is one JSON object with the contract's fields.
    for (const e of ev.json<EventLine>()) {
      expect(typeof e.time).toBe("string");
      expect(["status", "action", "notify", "hook", "config", "workspace"]).toContain(e.type);
    }
    // The same events, not a second tracker's: times match the watcher's own output.
    const watcherTimes = new Set(w.json<EventLine>().map((e) => `${e.type} ${e.session} ${e.time}`));
    for (const e of ev.json<EventLine>()) expect(watcherTimes.has(`${e.type} ${e.session} ${e.time}`), JSON.stringify(e)).toBe(true);
    // Following must not disturb the watcher: a window in which neither may die (an absence, so a fixed wait).
    await sleep(3000);
    expect(w.exit, w.output).toBeNull();
    expect(ev.exit, ev.output).toBeNull();
  });
});

describe("the watcher's life", () => {
  test("SIGTERM leaves the sessions running and exits 0; a new watcher can start after", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("wp", { "amux.compose.yaml": compose("  w:\n    agent: waits-at-prompt\n    replicas: 2\n") });
    const w = procs.start(["watch"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).length === 2, 10_000, "2 sessions");
    await w.waitUntil((p) => p.stdout.includes("wp-w-2"), 5000, "the watcher to print the new sessions");
    const pids = [await e2e.panePid("wp-w-1"), await e2e.panePid("wp-w-2")];
    w.signal("SIGTERM");
    const exit = await w.waitExit(10_000);
    expect(exit, w.output).toEqual({ code: 0, signal: null });
    expect(await e2e.liveSessions()).toEqual(["wp-w-1", "wp-w-2"]);
    expect([await e2e.panePid("wp-w-1"), await e2e.panePid("wp-w-2")]).toEqual(pids);
    for (const pid of pids) expect(isAlive(pid as number)).toBe(true);
    expect(w.stderr).not.toContain("    at ");

    // SIGINT (Ctrl-C) the same; and the lock is free again for the next watcher.
    const w2 = procs.start(["watch"], repo.dir);
    await w2.waitUntil((p) => p.stderr.includes("watching"), 10_000, "the second watcher to start");
    // Its first pass done (it has seen the sessions), so the signal meets a running loop.
    await w2.waitUntil((p) => p.stdout.includes("wp-w-2"), 10_000, "the second watcher to see the sessions");
    w2.signal("SIGINT");
    expect(await w2.waitExit(10_000), w2.output).toEqual({ code: 0, signal: null });
    expect([await e2e.panePid("wp-w-1"), await e2e.panePid("wp-w-2")]).toEqual(pids);
  });

  test("amux down stops the watcher first, so the fleet stays down", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("wp", { "amux.compose.yaml": compose("  w:\n    agent: waits-at-prompt\n    replicas: 2\n") });
    const w = procs.start(["watch"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).length === 2, 10_000, "2 sessions");
    const r = await repo.amuxOk(["down"]);
    expect(r.output).toMatch(/stopped amux watch/);
    expect(await w.waitExit(10_000), w.output).toEqual({ code: 0, signal: null });
    // Nothing brings the fleet back (an absence over a window, so a fixed wait).
    await sleep(2500);
    expect(await e2e.liveSessions()).toEqual([]);
  });

  test("a second amux watch on the same project is refused with exit 1", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("wp", { "amux.compose.yaml": compose("  w:\n    agent: waits-at-prompt\n") });
    const w = procs.start(["watch"], repo.dir);
    await waitFor(async () => (await e2e.liveSessions()).includes("wp-w-1"), 10_000, "wp-w-1");
    await w.waitUntil((p) => p.stderr.includes("watching"), 5000, "the first watcher to start");
    const second = await repo.amux(["watch"], { timeoutMs: 10_000 });
    expect(second.timedOut, "the second watcher ran on instead of being refused").toBe(false);
    expect(second.code, second.output).toBe(1);
    expect(second.stderr).toMatch(/watch/);
    expect(second.output).not.toContain("    at ");
    // `up --watch` is the same command and is refused the same way.
    const third = await repo.amux(["up", "--watch"], { timeoutMs: 10_000 });
    expect(third.code, third.output).toBe(1);
    expect(w.exit).toBeNull();
    expect(await e2e.liveSessions()).toEqual(["wp-w-1"]);
  });

  test("amux top without a TTY prints a table with the session names", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("wp", { "amux.compose.yaml": compose("  w:\n    agent: waits-at-prompt\n    replicas: 2\n") });
    await repo.amuxOk(["up"]);
    await repo.amuxOk(["run", "prints-forever", "--name", "solo", "--no-attach"]);
    const top = procs.start(["top", "--interval", "1s"], repo.dir);
    await top.waitUntil((p) => (p.stdout.match(/NAME/g) ?? []).length >= 2, 10_000, "two tables");
    const text = top.stdout;
    expect(text).not.toContain("\x1b[");
    const table = text.slice(text.indexOf("NAME"));
    expect(table).toMatch(/NAME\s+STATUS/);
    for (const name of ["wp-w-1", "wp-w-2", "solo"]) expect(table).toMatch(new RegExp(`^${name}\\s+(running|idle)`, "m"));
    top.signal("SIGTERM");
    await top.waitExit(5000);
    // ps --watch is the same view.
    const psw = procs.start(["ps", "--watch"], repo.dir);
    await psw.waitUntil((p) => p.stdout.includes("wp-w-2") && p.stdout.includes("solo"), 10_000, "a table from ps --watch");
    expect(psw.stdout).toMatch(/NAME\s+STATUS/);
  });
});
