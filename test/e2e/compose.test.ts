import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { type E2E, type PlanAction, REPO_ROOT, type Repo, SLOW, sleep, test } from "./harness.js";

// The compose reconciler, black-box: up / plan / down against a real tmux server per test.

const FLEET = `name: fl
services:
  a: { agent: waits-at-prompt, replicas: 3 }
  b: { agent: prints-forever, environment: { MODE: one } }
`;

async function fleet(e2e: E2E, compose = FLEET): Promise<Repo> {
  return e2e.newRepo("fleet", { "amux.compose.yaml": compose });
}

const acts = (actions: PlanAction[]) => actions.map((a) => `${a.action}:${a.session}`);

/** `ps` (human) rows as [name cell, service cell] from its table. */
function psTable(stdout: string): { name: string; service: string; drift: string }[] {
  const lines = stdout.split("\n").filter((l) => l.trim() && !/^[*?] /.test(l));
  expect(lines[0]).toMatch(/^NAME\s+SERVICE\s.*\sDRIFT$/);
  return lines.slice(1).map((l) => {
    const cells = l.split(/\s{2,}/);
    return { name: cells[0] ?? "", service: cells[1] ?? "", drift: cells[cells.length - 1] ?? "" };
  });
}

describe.concurrent("up from nothing", { timeout: SLOW }, () => {
  test("makes exactly the declared sessions, each labelled with its identity", async ({ e2e }) => {
    const repo = await fleet(e2e);
    const r = await repo.amuxOk(["up"]);
    expect(r.output).not.toMatch(/duplicate session/i);
    expect(await e2e.liveSessions()).toEqual(["fl-a-1", "fl-a-2", "fl-a-3", "fl-b-1"]);
    for (const [name, service, replica, agent] of [
      ["fl-a-1", "a", "1", "waits-at-prompt"],
      ["fl-a-2", "a", "2", "waits-at-prompt"],
      ["fl-a-3", "a", "3", "waits-at-prompt"],
      ["fl-b-1", "b", "1", "prints-forever"],
    ] as const) {
      expect(await e2e.option(name, "@amux-root"), name).toBe(repo.dir);
      expect(await e2e.option(name, "@amux-project"), name).toBe("fl");
      expect(await e2e.option(name, "@amux-service"), name).toBe(service);
      expect(await e2e.option(name, "@amux-replica"), name).toBe(replica);
      expect(await e2e.option(name, "@amux-agent"), name).toBe(agent);
      expect(await e2e.option(name, "@amux-hash"), name).toMatch(/\S{6,}/);
    }
    expect(await e2e.option("fl-a-1", "@amux-hash")).not.toBe(await e2e.option("fl-b-1", "@amux-hash"));
    const rows = await repo.ps();
    expect(rows.map((x) => [x.name, x.project, x.service, x.replica, x.agent])).toEqual([
      ["fl-a-1", "fl", "a", 1, "waits-at-prompt"],
      ["fl-a-2", "fl", "a", 2, "waits-at-prompt"],
      ["fl-a-3", "fl", "a", 3, "waits-at-prompt"],
      ["fl-b-1", "fl", "b", 1, "prints-forever"],
    ]);
    // A run session carries root, project and agent, but no service.
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "adhoc", "--no-attach"]);
    expect(await e2e.option("adhoc", "@amux-root")).toBe(repo.dir);
    expect(await e2e.option("adhoc", "@amux-project")).toBe("fl");
    expect(await e2e.option("adhoc", "@amux-agent")).toBe("waits-at-prompt");
    expect(await e2e.option("adhoc", "@amux-service")).toBeUndefined();
    expect(await repo.gitStatus()).toBe("");
  });

  test("a second up changes nothing and says so", async ({ e2e }) => {
    const repo = await fleet(e2e);
    await repo.amuxOk(["up"]);
    const names = await e2e.liveSessions();
    const pids = await Promise.all(names.map((n) => e2e.panePid(n)));
    const hashes = await Promise.all(names.map((n) => e2e.option(n, "@amux-hash")));
    const again = await repo.amuxOk(["up"]);
    expect(again.output).toMatch(/nothing to do/i);
    expect(again.output).not.toMatch(/\b(create|recreate|remove)d?\b.*fl-/);
    expect(await e2e.liveSessions()).toEqual(names);
    expect(await Promise.all(names.map((n) => e2e.panePid(n)))).toEqual(pids);
    expect(await Promise.all(names.map((n) => e2e.option(n, "@amux-hash")))).toEqual(hashes);
    expect(await repo.plan()).toEqual([]);
  });

  test("plan --json and up --dry-run --json: the contract's shape, and nothing changes", async ({ e2e }) => {
    const repo = await fleet(e2e);
    const before = JSON.parse((await repo.amuxOk(["plan", "--json"])).stdout) as { actions: PlanAction[] };
    expect(Array.isArray(before.actions)).toBe(true);
    expect(acts(before.actions).sort()).toEqual(["create:fl-a-1", "create:fl-a-2", "create:fl-a-3", "create:fl-b-1"]);
    for (const a of before.actions) {
      expect(Object.keys(a)).toEqual(expect.arrayContaining(["action", "session", "service", "replica", "reason"]));
      expect(a.service).toBe(a.session.split("-")[1]);
      expect(a.replica).toBe(Number(a.session.split("-")[2]));
      expect(typeof a.reason).toBe("string");
      expect(a.reason.length).toBeGreaterThan(0);
    }
    const dry = JSON.parse((await repo.amuxOk(["up", "--dry-run", "--json"])).stdout) as { actions: PlanAction[] };
    expect(dry.actions).toEqual(before.actions);
    // The human plan: one line per action, with its reason.
    const human = (await repo.amuxOk(["plan"])).stdout.split("\n").filter((l) => /fl-[ab]-\d/.test(l));
    expect(human).toHaveLength(4);
    for (const l of human) expect(l).toMatch(/^\+ create fl-[ab]-\d \(.+\)$/);
    expect(await e2e.liveSessions()).toEqual([]);
    await repo.amuxOk(["up"]);
    expect(JSON.parse((await repo.amuxOk(["plan", "--json"])).stdout)).toMatchObject({ actions: [] });
  });
});

