import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { type E2E, fixture, q, type Repo, SLOW, sleep, waitFor } from "./harness.js";
import { type EventLine, test } from "./harness-extra.js";

// Status truth II: a stalled call is stuck, agents that report their state are believed (and
// checked against the screen), restarts and lost sessions resume the conversation.

const agents = (runs: string) => `agents:
  stalled:
    params: { command: ${q(`${fixture("spinner")} stalled`)} }
    status: { idleAfter: 1s, stuckAfter: 3s, busyPatterns: ["esc to interrupt"] }
  progressing:
    params: { command: ${q(`${fixture("spinner")} progress`)} }
    status: { idleAfter: 1s, stuckAfter: 3s, busyPatterns: ["esc to interrupt"] }
  stalls-resumable:
    environment: { RUNS_FILE: ${q(runs)} }
    params: { command: ${q(`${fixture("spinner")} stalled start`)}, resume: ${q(`${fixture("spinner")} stalled resume`)} }
    status: { idleAfter: 1s, stuckAfter: 3s, busyPatterns: ["esc to interrupt"] }
  reporter:
    params: { command: ${q(fixture("reports-state"))} }
    status: { idleAfter: 1s, promptPatterns: ["^> ?$"], busyPatterns: ["esc to interrupt"] }
  resumable:
    environment: { RUNS_FILE: ${q(runs)} }
    params: { command: ${q(`${fixture("resumable")} start`)}, resume: ${q(`${fixture("resumable")} resume`)} }
    status: { idleAfter: 1s, promptPatterns: ["^> ?$"] }
`;

async function project(e2e: E2E, services: string): Promise<{ repo: Repo; runs: string }> {
  const runs = join(e2e.tmp, `runs-${Math.random().toString(36).slice(2)}`);
  const repo = await e2e.newRepo("st", { "amux.compose.yaml": `name: st\n${agents(runs)}services:\n${services}` });
  return { repo, runs };
}

const runsOf = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

/** Types a line into a pane and presses Enter, as a person would. */
async function typeLine(e2e: E2E, session: string, text: string): Promise<void> {
  await e2e.tmux(["send-keys", "-t", `=${session}:`, "-l", "--", text]);
  await e2e.tmux(["send-keys", "-t", `=${session}:`, "Enter"]);
}

/** Kills the test's tmux server and waits until it is gone (a crash or a reboot, as far as amux can tell). */
async function killServer(e2e: E2E): Promise<void> {
  const r = await e2e.tmux(["display-message", "-p", "#{pid}"]);
  const pid = Number(r.stdout.trim());
  await e2e.tmux(["kill-server"]);
  await waitFor(
    () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    },
    10_000,
    "the tmux server to exit",
    50,
  );
}

