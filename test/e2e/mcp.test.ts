import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { describe, expect } from "vitest";
import { type E2E, type Repo, waitFor } from "./harness.js";
import { isAlive, type Procs, test } from "./harness-extra.js";
import { connectMcp, type McpConnection } from "./mcp-client.js";

// `amux mcp` driven by the SDK's own client over stdio, as an MCP host would.

const TOOLS = [
  "fleet_down",
  "fleet_plan",
  "fleet_up",
  "session_list",
  "session_logs",
  "session_restart",
  "session_run",
  "session_send",
  "session_start",
  "session_stop",
  "workspace_create",
  "workspace_diff",
  "workspace_list",
  "workspace_merge",
];

const COMPOSE = "name: mp\nservices:\n  helper:\n    agent: waits-at-prompt\n";

type Conn = McpConnection;

async function connect(e2e: E2E, procs: Procs, repo: Repo): Promise<Conn> {
  return connectMcp(e2e, procs, repo.dir);
}

type Result = Awaited<ReturnType<Client["callTool"]>>;

/** The text of a tool result. */
function text(r: Result): string {
  const content = (r.content ?? []) as { type: string; text?: string }[];
  return content
    .filter((c) => c.type === "text")
    .map((c) => c.text ?? "")
    .join("\n");
}

async function call(c: Conn, name: string, args: Record<string, unknown> = {}): Promise<Result> {
  return (await c.client.callTool({ name, arguments: args })) as Result;
}

/** Calls a tool that must succeed. */
async function callOk(c: Conn, name: string, args: Record<string, unknown> = {}): Promise<Result> {
  const r = await call(c, name, args);
  if (r.isError) throw new Error(`${name} ${JSON.stringify(args)} failed: ${text(r)}\nserver stderr:\n${c.stderr()}`);
  return r;
}

/** A tool call that must come back as an error result (isError), not a crash or a protocol failure. */
async function callErr(c: Conn, name: string, args: Record<string, unknown>): Promise<string> {
  let r: Result;
  try {
    r = await call(c, name, args);
  } catch (e) {
    throw new Error(`${name} ${JSON.stringify(args)} threw instead of returning an isError result: ${(e as Error).message}`);
  }
  expect(r.isError, `${name} ${JSON.stringify(args)} returned ${text(r)}`).toBe(true);
  return text(r);
}

/** Session names from session_list's structured content. */
async function listed(c: Conn, all = false): Promise<{ name: string; status: string }[]> {
  const r = await callOk(c, "session_list", all ? { all: true } : {});
  const sessions = (r.structuredContent as { sessions?: { name: string; status: string }[] } | undefined)?.sessions;
  if (!Array.isArray(sessions)) throw new Error(`session_list has no structured sessions: ${JSON.stringify(r)}`);
  return sessions;
}

function waitForLogs(c: Conn, session: string, needle: string, timeoutMs = 10_000): Promise<string> {
  let last = "";
  return waitFor(
    async () => {
      last = text(await callOk(c, "session_logs", { session, lines: 50 }));
      return last.includes(needle) ? last : undefined;
    },
    timeoutMs,
    () => `${JSON.stringify(needle)} in session_logs of ${session}; they were:\n${last}`,
  );
}