describe.concurrent("up after the compose file changes", { timeout: SLOW }, () => {
  test("scale 3 -> 1 removes the highest replicas first; scale up adds the next one", async ({ e2e }) => {
    const repo = await fleet(e2e);
    await repo.amuxOk(["up"]);
    const p1 = await e2e.panePid("fl-a-1");
    repo.write("amux.compose.yaml", FLEET.replace("replicas: 3", "replicas: 1"));
    const plan = await repo.plan();
    expect(acts(plan)).toEqual(["remove:fl-a-3", "remove:fl-a-2"]);
    expect(plan[0]?.reason).toMatch(/3\s*->\s*1/);
    await repo.amuxOk(["up"]);
    expect(await e2e.liveSessions()).toEqual(["fl-a-1", "fl-b-1"]);
    expect(await e2e.panePid("fl-a-1")).toBe(p1);
    repo.write("amux.compose.yaml", FLEET.replace("replicas: 3", "replicas: 2"));
    expect(acts(await repo.plan())).toEqual(["create:fl-a-2"]);
    await repo.amuxOk(["up"]);
    expect(await e2e.liveSessions()).toEqual(["fl-a-1", "fl-a-2", "fl-b-1"]);
    expect(await e2e.panePid("fl-a-1")).toBe(p1);
  });

  test("an environment change: ps marks the drift, plan names environment.MODE, up recreates only that replica", async ({ e2e }) => {
    const repo = await fleet(e2e);
    await repo.amuxOk(["up"]);
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "adhoc", "--no-attach"]);
    const pa = await e2e.panePid("fl-a-1");
    const pb = await e2e.panePid("fl-b-1");
    repo.write("amux.compose.yaml", FLEET.replace("MODE: one", "MODE: two"));
    // ps (human): grouped by service, run sessions last, the drifted replica marked with * in its own column.
    const table = psTable((await repo.amuxOk(["ps"])).stdout);
    expect(table.map((r) => r.name)).toEqual(["fl-a-1", "fl-a-2", "fl-a-3", "fl-b-1", "adhoc"]);
    expect(table.map((r) => r.drift)).toEqual(["-", "-", "-", "*", "-"]);
    expect(table.map((r) => r.service).slice(0, 4)).toEqual(["a", "a", "a", "b"]);
    const plan = await repo.plan();
    expect(acts(plan)).toEqual(["recreate:fl-b-1"]);
    expect(plan[0]?.reason).toContain("environment.MODE");
    expect((await repo.amuxOk(["plan"])).stdout).toContain("environment.MODE");
    await repo.amuxOk(["up"]);
    const pb2 = await e2e.panePid("fl-b-1");
    expect(pb2).toBeGreaterThan(0);
    expect(pb2).not.toBe(pb);
    expect(await e2e.panePid("fl-a-1")).toBe(pa);
    expect(await e2e.liveSessions()).toEqual(["adhoc", "fl-a-1", "fl-a-2", "fl-a-3", "fl-b-1"]);
    expect(psTable((await repo.amuxOk(["ps"])).stdout).map((r) => r.drift)).toEqual(["-", "-", "-", "-", "-"]);
    expect(await repo.plan()).toEqual([]);
  });

  test("orphans are kept and warned about without --remove-orphans, removed with it; run sessions never", async ({ e2e }) => {
    const repo = await fleet(e2e);
    await repo.amuxOk(["up"]);
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "adhoc", "--no-attach"]);
    const pa = await e2e.panePid("fl-a-1");
    const pb = await e2e.panePid("fl-b-1");
    repo.write("amux.compose.yaml", "name: fl\nservices:\n  a: { agent: waits-at-prompt, replicas: 3 }\n");
    const kept = await repo.amuxOk(["up"]);
    expect(kept.output).toMatch(/orphan/i);
    expect(kept.output).toContain("fl-b-1");
    expect(await e2e.panePid("fl-b-1")).toBe(pb);
    expect(acts(await repo.plan(["--remove-orphans"]))).toEqual(["remove:fl-b-1"]);
    await repo.amuxOk(["up", "--remove-orphans"]);
    expect(await e2e.liveSessions()).toEqual(["adhoc", "fl-a-1", "fl-a-2", "fl-a-3"]);
    expect(await e2e.panePid("fl-a-1")).toBe(pa);
    // Even a compose file with no services at all leaves run sessions alone.
    repo.write("amux.compose.yaml", "name: fl\nservices: {}\n");
    await repo.amuxOk(["up", "--remove-orphans"]);
    expect(await e2e.liveSessions()).toEqual(["adhoc"]);
  });
});

