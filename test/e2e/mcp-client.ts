import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { AMUX_BIN, type E2E } from "./harness.js";
import type { Procs } from "./harness-extra.js";

/** An MCP client on `amux mcp` started in `cwd`, as an MCP host (or an agent's) would start it. */
export async function mcpClient(e2e: E2E, procs: Procs, cwd: string) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(e2e.env)) if (v !== undefined) env[k] = v;
  const transport = new StdioClientTransport({ command: process.execPath, args: [AMUX_BIN, "mcp"], cwd, env, stderr: "pipe" });
  const client = new Client({ name: "amux-e2e", version: "0.0.0" });
  await client.connect(transport);
  if (transport.pid) procs.adopt(transport.pid);
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
    close: () => client.close(),
  };
}
