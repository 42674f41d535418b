import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { ProjectOptions } from "../config/locate.js";
import { AmuxError, describeError } from "../errors.js";
import type { Reporter } from "../io.js";
import { NAME_PATTERNS } from "../names.js";
import { describeFailedStart } from "../observe/first-second.js";
import { formatAction, formatNote, formatPlan, formatWorkspaceAction, planJson } from "../plan/plan.js";
import { down, planFleet, up } from "../usecases/fleet.js";
import { liveSessionNames, logsOf, screenOf } from "../usecases/inspect.js";
import { listWorkspaceRows } from "../usecases/land.js";
import { runAgent, sendText, stopTarget } from "../usecases/session.js";
import { listStatus } from "../usecases/status.js";
import { createWorkspace } from "../usecases/workspaces.js";
import { VERSION } from "../version.js";
import { describeState } from "../workspace/manage.js";
import { registerLandTools } from "./land-tools.js";
import { TOOL_USE_CASES, type ToolResult } from "./tools.js";

/** Diagnostics go to stderr: stdout carries protocol messages only. */
const reporter: Reporter = {
  info: (l) => process.stderr.write(`amux mcp: ${l}\n`),
  warn: (l) => process.stderr.write(`amux mcp: ${l}\n`),
};

function ok(text: string, structured?: Record<string, unknown>): ToolResult {
  return structured ? { content: [{ type: "text", text }], structuredContent: structured } : { content: [{ type: "text", text }] };
}

/** Every failure becomes a tool error with the message a CLI user would see; the server never crashes. */
async function guard(fn: () => Promise<ToolResult>): Promise<ToolResult> {
  try {
    return await fn();
  } catch (e) {
    const text = e instanceof AmuxError ? [e.message, ...e.hints].join("\n") : describeError(e).text;
    return { content: [{ type: "text", text }], isError: true };
  }
}

const sessionName = z.string().regex(NAME_PATTERNS.session, "session names match ^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$").describe("tmux session name");

/**
 * As strict as the CLI: a tool argument the tool does not know is refused, naming the key (the
 * SDK's default is to drop it silently, so `session_run {"command": …}` would start the agent
 * as if the command had been honoured).
 */
function strictTools(server: McpServer): McpServer {
  const register = server.registerTool.bind(server);
  server.registerTool = ((name: string, config: { inputSchema?: z.ZodRawShape }, cb: unknown) => {
    // Every tool is in the table of tools and their use cases (tools.ts): none slips in unlisted.
    if (!Object.hasOwn(TOOL_USE_CASES, name)) throw new Error(`MCP tool ${name} is not in TOOL_USE_CASES`);
    return register(name, { ...config, inputSchema: z.strictObject(config.inputSchema ?? {}) }, cb as never);
  }) as typeof server.registerTool;
  // zod drops a "__proto__" key inside a record without a word: refuse it before zod sees it.
  const internals = server as unknown as { validateToolInput?: (tool: unknown, args: unknown, name: string) => Promise<unknown> };
  const validate = internals.validateToolInput?.bind(server);
  if (validate) {
    internals.validateToolInput = async (tool, args, name) => {
      const at = protoKeyPath(args);
      if (at !== undefined)
        throw new McpError(ErrorCode.InvalidParams, `Input validation error: Invalid arguments for tool ${name}: ${at}: "__proto__" is reserved`);
      return validate(tool, args, name);
    };
  }
  return server;
}

