import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../../src/mcp/server.js";
import { TOOL_USE_CASES } from "../../../src/mcp/tools.js";

type Schema = { type?: string; properties?: Record<string, Prop>; required?: string[]; additionalProperties?: unknown };
type Prop = { type?: string; items?: { type?: string }; enum?: string[]; additionalProperties?: { type?: string } };

/** A property as one short word: its type, an enum's values, an array's or a map's item type. */
function typeOf(p: Prop): string {
  if (p.enum) return p.enum.join("|");
  if (p.type === "array") return `${p.items?.type}[]`;
  if (p.type === "object") return `{${p.additionalProperties?.type}}`;
  return p.type ?? "?";
}

/** One line per tool: `name(arg!: type, opt?: type) -> usecase, ...` (! required, ? optional). */
function line(name: string, s: Schema): string {
  const req = new Set(s.required ?? []);
  const args = Object.entries(s.properties ?? {}).map(([k, p]) => `${k}${req.has(k) ? "!" : "?"}: ${typeOf(p)}`);
  return `${name}(${args.join(", ")}) -> ${(TOOL_USE_CASES[name] ?? ["(none)"]).join(", ")}`;
}

describe("the MCP tool table", () => {
  let client: Client;
  let tools: { name: string; inputSchema: Schema }[];
  beforeAll(async () => {
    // Building the server and listing its tools touches neither tmux nor the project.
    const server = buildServer({ cwd: "/nonexistent-amux-project" });
    const [serverSide, clientSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: "amux-unit", version: "0.0.0" });
    await client.connect(clientSide);
    tools = (await client.listTools()).tools as typeof tools;
  });
  afterAll(async () => {
    await client?.close();
  });

  it("lists every tool, its arguments and the use cases it calls, whole", () => {
    expect(tools.map((t) => line(t.name, t.inputSchema))).toEqual([
      "session_list(all?: boolean) -> status.listStatus",
      "session_run(agent!: string, workspace?: string, name?: string, environment?: {string}, prompt?: string) -> session.runAgent",
      "session_stop(session!: string) -> session.stopTarget",
      "session_start(session!: string, fresh?: boolean) -> lifecycle.startOrRestart",
      "session_restart(session!: string, fresh?: boolean) -> lifecycle.startOrRestart",
      "session_send(session!: string, text!: string) -> session.sendText",
      "session_logs(session!: string, lines?: integer, screen?: boolean) -> inspect.logsOf, inspect.screenOf",
      "fleet_plan(services?: string[], removeOrphans?: boolean) -> fleet.planFleet",
      "fleet_up(services?: string[], removeOrphans?: boolean) -> fleet.up",
      "fleet_down() -> fleet.down",
      "workspace_list() -> land.listWorkspaceRows",
      "workspace_create(name!: string, branch?: string, base?: string) -> workspaces.createWorkspace",
      "workspace_diff(workspace!: string) -> land.diffTarget",
      "workspace_merge(workspace!: string, into?: string, strategy?: merge|squash|rebase|ff-only, dryRun?: boolean, remove?: boolean, commitMessage?: string) -> land.mergeTarget",
    ]);
  });

  it("registers exactly the tools of the table", () => {
    expect(tools.map((t) => t.name).sort()).toEqual(Object.keys(TOOL_USE_CASES).sort());
  });

  it("refuses unknown arguments in every tool's schema (strict, as the CLI is)", () => {
    for (const t of tools) expect([t.name, t.inputSchema.additionalProperties]).toEqual([t.name, false]);
  });

  it("takes names as the CLI does: session and agent names carry the name pattern", () => {
    const pattern = (tool: string, arg: string) =>
      (tools.find((t) => t.name === tool)?.inputSchema.properties?.[arg] as { pattern?: string } | undefined)?.pattern;
    expect(pattern("session_run", "agent")).toBe("^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$");
    for (const tool of ["session_stop", "session_start", "session_restart", "session_send", "session_logs"])
      expect([tool, pattern(tool, "session")]).toEqual([tool, "^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$"]);
  });
});

/** The MCP sources, and what they import from where. */
const MCP_DIR = join(import.meta.dirname, "../../../src/mcp");
const sources = readdirSync(MCP_DIR)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(join(MCP_DIR, f), "utf8"))
  .join("\n");

/** The names imported (statically, or destructured from a dynamic import) from `../usecases/<module>.js`. */
function importedFrom(module: string): Set<string> {
  const names = new Set<string>();
  const spec = `"../usecases/${module}.js"`;
  for (const m of sources.matchAll(/import\s*\{([^}]*)\}\s*from\s*("[^"]+")/g)) if (m[2] === spec) for (const n of (m[1] ?? "").split(",")) names.add(n.trim());
  for (const m of sources.matchAll(/const\s*\{([^}]*)\}\s*=\s*await import\(("[^"]+")\)/g))
    if (m[2] === spec) for (const n of (m[1] ?? "").split(",")) names.add(n.trim());
  return names;
}

describe("MCP tools are adapters over the use cases", () => {
  it.each(Object.entries(TOOL_USE_CASES))("%s imports the use cases the table names", (_tool, useCases) => {
    for (const u of useCases) {
      const [module, fn] = u.split(".") as [string, string];
      expect([u, importedFrom(module).has(fn)]).toEqual([u, true]);
    }
  });

  it("every use case MCP imports is in the table (none called unlisted)", () => {
    const listed = new Set(Object.values(TOOL_USE_CASES).flat());
    const modules = [...sources.matchAll(/"\.\.\/usecases\/([a-z-]+)\.js"/g)].map((m) => m[1] as string);
    const imported = [...new Set(modules)].flatMap((m) => [...importedFrom(m)].filter((n) => n && !n.startsWith("type ")).map((n) => `${m}.${n}`));
    // The resources read the same use cases as the tools (status rows, the plan, screens).
    const resourcesOnly = ["inspect.liveSessionNames"];
    expect(imported.filter((u) => !listed.has(u) && !resourcesOnly.includes(u))).toEqual([]);
  });
});