describe("amux mcp", () => {
  test("lists every tool, each with a description and an input schema", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("mp", { "amux.compose.yaml": COMPOSE });
    const c = await connect(e2e, procs, repo);
    expect(c.client.getServerVersion()?.name).toBe("amux");
    const { tools } = await c.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const t of tools) {
      expect(t.description, `${t.name} has a description`).toMatch(/\w{3,}/);
      expect(t.inputSchema.type, `${t.name} input schema`).toBe("object");
    }
    const byName = new Map(tools.map((t) => [t.name, t]));
    const props = (n: string) => Object.keys((byName.get(n)?.inputSchema.properties ?? {}) as Record<string, unknown>).sort();
    expect(props("session_run")).toEqual(expect.arrayContaining(["agent", "environment", "name", "prompt", "workspace"]));
    expect(byName.get("session_run")?.inputSchema.required).toEqual(["agent"]);
    expect(props("session_logs")).toEqual(expect.arrayContaining(["lines", "screen", "session"]));
    expect(props("session_send")).toEqual(expect.arrayContaining(["session", "text"]));
    expect(props("session_stop")).toEqual(["session"]);
    // The resources of the contract are advertised too.
    const { resources } = await c.client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(expect.arrayContaining(["amux://sessions", "amux://fleet/plan"]));
    const { resourceTemplates } = await c.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toContain("amux://sessions/{name}/screen");
    await c.client.close();
  });

  test("session_run sets environment at runtime; session_logs shows it", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("mp", { "amux.compose.yaml": COMPOSE });
    const c = await connect(e2e, procs, repo);
    const r = await callOk(c, "session_run", { agent: "prints-env", name: "env-mcp", environment: { MODEL: "from-mcp" } });
    expect(text(r)).toContain("env-mcp");
    expect((r.structuredContent as { session?: string }).session).toBe("env-mcp");
    expect(await e2e.liveSessions()).toEqual(["env-mcp"]);
    const logs = await waitForLogs(c, "env-mcp", "MODEL=from-mcp");
    expect(logs).toContain("SESSION=env-mcp PROJECT=mp");
    // The screen view shows the same line.
    const screen = text(await callOk(c, "session_logs", { session: "env-mcp", screen: true }));
    expect(screen).toContain("MODEL=from-mcp");
    // The environment belongs to that session only: the next one gets the agent's own.
    await callOk(c, "session_run", { agent: "prints-env" });
    await waitForLogs(c, "prints-env-1", "MODEL=opus ");
    // And the CLI sees the same sessions.
    expect((await repo.ps()).map((x) => x.name).sort()).toEqual(["env-mcp", "prints-env-1"]);
    await c.client.close();
  });

  test("bad input comes back as isError results and the server keeps answering", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("mp", { "amux.compose.yaml": COMPOSE });
    const c = await connect(e2e, procs, repo);
    const pwned = join(e2e.tmp, "pwned");
    const unknown = await callErr(c, "session_run", { agent: "no-such-agent" });
    expect(unknown).toContain("no-such-agent");
    // What exists is named, as on the command line.
    expect(unknown).toContain("waits-at-prompt");
    await callErr(c, "session_run", { agent: "waits-at-prompt", name: "bad name;rm" });
    await callErr(c, "session_run", { agent: "waits-at-prompt", name: `x;touch ${pwned}` });
    await callErr(c, "session_run", { agent: `x;touch ${pwned}` });
    await callErr(c, "session_stop", { session: "bad name;rm" });
    await callErr(c, "session_send", { session: "bad name;rm", text: "hi" });
    await callErr(c, "session_logs", { session: "no-such-session" });
    await callErr(c, "session_stop", { session: "no-such-session" });
    await callErr(c, "workspace_create", { name: "../escape" });
    expect(existsSync(pwned)).toBe(false);
    expect(existsSync(join(repo.dir, "pwned"))).toBe(false);
    expect(existsSync(`${repo.dir}.worktrees`)).toBe(false);
    // Still alive and answering.
    expect(isAlive(c.pid)).toBe(true);
    expect(await listed(c)).toEqual([]);
    expect((await callOk(c, "session_run", { agent: "waits-at-prompt" })).isError).toBeFalsy();
    expect(await e2e.liveSessions()).toEqual(["waits-at-prompt-1"]);
    expect(c.stderr()).not.toContain("    at ");
    await c.client.close();
  });

  test("an agent that dies at once is an isError result carrying its last output", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("mp", { "amux.compose.yaml": COMPOSE });
    const c = await connect(e2e, procs, repo);
    const err = await callErr(c, "session_run", { agent: "exits-3" });
    expect(err).toContain("exits-3-1");
    expect(err).toMatch(/\b3\b/);
    expect(err).toContain("fatal: cannot reach the model");
    // It stays listed as exited with its code.
    const row = (await listed(c)).find((s) => s.name === "exits-3-1") as { status: string; exitCode?: number } | undefined;
    expect(row?.status).toBe("exited");
    expect(row?.exitCode).toBe(3);
    await c.client.close();
  });

  test("session_send reaches an agent at its prompt", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("mp", { "amux.compose.yaml": COMPOSE });
    const c = await connect(e2e, procs, repo);
    await callOk(c, "session_run", { agent: "waits-at-prompt", name: "p1" });
    await waitFor(async () => (await listed(c)).find((s) => s.name === "p1")?.status === "idle", 10_000, "p1 to be idle");
    const sent = await callOk(c, "session_send", { session: "p1", text: "hello from mcp; $HOME `id`" });
    expect(text(sent)).toContain("p1");
    await waitForLogs(c, "p1", "got: hello from mcp; $HOME `id`");
    await c.client.close();
  });

  test("fleet_plan, fleet_up, session_list, session_stop, resources, fleet_down", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("mp", { "amux.compose.yaml": COMPOSE });
    const c = await connect(e2e, procs, repo);
    const plan = await callOk(c, "fleet_plan");
    expect(text(plan)).toContain("create mp-helper-1");
    const actions = (plan.structuredContent as { actions: { action: string; session: string; service: string }[] }).actions;
    expect(actions.map((a) => `${a.action} ${a.session} ${a.service}`)).toEqual(["create mp-helper-1 helper"]);
    // Planning changed nothing.
    expect(await e2e.liveSessions()).toEqual([]);
    const planRes = await c.client.readResource({ uri: "amux://fleet/plan" });
    expect(JSON.parse((planRes.contents[0] as { text: string }).text).actions).toHaveLength(1);

    await callOk(c, "fleet_up");
    expect(await e2e.liveSessions()).toEqual(["mp-helper-1"]);
    expect((await listed(c)).map((s) => s.name)).toEqual(["mp-helper-1"]);
    // Up to date now.
    const again = await callOk(c, "fleet_plan");
    expect((again.structuredContent as { actions: unknown[] }).actions).toEqual([]);

    await callOk(c, "session_run", { agent: "waits-at-prompt", name: "extra" });
    await waitFor(async () => (await listed(c)).find((s) => s.name === "extra")?.status === "idle", 10_000, "extra to be idle");
    const screen = await c.client.readResource({ uri: "amux://sessions/extra/screen" });
    expect((screen.contents[0] as { text: string }).text).toContain("fake agent ready");
    const sessions = await c.client.readResource({ uri: "amux://sessions" });
    const rows = JSON.parse((sessions.contents[0] as { text: string }).text) as { name: string; status: string }[];
    expect(rows.map((x) => x.name).sort()).toEqual(["extra", "mp-helper-1"]);
    expect(rows.find((x) => x.name === "extra")?.status).toBe("idle");

    await callOk(c, "session_stop", { session: "extra" });
    expect(await e2e.liveSessions()).toEqual(["mp-helper-1"]);
    expect((await listed(c)).map((s) => s.name)).toEqual(["mp-helper-1"]);
    expect((await listed(c, true)).find((s) => s.name === "extra")?.status).toBe("stopped");

    await callOk(c, "session_stop", { session: "mp-helper-1" });
    expect(text(await callOk(c, "session_start", { session: "helper" }))).toContain("create mp-helper-1 (started by amux start)");
    expect(await e2e.liveSessions()).toEqual(["mp-helper-1"]);
    expect(text(await callOk(c, "session_restart", { session: "mp-helper-1" }))).toContain("restart mp-helper-1 (restarted by amux restart)");

    await callOk(c, "session_run", { agent: "prints-forever" });
    const down = await callOk(c, "fleet_down");
    expect(text(down)).toContain("mp-helper-1");
    expect(text(down)).toContain("prints-forever-1");
    expect(await e2e.liveSessions()).toEqual([]);
    expect(await listed(c)).toEqual([]);
    expect(await repo.gitStatus()).toBe("");
    await c.client.close();
  });

  test("the server exits when the client closes its stdin", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("mp", { "amux.compose.yaml": COMPOSE });
    const c = await connect(e2e, procs, repo);
    await callOk(c, "session_list");
    let code: number | null | undefined;
    // The SDK's transport ends stdin and only signals the server after 2 s: a server that exits on
    // end-of-input is gone well before that.
    const started = Date.now();
    const proc = (c.transport as unknown as { _process?: { once(ev: "exit", fn: (code: number | null) => void): void } })._process;
    proc?.once("exit", (n) => {
      code = n;
    });
    await c.client.close();
    await waitFor(() => !isAlive(c.pid), 5000, `the server (pid ${c.pid}) to exit`, 20);
    expect(Date.now() - started, "the server needed a signal to go").toBeLessThan(1900);
    if (proc) expect(code).toBe(0);
  });
});