describe.concurrent("up with others around", { timeout: SLOW }, () => {
  test("a foreign session holding a managed name is untouched and reported; up does the rest and exits 1", async ({ e2e }) => {
    const repo = await fleet(e2e, "name: fl\nservices:\n  a: { agent: waits-at-prompt }\n  c: { agent: waits-at-prompt }\n");
    const made = await e2e.tmux(["new-session", "-d", "-s", "fl-c-1", "sleep 1000"]);
    expect(made.code, made.output).toBe(0);
    const fp = await e2e.panePid("fl-c-1");
    const r = await repo.amux(["up"]);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain("fl-c-1");
    expect(r.output).not.toContain("    at ");
    expect(await e2e.panePid("fl-c-1")).toBe(fp);
    expect(await e2e.option("fl-c-1", "@amux-root")).toBeUndefined();
    expect(await e2e.liveSessions()).toEqual(["fl-a-1", "fl-c-1"]);
    // Not ours: ps does not list it, down does not remove it.
    expect((await repo.ps()).map((x) => x.name)).toEqual(["fl-a-1"]);
    await repo.amuxOk(["down"]);
    expect(await e2e.liveSessions()).toEqual(["fl-c-1"]);
    expect(await e2e.panePid("fl-c-1")).toBe(fp);
  });

  test("two concurrent ups leave exactly the declared sessions", async ({ e2e }) => {
    const repo = await fleet(e2e, "name: fl\nservices:\n  a: { agent: waits-at-prompt, replicas: 5 }\n");
    const [r1, r2] = await Promise.all([repo.amux(["up"]), repo.amux(["up"])]);
    for (const r of [r1, r2]) {
      expect(r.output).not.toMatch(/duplicate session/i);
      expect(r.output).not.toContain("    at ");
      if (r.code !== 0) expect(r.stderr.trim(), "a refused up says why").not.toBe("");
    }
    expect([r1.code, r2.code]).toContain(0);
    expect(await e2e.liveSessions()).toEqual(["fl-a-1", "fl-a-2", "fl-a-3", "fl-a-4", "fl-a-5"]);
    const rows = await repo.ps();
    expect(rows.filter((x) => x.service === "a").map((x) => x.replica)).toEqual([1, 2, 3, 4, 5]);
    expect(await repo.plan()).toEqual([]);
  });
});