/** Where an own "__proto__" key stands in a JSON value (JSON.parse makes one an own key). */
function protoKeyPath(v: unknown, path: string[] = []): string | undefined {
  if (!v || typeof v !== "object") return undefined;
  if (!Array.isArray(v) && Object.hasOwn(v, "__proto__")) return [...path, "__proto__"].join(".");
  for (const [k, x] of Object.entries(v)) {
    const found = protoKeyPath(x, [...path, k]);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Builds the MCP server; every tool calls the same core functions as the CLI. */
export function buildServer(opts: ProjectOptions): McpServer {
  const server = strictTools(new McpServer({ name: "amux", version: VERSION }));

  server.registerTool(
    "session_list",
    {
      title: "List agent sessions",
      description:
        "List this project's agent sessions with their status (running, waiting, idle, stuck, exited, failed). Use it to see what runs and which agents need a human. Not for output: use session_logs.",
      inputSchema: { all: z.boolean().optional().describe("include stopped sessions") },
    },
    async ({ all }) =>
      guard(async () => {
        const { rows } = await listStatus({ ...opts, all: !!all }, reporter);
        const text = rows.length
          ? rows.map((r) => `${r.name}\t${r.status}${r.exitCode !== null ? ` (${r.exitCode})` : ""}\t${r.agent}\t${r.service ?? "(run)"}`).join("\n")
          : "no sessions";
        return ok(text, { sessions: rows });
      }),
  );

  server.registerTool(
    "session_run",
    {
      title: "Start an agent",
      description:
        "Start one agent session now, optionally in a workspace, with environment variables set at runtime and a first prompt. Only agents defined in the project's config can be started (never an arbitrary command). Not for fleets declared in amux.compose.yaml: use fleet_up.",
      inputSchema: {
        agent: z.string().regex(NAME_PATTERNS.agent).describe("agent id from .amux/config.yaml or the compose file"),
        workspace: z.string().optional().describe("workspace (git worktree) to run in; created when absent"),
        name: z.string().optional().describe("session name (default <agent>-<n>)"),
        environment: z.record(z.string(), z.string()).optional().describe("environment variables for this session"),
        prompt: z.string().optional().describe("text sent once the agent is ready for input"),
      },
    },
    async (a) =>
      guard(async () => {
        const r = await runAgent({ ...opts, agent: a.agent, workspace: a.workspace, name: a.name, environment: a.environment, prompt: a.prompt }, reporter);
        if (r.exited) {
          return {
            content: [{ type: "text", text: `${r.session} exited at once with code ${r.exited.code}:\n${r.exited.lastLines.join("\n")}` }],
            structuredContent: { session: r.session, exited: r.exited },
            isError: true,
          };
        }
        if (r.promptNotSent) {
          return {
            content: [{ type: "text", text: `started ${r.session}, but its prompt was not delivered (it never became ready for input)` }],
            structuredContent: { session: r.session, promptSent: false },
            isError: true,
          };
        }
        return ok(`started ${r.session}`, { session: r.session });
      }),
  );

  server.registerTool(
    "session_stop",
    {
      title: "Stop a session",
      description:
        "Stop one session (it stays listed as stopped with session_list all=true; a declared replica stays stopped under `amux watch` until session_start or fleet_up). Not for a whole fleet: use fleet_down.",
      inputSchema: { session: sessionName },
    },
    async ({ session }) =>
      guard(async () => {
        const r = await stopTarget(opts, session);
        const text = r.stopped.length ? `stopped ${r.stopped.join(", ")}` : `service ${r.service} has no live session; nothing to stop`;
        return ok(text, { session, stopped: r.stopped.length > 0, sessions: r.stopped, service: r.service });
      }),
  );

  for (const kind of ["start", "restart"] as const) {
    server.registerTool(
      `session_${kind}`,
      {
        title: kind === "start" ? "Start a stopped session" : "Restart a session in place",
        description:
          kind === "start"
            ? "Start a stopped declared replica again (or every replica of a service) from the compose file, or an exited session in place (like `amux start`); a running one is left alone. Not for new sessions: use session_run or fleet_up."
            : "Restart a session in place, running or not: same session, labels and log, restart count back to 0 (like `amux restart`). Not to apply config edits to the whole fleet: use fleet_up.",
        inputSchema: {
          session: sessionName.describe("a session name, or a service name for all its replicas"),
          fresh: z.boolean().optional().describe("start the agent clean instead of resuming its last conversation"),
        },
      },
      async ({ session, fresh }) =>
        guard(async () => {
          const { startOrRestart } = await import("../usecases/lifecycle.js");
          const r = await startOrRestart(kind, { ...opts, fresh: !!fresh }, [session], reporter);
          const failed = r.result.failed.map((f) => ({ session: f.action.session, error: f.error }));
          const done = r.result.done.map((a) => ({ action: a.action, session: a.session, reason: a.reason }));
          const text = [
            ...r.result.workspaces.done.map(formatWorkspaceAction),
            ...r.result.done.map(formatAction),
            ...r.plan.upToDate.map((n) => `${n} is already running`),
            ...failed.map((f) => `${f.session}: failed: ${f.error}`),
            ...r.plan.notes.map(formatNote),
          ].join("\n");
          const result = ok(text || "nothing to do", { done, alreadyRunning: r.plan.upToDate, failed, notes: r.plan.notes });
          return failed.length ? { ...result, isError: true } : result;
        }),
    );
  }

  server.registerTool(
    "session_send",
    {
      title: "Type into an agent",
      description:
        "Type text into an agent's input and submit it with Enter (checked to land): answer its question or give it a task. Not for keys like Ctrl-C or arrows; the text is typed literally.",
      inputSchema: { session: sessionName, text: z.string().min(1).describe("text to type; newlines are sent as one paste") },
    },
    async ({ session, text }) =>
      guard(async () => {
        const r = await sendText(opts, session, text);
        return ok(`sent to ${r.session}${r.via ? ` (the one session of ${r.via})` : ""}`, { session: r.session, sent: true });
      }),
  );

  server.registerTool(
    "session_logs",
    {
      title: "Read an agent's output",
      description:
        "Read a session's output captured from its first byte (the last `lines` lines), or with screen=true what its terminal shows now (best for reading a question it asks). Not for status: use session_list.",
      inputSchema: {
        session: sessionName,
        lines: z.number().int().min(1).max(10000).optional().describe("how many lines from the end (default 200)"),
        screen: z.boolean().optional().describe("the current screen instead of the log"),
      },
    },
    async ({ session, lines, screen }) =>
      guard(async () => {
        if (screen) {
          const text = await screenOf(opts, session);
          return ok(text, { session, screen: text });
        }
        // A session (live or recorded), or a service: every replica's lines, each prefixed.
        const r = await logsOf(opts, session, { lines: lines ?? 200 });
        const many = r.target.service !== null;
        const tail = r.lines.map((l) => (many ? `${l.session} | ${l.text}` : l.text));
        const text = tail.join("\n");
        return ok(text || "(no output yet)", { session, lines: tail });
      }),
  );

  server.registerTool(
    "fleet_plan",
    {
      title: "Plan the fleet",
      description:
        "What fleet_up would do to make the live sessions match amux.compose.yaml: create, recreate, remove, restart, each with its reason. Changes nothing. Not for the state of running agents: use session_list.",
      inputSchema: { services: z.array(z.string()).optional().describe("only these services"), removeOrphans: z.boolean().optional() },
    },
    async (a) =>
      guard(async () => {
        const { plan } = await planFleet({ ...opts, services: a.services, removeOrphans: a.removeOrphans });
        return ok(formatPlan(plan), planJson(plan));
      }),
  );

  server.registerTool(
    "fleet_up",
    {
      title: "Converge the fleet",
      description:
        "Make the live sessions match amux.compose.yaml (like `amux up`): creates missing replicas, recreates changed ones, scales. Not for one-off agents: use session_run.",
      inputSchema: { services: z.array(z.string()).optional().describe("only these services"), removeOrphans: z.boolean().optional() },
    },
    async (a) =>
      guard(async () => {
        const r = await up({ ...opts, services: a.services, removeOrphans: a.removeOrphans, promptTimeoutMs: 30_000 }, reporter);
        const lines = [
          ...r.plan.workspaces.map(formatWorkspaceAction),
          ...r.plan.actions.map((x) => `${formatAction(x)}${r.failed.some((f) => f.action === x) ? " FAILED" : ""}`),
        ];
        for (const n of r.plan.notes) lines.push(formatNote(n));
        for (const f of r.failedStarts) lines.push(describeFailedStart(f));
        for (const n of r.promptsNotSent) lines.push(`${n}: prompt not delivered`);
        for (const u of r.unreachable) lines.push(`host ${u.host} (${u.destination}) cannot be reached: ${u.gist}; nothing was done there`);
        for (const x of r.goneHostOrphans?.removed ?? []) lines.push(`removed orphan ${x.name} on host ${x.host}`);
        const failed = [
          ...r.failed.map((f) => ({ session: f.action.session, error: f.error })),
          ...(r.goneHostOrphans?.failed ?? []).map((f) => ({ session: f.name, error: f.error })),
          ...r.failedStarts.map((f) => ({ session: f.session, error: `exited at once with code ${f.exitCode ?? "?"}`, lastLines: f.lastLines })),
          ...r.promptsNotSent.map((n) => ({ session: n, error: "prompt not delivered" })),
        ];
        const res = ok(lines.join("\n") || "nothing to do", { ...planJson(r.plan), failed, unreachable: r.unreachable });
        if (failed.length || r.unreachable.length || r.plan.notes.some((n) => n.kind === "conflict")) res.isError = true;
        return res;
      }),
  );

  server.registerTool(
    "fleet_down",
    {
      title: "Remove the fleet",
      description:
        "Remove every session of the project: compose replicas and session_run sessions alike (like `amux down`); a running `amux watch` is stopped first. Workspaces are kept. Not for one session: use session_stop.",
      inputSchema: {},
    },
    async () =>
      guard(async () => {
        const r = await down(opts, reporter);
        const lines = [
          r.removed.length ? `removed ${r.removed.join(", ")}` : "no sessions to remove",
          ...r.failed.map((f) => `cannot remove ${f.name}: ${f.error}`),
          ...r.unreachable.map((u) => `host ${u.host} (${u.destination}) cannot be reached: ${u.gist}; its sessions were not removed`),
        ];
        const res = ok(lines.join("\n"), { removed: r.removed, failed: r.failed, unreachable: r.unreachable });
        if (r.failed.length || r.unreachable.length) res.isError = true;
        return res;
      }),
  );

  server.registerTool(
    "workspace_list",
    {
      title: "List workspaces",
      description:
        "List the project's workspaces (git worktrees): branch, commits ahead of and behind its base, last commit, uncommitted/untracked/unpushed work, and the sessions using each. Not for sessions: use session_list; for what changed: workspace_diff.",
      inputSchema: {},
    },
    async () =>
      guard(async () => {
        const list = await listWorkspaceRows(opts, reporter);
        const line = (w: (typeof list)[number]) =>
          `${w.name}\t${w.branch ?? "-"}\t${w.ahead === null ? "-" : `+${w.ahead} -${w.behind} ${w.base}`}\t${describeState(w)}\t${w.path}`;
        return ok(list.map(line).join("\n") || "no workspaces", { workspaces: list });
      }),
  );

  server.registerTool(
    "workspace_create",
    {
      title: "Create a workspace",
      description:
        "Create a workspace: a git worktree on branch amux/<name> outside the main checkout (a plain folder outside git). Not needed before session_run or fleet_up: they create missing workspaces themselves.",
      inputSchema: {
        name: z.string().describe("workspace name"),
        branch: z.string().optional().describe("branch (default amux/<name>): a branch name git accepts, never starting with -"),
        base: z.string().optional().describe("start point (default the current branch): a branch, tag or commit, e.g. main, origin/main, v1.2, HEAD~2"),
      },
    },
    async (a) =>
      guard(async () => {
        const path = await createWorkspace(opts, a.name, { branch: a.branch, base: a.base }, reporter);
        return ok(path, { name: a.name, path });
      }),
  );

  registerLandTools(server, opts, { ok, guard, reporter });

  server.registerResource(
    "sessions",
    "amux://sessions",
    { description: "This project's sessions with status (JSON)", mimeType: "application/json" },
    async (uri) => {
      const { rows } = await listStatus(opts, reporter);
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(rows, null, 2) }] };
    },
  );

  server.registerResource(
    "session-screen",
    new ResourceTemplate("amux://sessions/{name}/screen", {
      list: async () => {
        const names = await liveSessionNames(opts);
        return { resources: names.map((n) => ({ uri: `amux://sessions/${n}/screen`, name: `${n} screen`, mimeType: "text/plain" })) };
      },
    }),
    { description: "What a session's terminal shows now", mimeType: "text/plain" },
    async (uri, vars) => {
      const name = String(vars.name ?? "");
      const text = await screenOf(opts, name);
      return { contents: [{ uri: uri.href, mimeType: "text/plain", text }] };
    },
  );

  server.registerResource("fleet-plan", "amux://fleet/plan", { description: "What `amux up` would do (JSON)", mimeType: "application/json" }, async (uri) => {
    const { plan } = await planFleet(opts);
    return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(planJson(plan), null, 2) }] };
  });

  return server;
}

/** `amux mcp`: serves on stdio until stdin closes. */
export async function serveStdio(opts: ProjectOptions): Promise<void> {
  const server = buildServer(opts);
  const transport = new StdioServerTransport();
  await server.connect(transport);
  // Requests already received are answered before the server goes: a host that pipes its
  // requests and closes stdin gets every reply (each line is dispatched as it is read, so by
  // stdin's end every request is counted).
  const pending = new Set<string | number>();
  let drained: (() => void) | undefined;
  const received = transport.onmessage;
  transport.onmessage = (msg) => {
    if ("method" in msg && "id" in msg) pending.add(msg.id);
    received?.(msg);
  };
  const send = transport.send.bind(transport);
  transport.send = async (msg) => {
    await send(msg);
    if (!("method" in msg) && "id" in msg && msg.id !== undefined) pending.delete(msg.id);
    if (!pending.size) drained?.();
  };
  let closed = false;
  await new Promise<void>((resolve) => {
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    transport.onclose = () => {
      closed = true;
      resolve();
    };
  });
  if (!closed && pending.size) await new Promise<void>((r) => (drained = r));
  await server.close().catch(() => {});
}
