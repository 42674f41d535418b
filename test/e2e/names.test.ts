import { describe, expect } from "vitest";
import { SLOW } from "./harness.js";
import { test } from "./harness-extra.js";
import { mcpClient } from "./mcp-client.js";

// Names the user gives: a session, or a service where it means one session (or, for stop, all
// of them); anything else is exit 2 listing what exists, on every command and MCP tool.

const COMPOSE =
  "name: nm\nservices:\n  auth: { agent: waits-at-prompt }\n  web: { agent: waits-at-prompt, replicas: 2 }\n  docs: { agent: waits-at-prompt, replicas: 0 }\n";

const LISTS = /sessions: nm-auth-1, nm-web-1, nm-web-2[\s\S]*services: auth, docs, web/;

describe.concurrent("unknown names", { timeout: SLOW }, () => {
  test("ps, stop, logs, send, attach, up and plan: exit 2 listing what exists", async ({ e2e }) => {
    const repo = await e2e.newRepo("nm", { "amux.compose.yaml": COMPOSE });
    await repo.amuxOk(["up"]);
    for (const args of [
      ["ps", "nosuch"],
      ["ps", "auth", "nosuch"],
      ["stop", "nosuch"],
      ["logs", "nosuch"],
      ["send", "nosuch", "hi"],
      ["attach", "nosuch"],
    ]) {
      const r = await repo.amux(args);
      expect(r.code, `${args.join(" ")}: ${r.output}`).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(/no session or service nosuch/);
      expect(r.stderr, args.join(" ")).toMatch(LISTS);
    }
    for (const args of [
      ["up", "nosuch"],
      ["plan", "nosuch"],
      ["watch", "nosuch"],
    ]) {
      const r = await repo.amux(args, { timeoutMs: 20_000 });
      expect(r.code, `${args.join(" ")}: ${r.output}`).toBe(2);
      expect(r.stderr).toMatch(/services: auth, docs, web/);
    }
    // A declared service with no session is no error: there is just nothing of it.
    const docs = await repo.amux(["ps", "docs"]);
    expect(docs.code, docs.output).toBe(0);
    expect(docs.stdout).toMatch(/^no sessions/);
    const known = await repo.amux(["ps", "web"]);
    expect(known.stdout).toMatch(/nm-web-1/);
    expect(known.stdout).not.toMatch(/nm-auth-1/);
    expect(await e2e.liveSessions()).toEqual(["nm-auth-1", "nm-web-1", "nm-web-2"]);
  });

  test("ps filters outside any project: exit 2 too, saying nothing exists", async ({ e2e }) => {
    const repo = await e2e.newRepo("empty", {}, { fixtureAgents: false });
    const r = await repo.amux(["ps", "nosuch"]);
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toMatch(/no session or service nosuch/);
    const plain = await repo.amux(["ps"]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^no sessions/);
  });
});

describe.concurrent("a service name where it means one session", { timeout: SLOW }, () => {
  test("send and stop <service> with one replica say which session they resolved to", async ({ e2e }) => {
    const repo = await e2e.newRepo("nm", { "amux.compose.yaml": COMPOSE });
    await repo.amuxOk(["up"]);
    await repo.waitForStatus("nm-auth-1", "idle", 15_000);
    const sent = await repo.amux(["send", "auth", "hello there"]);
    expect(sent.code, sent.output).toBe(0);
    expect(sent.stderr).toContain("amux: auth → nm-auth-1");
    await repo.waitForLog("nm-auth-1", "hello there");
    const stop = await repo.amux(["stop", "auth"]);
    expect(stop.code, stop.output).toBe(0);
    expect(stop.stderr).toContain("amux: auth → nm-auth-1");
    expect(stop.stdout).toBe("stopped nm-auth-1\n");
    expect(await e2e.liveSessions()).toEqual(["nm-web-1", "nm-web-2"]);
    // Nothing of it is live any more: said, not an error.
    const again = await repo.amux(["stop", "auth"]);
    expect(again.code, again.output).toBe(0);
    expect(again.stderr).toMatch(/service auth has no live session/);
  });

  test("several replicas: send and attach exit 2 naming them; stop stops them all and says so", async ({ e2e }) => {
    const repo = await e2e.newRepo("nm", { "amux.compose.yaml": COMPOSE });
    await repo.amuxOk(["up"]);
    for (const args of [
      ["send", "web", "hi"],
      ["attach", "web"],
    ]) {
      const r = await repo.amux(args);
      expect(r.code, r.output).toBe(2);
      expect(r.stderr).toMatch(/service web has 2 sessions; name one of them\n\s+sessions: nm-web-1, nm-web-2/);
    }
    const stop = await repo.amux(["stop", "web"]);
    expect(stop.code, stop.output).toBe(0);
    expect(stop.stderr).toContain("amux: web → all 2 of its sessions");
    expect(stop.stdout).toBe("stopped nm-web-1\nstopped nm-web-2\n");
    expect(await e2e.liveSessions()).toEqual(["nm-auth-1"]);
    expect((await repo.ps(["--all", "web"])).map((r) => r.status)).toEqual(["stopped", "stopped"]);
  });

  test("attach without a terminal says how to follow instead", async ({ e2e }) => {
    const repo = await e2e.newRepo("nm", { "amux.compose.yaml": COMPOSE });
    await repo.amuxOk(["up", "auth"]);
    for (const name of ["auth", "nm-auth-1"]) {
      const r = await repo.amux(["attach", name]);
      expect(r.code, r.output).toBe(2);
      expect(r.stderr).toContain("amux: not a terminal; to follow its output: amux logs -f nm-auth-1");
    }
  });

  test("MCP tools: a service name with one replica, several, and none known", async ({ e2e, procs }) => {
    const repo = await e2e.newRepo("nm", { "amux.compose.yaml": COMPOSE });
    await repo.amuxOk(["up"]);
    await repo.waitForStatus("nm-auth-1", "idle", 15_000);
    const c = await mcpClient(e2e, procs, repo.dir);
    try {
      const sent = await c.call("session_send", { session: "auth", text: "from mcp" });
      expect(sent.isError, sent.text).toBe(false);
      expect(sent.text).toContain("nm-auth-1");
      await repo.waitForLog("nm-auth-1", "from mcp");
      const many = await c.call("session_send", { session: "web", text: "x" });
      expect(many.isError).toBe(true);
      expect(many.text).toMatch(/nm-web-1, nm-web-2/);
      for (const tool of ["session_stop", "session_logs", "session_send"]) {
        const r = await c.call(tool, tool === "session_send" ? { session: "nosuch", text: "x" } : { session: "nosuch" });
        expect(r.isError, tool).toBe(true);
        expect(r.text, tool).toMatch(LISTS);
      }
      for (const tool of ["fleet_plan", "fleet_up"]) {
        const r = await c.call(tool, { services: ["nosuch"] });
        expect(r.isError, tool).toBe(true);
        expect(r.text, tool).toMatch(/unknown service nosuch[\s\S]*services: auth, docs, web/);
      }
      const logs = await c.call("session_logs", { session: "auth" });
      expect(logs.text).toContain("from mcp");
      const stop = await c.call("session_stop", { session: "web" });
      expect(stop.isError, stop.text).toBe(false);
      expect(stop.text).toBe("stopped nm-web-1, nm-web-2");
      expect(await e2e.liveSessions()).toEqual(["nm-auth-1"]);
    } finally {
      await c.close();
    }
  });
});