describe.concurrent("prompts and environment", { timeout: SLOW }, () => {
  test("a service prompt is delivered once the agent is ready, once only", async ({ e2e }) => {
    const repo = await fleet(e2e, 'name: fl\nservices:\n  a: { agent: waits-at-prompt, replicas: 2, prompt: "write the tests" }\n');
    await repo.amuxOk(["up"]);
    for (const s of ["fl-a-1", "fl-a-2"]) {
      const log = await repo.waitForLog(s, "got: write the tests");
      // Typed at the prompt, after the banner: the agent was ready for it.
      expect(log.indexOf("fake agent ready")).toBeLessThan(log.indexOf("got: write the tests"));
    }
    await repo.amuxOk(["up"]);
    // A second delivery is what must not happen: an absence, so a short fixed window.
    await sleep(500);
    for (const s of ["fl-a-1", "fl-a-2"]) expect((await repo.logs(s)).split("got: write the tests").length - 1, s).toBe(1);
  });

  test("service environment is merged over the agent's; each replica gets its AMUX_* variables", async ({ e2e }) => {
    const repo = await fleet(e2e, "name: fl\nservices:\n  e: { agent: prints-env, replicas: 2, environment: { MODEL: sonnet } }\n");
    await repo.amuxOk(["up"]);
    for (const s of ["fl-e-1", "fl-e-2"]) await repo.waitForLog(s, `MODEL=sonnet TOKEN_LEN=${e2e.secret.length} SESSION=${s} PROJECT=fl`);
  });

  test("secrets stay out of plan and ps, even when they change", async ({ e2e }) => {
    const repo = await fleet(e2e, "name: fl\nservices:\n  e: { agent: prints-env }\n");
    await repo.amuxOk(["up"]);
    const next = `${e2e.secret}-rotated`;
    const texts = [
      (await repo.amuxOk(["plan", "--json"], { env: { SOME_VAR: next } })).output,
      (await repo.amuxOk(["plan"], { env: { SOME_VAR: next } })).output,
      (await repo.amuxOk(["ps", "--json"], { env: { SOME_VAR: next } })).output,
    ];
    const plan = JSON.parse(texts[0] ?? "") as { actions: PlanAction[] };
    expect(acts(plan.actions)).toEqual(["recreate:fl-e-1"]);
    expect(plan.actions[0]?.reason).toContain("SECRET_TOKEN");
    for (const t of texts) {
      expect(t).not.toContain(e2e.secret);
      expect(t).not.toContain(next);
    }
  });
});

