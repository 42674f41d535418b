import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { AMUX_BIN, type E2E } from "./harness.js";
import type { Procs } from "./harness-extra.js";

/** The SDK's connected client and transport on `amux mcp`, with what the server wrote on stderr. */
export interface McpConnection {
  client: Client;
  transport: StdioClientTransport;
  pid: number;
  stderr: () => string;
}

/**
 * Starts `amux mcp` in `cwd` (the test's tmux socket and HOME), as an MCP host or an agent would,
 * and connects the SDK's client to it; the server process is killed with the test.
 */
export async function connectMcp(e2e: E2E, procs: Procs, cwd: string): Promise<McpConnection> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(e2e.env)) if (v !== undefined) env[k] = v;
  const transport = new StdioClientTransport({ command: process.execPath, args: [AMUX_BIN, "mcp"], cwd, env, stderr: "pipe" });
  let err = "";
  transport.stderr?.on("data", (d: Buffer) => {
    err += d.toString("utf8");
  });
  const client = new Client({ name: "amux-e2e", version: "0.0.0" });
  await client.connect(transport);
  const pid = transport.pid;
  if (!pid) throw new Error("the MCP server has no pid");
  procs.adopt(pid);
  return { client, transport, pid, stderr: () => err };
}

/** An MCP client on `amux mcp` started in `cwd`, as an MCP host (or an agent's) would start it. */
export async function mcpClient(e2e: E2E, procs: Procs, cwd: string) {
  const { client, stderr } = await connectMcp(e2e, procs, cwd);
  return {
    /** A tool's text and whether it is an error result. */
    async call(name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean; structured: unknown }> {
      const r = (await client.callTool({ name, arguments: args })) as {
        content?: { type: string; text?: string }[];
        isError?: boolean;
        structuredContent?: unknown;
      };
      return { text: (r.content ?? []).map((c) => c.text ?? "").join("\n"), isError: !!r.isError, structured: r.structuredContent };
    },
    client,
    stderr,
    close: () => client.close(),
  };
}
