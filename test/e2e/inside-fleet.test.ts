import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { AMUX_BIN, fixture, q, SLOW, waitFor } from "./harness.js";
import { test } from "./harness-extra.js";
import { mcpClient } from "./mcp-client.js";

// amux run from inside its own fleet: in a workspace (a linked worktree of the project), by a
// shell, by an agent, or by an MCP client an agent started, means the project's fleet.

const COMPOSE = "name: inw\nservices:\n  team:\n    agent: waits-at-prompt\n    workspace: team\n";

describe.concurrent("inside a workspace of the project", { timeout: SLOW }, () => {
  test("ps, plan and up from a workspace (and a folder inside it) see the main checkout's fleet", async ({ e2e }) => {
    const repo = await e2e.newRepo("inw", { "amux.compose.yaml": COMPOSE, "src/keep.txt": "x\n" });
    await repo.amuxOk(["up"]);
    const ws = join(`${repo.dir}.worktrees`, "team");
    for (const cwd of [ws, join(ws, "src")]) {
      const ps = await e2e.amux(["ps", "--json"], { cwd });
      expect(ps.code, ps.output).toBe(0);
      expect((JSON.parse(ps.stdout) as { name: string }[]).map((r) => r.name)).toEqual(["inw-team-1"]);
      const plan = await e2e.amux(["plan"], { cwd });
      expect(plan.code, plan.output).toBe(0);
      expect(plan.output).not.toMatch(/conflict/);
      expect(plan.stdout).toMatch(/nothing to do, 1 session up to date/i);
      const up = await e2e.amux(["up"], { cwd });
      expect(up.code, up.output).toBe(0);
      expect(up.stdout).toMatch(/nothing to do, 1 session up to date/i);
    }
    expect(await e2e.liveSessions()).toEqual(["inw-team-1"]);
  });

  test("an agent running amux in its workspace sees its own fleet; -C elsewhere wins over its environment", async ({ e2e }) => {
    const other = await e2e.newRepo("other", { "amux.compose.yaml": "name: oth\nservices: {}\n" });
    const out = join(e2e.tmp, "agent-ps.json");
    const out2 = join(e2e.tmp, "agent-ps-other.txt");
    const cmd = `${q(process.execPath)} ${q(AMUX_BIN)} ps --json > ${q(out)}; ${q(process.execPath)} ${q(AMUX_BIN)} -C ${q(other.dir)} ps > ${q(out2)}; exec ${q(fixture("waits-at-prompt"))}`;
    const repo = await e2e.newRepo("inw", {
      "amux.compose.yaml": `name: inw\nagents:\n  selfish:\n    params: { command: ${q(cmd)} }\nservices:\n  team:\n    agent: selfish\n    workspace: team\n`,
    });
    await repo.amuxOk(["up"]);
    const { readFileSync, existsSync } = await import("node:fs");
    await waitFor(() => existsSync(out2) && readFileSync(out2, "utf8").length > 0, 20_000, "the agent's amux calls");
    const rows = JSON.parse(readFileSync(out, "utf8")) as { name: string }[];
    expect(rows.map((r) => r.name)).toEqual(["inw-team-1"]);
    expect(readFileSync(out2, "utf8")).toMatch(/no sessions/);
  });

  test("AMUX_ROOT and AMUX_PROJECT, as agents carry them, locate the project from anywhere", async ({ e2e }) => {
    const repo = await e2e.newRepo("inw", { "amux.compose.yaml": COMPOSE });
    await repo.amuxOk(["up"]);
    const elsewhere = join(e2e.tmp, "elsewhere");
    mkdirSync(elsewhere);
    const ps = await e2e.amux(["ps", "--json"], { cwd: elsewhere, env: { AMUX_ROOT: repo.dir, AMUX_PROJECT: "inw" } });
    expect(ps.code, ps.output).toBe(0);
    expect((JSON.parse(ps.stdout) as { name: string }[]).map((r) => r.name)).toEqual(["inw-team-1"]);
    // Without it, the same place has no project.
    const bare = await e2e.amux(["ps"], { cwd: elsewhere });
    expect(bare.stdout).toMatch(/no sessions/);
  });

  test("an MCP client started in a workspace steers the project's fleet", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("inw", { "amux.compose.yaml": COMPOSE });
    await repo.amuxOk(["up"]);
    const ws = join(`${repo.dir}.worktrees`, "team");
    const c = await mcpClient(e2e, procs, ws);
    try {
      const list = await c.call("session_list");
      expect(list.isError, list.text).toBe(false);
      expect(list.text).toContain("inw-team-1");
      const plan = await c.call("fleet_plan");
      expect(plan.text).not.toMatch(/conflict|create/);
    } finally {
      await c.close();
    }
  });
});