describe.concurrent("up --wait", { timeout: SLOW }, () => {
  test("returns 0 once every replica is running or idle", async ({ e2e }) => {
    const repo = await fleet(e2e);
    const r = await repo.amux(["up", "--wait"]);
    expect(r.code, r.output).toBe(0);
    for (const row of await repo.ps()) expect(["running", "idle"], row.name).toContain(row.status);
  });

  test("exits 1 soon, naming a replica that exited", async ({ e2e }) => {
    const repo = await fleet(e2e, "name: fl\nservices:\n  a: { agent: waits-at-prompt }\n  x: { agent: exits-3 }\n");
    // The timeout only bounds this test if amux keeps waiting for an agent that already exited.
    const r = await repo.amux(["up", "--wait", "--wait-timeout", "12s"]);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain("fl-x-1");
    // The healthy replica is not blamed.
    for (const l of r.output.split("\n").filter((x) => x.includes("fl-a-1"))) expect(l).not.toMatch(/not ready|exited|fail/i);
    // An exited replica (restart: no) will not become healthy: nothing to wait for.
    expect(r.ms).toBeLessThan(10_000);
  });
});

describe.concurrent("logs, down, and the example fleet", { timeout: SLOW }, () => {
  test("logs <service> prefixes each line with its session's name", async ({ e2e }) => {
    const repo = await fleet(e2e, "name: fl\nservices:\n  a: { agent: waits-at-prompt, replicas: 2 }\n");
    await repo.amuxOk(["up"]);
    await repo.waitForLog("fl-a-1", "fake agent ready");
    await repo.waitForLog("fl-a-2", "fake agent ready");
    const lines = (await repo.logs("a")).split("\n").filter(Boolean);
    for (const l of lines) expect(l).toMatch(/^fl-a-[12] \| /);
    expect(lines).toContain("fl-a-1 | fake agent ready");
    expect(lines).toContain("fl-a-2 | fake agent ready");
  });

  test("down after the compose file is deleted removes every session, run sessions too; git stays clean", async ({ e2e }) => {
    const repo = await fleet(e2e);
    await repo.amuxOk(["up"]);
    expect(await repo.gitStatus()).toBe("");
    await repo.amuxOk(["run", "waits-at-prompt", "--name", "adhoc", "--no-attach"]);
    repo.rm("amux.compose.yaml");
    const r = await repo.amuxOk(["down"]);
    expect(r.output).not.toContain("    at ");
    expect(await e2e.liveSessions()).toEqual([]);
    const all = await repo.ps(["--all"]);
    for (const n of ["adhoc", "fl-a-1", "fl-a-2", "fl-a-3", "fl-b-1"]) expect(all.find((x) => x.name === n)?.status, n).toBe("stopped");
    expect(await repo.gitStatus()).toBe(" D amux.compose.yaml\n");
    await repo.git(["checkout", "-q", "amux.compose.yaml"]);
    expect(await repo.gitStatus()).toBe("");
    // And down on an empty project is fine.
    await repo.amuxOk(["down"]);
  });

  test("the example fleet comes up healthy and goes down", async ({ e2e }) => {
    const repo = await e2e.newRepo("example", {}, { fixtureAgents: false });
    mkdirSync(join(repo.dir, "fixtures"), { recursive: true });
    copyFileSync(join(REPO_ROOT, "amux.compose.example.yaml"), join(repo.dir, "amux.compose.example.yaml"));
    copyFileSync(join(REPO_ROOT, "fixtures", "demo-agent.mjs"), join(repo.dir, "fixtures", "demo-agent.mjs"));
    await repo.git(["add", "-A"]);
    await repo.git(["commit", "-qm", "example"]);
    const f = ["-f", "amux.compose.example.yaml"];
    const up = await repo.amux(["up", ...f, "--wait"]);
    expect(up.code, up.output).toBe(0);
    expect(await e2e.liveSessions()).toEqual(["example-coder-1", "example-coder-2", "example-reviewer-1"]);
    for (let i = 0; i < 2; i++) {
      for (const row of await repo.ps(f)) expect(["running", "idle"], `${row.name}: ${row.status}`).toContain(row.status);
      // Healthy twice, a second apart: staying up over time is the point, so a fixed wait.
      await sleep(1000);
    }
    // The coders got their task.
    await repo.waitForLog("example-coder-1", "Add a health check endpoint");
    expect(await repo.gitStatus()).toBe("");
    await repo.amuxOk(["down", ...f]);
    expect(await e2e.liveSessions()).toEqual([]);
    expect(await repo.gitStatus()).toBe("");
  });
});