describe.concurrent("a stalled call is stuck", { timeout: SLOW }, () => {
  test("a spinner whose only change is its frame and elapsed counter becomes stuck after stuckAfter (3s)", async ({ e2e }) => {
    const { repo } = await project(e2e, "  s:\n    agent: stalled\n");
    await repo.amuxOk(["up"]);
    // The screen never goes quiet: tmux's activity clock keeps moving.
    const first = await repo.waitForStatus("st-s-1", "running", 10_000, 300);
    expect(first.statusSource).toBe("screen");
    const seen = Date.now();
    const stuck = await repo.waitForStatus("st-s-1", "stuck", 20_000, 400);
    expect(Date.now() - seen).toBeGreaterThanOrEqual(2_000);
    expect(stuck.statusReason).toMatch(/without progress/);
    expect(stuck.quietSeconds).toBeLessThanOrEqual(1);
    const wide = await repo.amuxOk(["ps", "--wide"]);
    expect(wide.stdout).toMatch(/st-s-1.*stuck.*busy without progress for \d+s/);
  });

  test("the same spinner with new output every second stays running", async ({ e2e }) => {
    const { repo } = await project(e2e, "  p:\n    agent: progressing\n");
    await repo.amuxOk(["up"]);
    await repo.waitForStatus("st-p-1", "running", 10_000, 300);
    const until = Date.now() + 7_000;
    const statuses: string[] = [];
    while (Date.now() < until) {
      statuses.push((await repo.psRow("st-p-1"))?.status ?? "absent");
      await sleep(400);
    }
    expect(
      statuses.every((s) => s === "running"),
      statuses.join(" "),
    ).toBe(true);
  });

  test("watch: the stall is an event and onStuck: notify says so; onStuck: restart restarts it, resuming", async ({ e2e, procs }) => {
    const { repo, runs } = await project(
      e2e,
      "  s:\n    agent: stalled\n    onStuck: notify\n  r:\n    agent: stalls-resumable\n    onStuck: restart\n    maxRestarts: 1\n",
    );
    const w = procs.start(["watch", "--json"], repo.dir);
    await w.waitUntil((p) => p.json<EventLine>().some((e) => e.type === "notify" && e.session === "st-s-1"), 25_000, "a notify event for the stalled replica");
    const stuck = w.json<EventLine>().find((e) => e.type === "status" && e.session === "st-s-1" && e.to === "stuck");
    expect(stuck?.reason).toMatch(/without progress/);
    await w.waitUntil(
      (p) => p.json<EventLine>().some((e) => e.type === "action" && e.session === "st-r-1" && e.action === "restart" && !e.error),
      25_000,
      "the stuck replica restarted",
    );
    const restart = w.json<EventLine>().find((e) => e.type === "action" && e.session === "st-r-1" && e.action === "restart");
    expect(restart?.reason).toMatch(/^stuck .*onStuck: restart, 1 of 1; resumed$/);
    await waitFor(() => (runsOf(runs).length === 2 ? true : undefined), 10_000, "the resumed run");
    expect(runsOf(runs)).toEqual(["start", "resume"]);
    expect((await repo.psRow("st-r-1"))?.resumed).toEqual(expect.any(String));
  });
});

describe.concurrent("agents that report their state", { timeout: SLOW }, () => {
  test("the pane option is read with the screen: believed, and disagreement is said", async ({ e2e }) => {
    const { repo } = await project(e2e, "  a:\n    agent: reporter\n");
    await repo.amuxOk(["up"]);
    let row = await waitFor(
      async () => {
        const r = await repo.psRow("st-a-1");
        return r?.status === "idle" && r.statusSource === "reported" ? r : undefined;
      },
      10_000,
      "idle, reported",
    );
    expect(row.statusReason).toMatch(/^reported idle/);

    // Waiting by its own word, though the screen shows no question amux would recognise.
    await typeLine(e2e, "st-a-1", "ask");
    row = await repo.waitForStatus("st-a-1", "waiting", 10_000, 300);
    expect(row.statusSource).toBe("reported");
    expect(row.statusReason).toMatch(/reported waiting.*disagrees: screen says/);

    await typeLine(e2e, "st-a-1", "done");
    row = await repo.waitForStatus("st-a-1", "idle", 10_000, 300);
    expect(row.statusSource).toBe("reported");
    expect(row.statusReason).not.toMatch(/disagrees/);

    // Says idle while its screen shows a busy marker: the marker wins, and ps --wide says they disagree.
    await typeLine(e2e, "st-a-1", "lie");
    row = await repo.waitForStatus("st-a-1", "running", 10_000, 300);
    expect(row.statusSource).toBe("screen");
    expect(row.statusReason).toMatch(/disagrees: reported idle/);
    const wide = await repo.amuxOk(["ps", "--wide"]);
    expect(wide.stdout).toMatch(/st-a-1.*running.*disagrees: reported idle/);
  });

  test("a report older than the screen's last output is stale: the screen decides", async ({ e2e }) => {
    const { repo } = await project(e2e, "  a:\n    agent: reporter\n");
    await repo.amuxOk(["up"]);
    await typeLine(e2e, "st-a-1", "ask");
    await repo.waitForStatus("st-a-1", "waiting", 10_000, 300);
    // The question was answered without a new report (as after a permission prompt): output follows.
    // Time passing is the point: the waiting report must be older than the report grace when output comes.
    await sleep(4_500);
    await typeLine(e2e, "st-a-1", "something else");
    const row = await waitFor(
      async () => {
        const r = await repo.psRow("st-a-1");
        return r && r.status !== "waiting" ? r : undefined;
      },
      10_000,
      "the stale waiting report to be set aside",
    );
    expect(row.statusSource).toBe("screen");
  });
});

