import { describe, expect } from "vitest";
import { test } from "./harness.js";

// `amux mcp` as strict as the CLI, driven the way the simplest host drives it: JSON-RPC lines
// piped into stdin, which is then closed.

const INIT = [
  { jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "e2e", version: "0" } } },
  { jsonrpc: "2.0", method: "notifications/initialized" },
];

interface Reply {
  id: number;
  result?: { content?: { type: string; text: string }[]; isError?: boolean; tools?: { name: string; inputSchema: Record<string, unknown> }[] };
  error?: { message: string };
}

const call = (id: number, name: string, args: Record<string, unknown>) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } });

function replies(stdout: string): Map<number, Reply> {
  const out = new Map<number, Reply>();
  for (const line of stdout.split("\n").filter(Boolean)) {
    const m = JSON.parse(line) as Reply;
    if (typeof m.id === "number") out.set(m.id, m);
  }
  return out;
}

const textOf = (r: Reply | undefined) => (r?.result?.content ?? []).map((c) => c.text).join("\n");

describe("amux mcp is strict and answers what it received", () => {
  test("unknown tool arguments are refused, naming the key; nothing is started", async ({ e2e }) => {
    const repo = await e2e.newRepo("ms", { "amux.compose.yaml": "name: ms\nservices:\n  s: { agent: waits-at-prompt }\n" });
    const input = [
      ...INIT,
      call(2, "session_run", { agent: "waits-at-prompt", command: "touch /tmp/pwned" }),
      call(3, "fleet_up", { services: ["s"], force: true }),
      call(4, "fleet_down", { all: true }),
      call(5, "session_list", { al: true }),
      { jsonrpc: "2.0", id: 6, method: "tools/list" },
      call(8, "session_run", { agent: "waits-at-prompt", environment: { constructor: "x" } }),
    ]
      .map((m) => JSON.stringify(m))
      .concat(
        // Written as text: an object literal cannot hold an own "__proto__" key, JSON can.
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"session_run","arguments":{"agent":"waits-at-prompt","environment":{"__proto__":{"X":"1"}}}}}',
      )
      .join("\n");
    const r = await repo.amux(["mcp"], { input: `${input}\n`, timeoutMs: 30_000 });
    expect(r.timedOut, r.output).toBe(false);
    const got = replies(r.stdout);
    for (const [id, key] of [
      [2, "command"],
      [3, "force"],
      [4, "all"],
      [5, "al"],
    ] as const) {
      expect(got.get(id)?.result?.isError, `reply ${id}: ${JSON.stringify(got.get(id))}`).toBe(true);
      expect(textOf(got.get(id))).toMatch(new RegExp(`Unrecognized key.*"${key}"`));
    }
    expect(got.get(7)?.result?.isError, JSON.stringify(got.get(7))).toBe(true);
    expect(textOf(got.get(7))).toMatch(/environment\.__proto__: "__proto__" is reserved/);
    expect(got.get(8)?.result?.isError, JSON.stringify(got.get(8))).toBe(true);
    expect(textOf(got.get(8))).toMatch(/constructor.*reserved/);
    expect(await e2e.liveSessions()).toEqual([]);
    // The schemas the host sees say so too.
    for (const t of got.get(6)?.result?.tools ?? []) expect(t.inputSchema.additionalProperties, t.name).toBe(false);
    expect(got.get(6)?.result?.tools?.length).toBeGreaterThanOrEqual(12);
  });

  test("stdin closed right after the requests: every reply still arrives and the session is made", async ({ e2e }) => {
    const repo = await e2e.newRepo("ms");
    const input = [...INIT, call(2, "session_run", { agent: "waits-at-prompt", name: "drained" })].map((m) => JSON.stringify(m)).join("\n");
    const r = await repo.amux(["mcp"], { input: `${input}\n`, timeoutMs: 30_000 });
    expect(r.timedOut, r.output).toBe(false);
    expect(r.code, r.output).toBe(0);
    const got = replies(r.stdout);
    expect([...got.keys()].sort()).toEqual([1, 2]);
    expect(got.get(2)?.result?.isError, textOf(got.get(2))).toBeFalsy();
    expect(textOf(got.get(2))).toContain("started drained");
    expect(await e2e.liveSessions()).toEqual(["drained"]);
  });
});