describe.concurrent("restarts resume the conversation", { timeout: SLOW }, () => {
  test("restart policy resumes; a lost tmux server + up resumes; up --fresh starts clean; the hash never changes", async ({ e2e }) => {
    const { repo, runs } = await project(e2e, "  r:\n    agent: resumable\n    restart: on-failure\n");
    await repo.amuxOk(["up"]);
    await repo.waitForStatus("st-r-1", "idle", 10_000, 300);
    expect(runsOf(runs)).toEqual(["start"]);
    const hash = await e2e.option("st-r-1", "@amux-hash");
    expect((await repo.psRow("st-r-1"))?.resumed).toBeNull();

    // It exits 1: `up` restarts it (after its backoff) with its resume command.
    await typeLine(e2e, "st-r-1", "exit");
    await repo.waitForStatus("st-r-1", "exited", 10_000, 300);
    await waitFor(
      async () => {
        const actions = await repo.plan();
        return actions.some((a) => a.action === "restart") ? actions : undefined;
      },
      10_000,
      "a restart in the plan",
    ).then((actions) => {
      expect(actions[0]).toMatchObject({ action: "restart", session: "st-r-1", resume: true, command: `${fixture("resumable")} resume` });
      expect(actions[0]?.reason).toMatch(/resumed/);
    });
    const up = await repo.amuxOk(["up"]);
    expect(up.output).toMatch(/resumed/);
    await waitFor(() => (runsOf(runs).length === 2 ? true : undefined), 10_000, "the restart to run");
    expect(runsOf(runs)).toEqual(["start", "resume"]);
    const resumed = await repo.waitForStatus("st-r-1", "idle", 10_000, 300);
    expect(resumed.resumed).toEqual(expect.any(String));
    expect(resumed.restarts).toBe(1);
    expect(await e2e.option("st-r-1", "@amux-hash")).toBe(hash);
    expect(await repo.plan()).toEqual([]);

    // The tmux server goes away (a crash, a reboot); the workspace and amux's records remain.
    await killServer(e2e);
    const plan = await repo.plan();
    expect(plan).toEqual([expect.objectContaining({ action: "create", session: "st-r-1", resume: true })]);
    expect(plan[0]?.reason).toMatch(/was running before; resumed/);
    await repo.amuxOk(["up"]);
    await waitFor(() => (runsOf(runs).length === 3 ? true : undefined), 10_000, "the re-creation to run");
    expect(runsOf(runs)).toEqual(["start", "resume", "resume"]);
    expect(await e2e.option("st-r-1", "@amux-hash")).toBe(hash);
    expect((await repo.psRow("st-r-1"))?.resumed).toEqual(expect.any(String));

    // up --fresh starts clean.
    await killServer(e2e);
    await repo.amuxOk(["up", "--fresh"]);
    await waitFor(() => (runsOf(runs).length === 4 ? true : undefined), 10_000, "the fresh start to run");
    expect(runsOf(runs)).toEqual(["start", "resume", "resume", "start"]);
    expect((await repo.psRow("st-r-1"))?.resumed).toBeNull();

    // down, then up: stopped on purpose, so it starts clean.
    await repo.amuxOk(["down"]);
    await repo.amuxOk(["up"]);
    await waitFor(() => (runsOf(runs).length === 5 ? true : undefined), 10_000, "the start after down");
    expect(runsOf(runs)[4]).toBe("start");
  });
});
