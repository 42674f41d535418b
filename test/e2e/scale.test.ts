import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { type E2E, fixture, type PsRow, q, type Repo, SLOW, type Status, sleep, waitFor } from "./harness.js";
import { type EventLine, type Procs, panePath, test } from "./harness-extra.js";
import { mcpClient } from "./mcp-client.js";

// Status on a busy server: pane ids far past %150 and 40+ agents of every kind at once. Screens
// are read through tmux's display-message, which expands strftime `%` sequences: any pane id
// (or screen content) that reaches a format would lose its screen, and with it its status.

/** Burns through pane ids: 150 throwaway sessions created and killed in one tmux process. */
async function burnPaneIds(e2e: E2E, count: number): Promise<void> {
  const keep = await e2e.tmux(["new-session", "-d", "-s", "bystander", "-x", "40", "-y", "5", "sleep 100000"]);
  if (keep.code !== 0) throw new Error(`cannot start tmux: ${keep.output}`);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(`new-session -d -s burn${i} -x 20 -y 2 "sleep 600" ; kill-session -t =burn${i}`);
  const r = await e2e.run("tmux", ["-L", e2e.socket, "source-file", "-"], { input: `${lines.join("\n")}\n` });
  if (r.code !== 0) throw new Error(`burning pane ids failed: ${r.output}`);
}

/** Every session's pane id, by name. */
async function paneIds(e2e: E2E): Promise<Map<string, number>> {
  const r = await e2e.tmux(["list-panes", "-a", "-F", "#{session_name} #{pane_id}"]);
  return new Map(
    r.stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [name = "", id = ""] = l.split(" ");
        return [name, Number(id.slice(1))];
      }),
  );
}

const CONFIG = `agents:
  asker:
    name: Asks permission
    type: tmux
    params: { command: ${q(fixture("asks-permission"))} }
    status: { idleAfter: 1s }
  imitator:
    name: Prints framing look-alikes, then asks
    type: tmux
    params: { command: ${q(fixture("imitates-frames"))} }
    status: { idleAfter: 1s }
  prompt:
    name: Waits at prompt
    type: tmux
    params: { command: ${q(fixture("waits-at-prompt"))} }
    status: { idleAfter: 1s, promptPatterns: ["^> ?$"] }
  printer:
    name: Prints forever
    type: tmux
    params: { command: ${q(fixture("prints-forever"))} }
    status: { idleAfter: 3s }
  busy:
    name: Busy marker
    type: tmux
    params: { command: ${q(fixture("busy-marker"))} }
    status: { idleAfter: 1s, stuckAfter: 10m, busyPatterns: ["esc to interrupt"] }
  hangs:
    name: Hangs silently
    type: tmux
    params: { command: ${q(fixture("hangs-silently"))} }
    status: { idleAfter: 1s, stuckAfter: 2s }
  exits:
    name: Exits 3
    type: tmux
    params: { command: ${q(fixture("exits-3"))} }
`;

/** Service → agent, replicas, the prompt `up` sends, and the status each replica must settle in. */
const FLEET: Record<string, { agent: string; replicas: number; status: Status; prompt?: string }> = {
  q: { agent: "asker", replicas: 8, status: "waiting" },
  x: { agent: "asker", replicas: 2, status: "waiting", prompt: "never-typed" },
  p: { agent: "prompt", replicas: 4, status: "idle", prompt: "task-for-p" },
  i: { agent: "imitator", replicas: 6, status: "waiting" },
  w: { agent: "prompt", replicas: 8, status: "idle" },
  f: { agent: "printer", replicas: 4, status: "running" },
  b: { agent: "busy", replicas: 6, status: "running" },
  h: { agent: "hangs", replicas: 6, status: "stuck" },
  e: { agent: "exits", replicas: 6, status: "exited" },
};
const TOTAL = Object.values(FLEET).reduce((n, s) => n + s.replicas, 0);

const COMPOSE = `name: sc\nservices:\n${Object.entries(FLEET)
  .map(([svc, s]) => `  ${svc}: { agent: ${s.agent}, replicas: ${s.replicas}${s.prompt ? `, prompt: ${s.prompt}` : ""} }`)
  .join("\n")}\n`;

/** Rows whose status is not the one their service settles in. */
function misfits(rows: PsRow[]): string[] {
  return rows.filter((r) => r.service && FLEET[r.service]?.status !== r.status).map((r) => `${r.name}: ${r.status} (${String(r.statusReason ?? "")})`);
}

/** A pane's visible screen, read with tmux directly. */
async function screen(e2e: E2E, session: string): Promise<string> {
  return (await e2e.tmux(["capture-pane", "-p", "-t", `=${session}:`])).stdout;
}

/** amux's MCP server, driven by the SDK's client as a host would. */
async function mcpScreen(e2e: E2E, procs: Procs, repo: Repo, session: string): Promise<string> {
  const client = await mcpClient(e2e, procs, repo.dir);
  try {
    const r = await client.call("session_logs", { session, screen: true });
    if (r.isError) throw new Error(`session_logs failed: ${r.text}`);
    return r.text;
  } finally {
    await client.close();
  }
}

describe("status at scale", { timeout: SLOW }, () => {
  test("50 agents past pane %150: every status right; a prompt is never typed into a question", async ({ e2e, procs }) => {
    await burnPaneIds(e2e, 150);
    const repo = await e2e.newRepo("scale", { ".amux/config.yaml": CONFIG, "amux.compose.yaml": COMPOSE });
    const events = procs.start(["events", "--json"], repo.dir);
    // up sends each replica its prompt once it is ready, and never into a question.
    const up = await repo.amux(["up", "--prompt-timeout", "4s"], { timeoutMs: 60_000 });
    // Replicas that die at once are failed starts (exit 1), named with their last output; nothing else failed.
    expect(up.code, up.output).toBe(1);
    expect(up.stderr.replace(/fatal: cannot reach the model/g, "")).not.toMatch(/cannot|error/i);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(up.stderr).toContain(`sc-e-${n} exited at once with code 3`);
    for (const n of [1, 2]) expect(up.stderr).toContain(`sc-x-${n}: not ready for input after 4s; prompt not sent`);

    const ids = await paneIds(e2e);
    const mine = [...ids].filter(([name]) => name.startsWith("sc-"));
    expect(mine).toHaveLength(TOTAL);
    for (const [name, id] of mine) expect(id, name).toBeGreaterThan(150);

    // ps: each replica settles in its service's status, exited ones with their code.
    let rows: PsRow[] = [];
    await waitFor(
      async () => {
        rows = await repo.ps();
        return rows.length === TOTAL && misfits(rows).length === 0;
      },
      30_000,
      () => `every replica in its status; misfits: ${misfits(rows).join(", ")}`,
      500,
    );
    for (const r of rows.filter((x) => x.service === "e")) expect(r.exitCode, r.name).toBe(3);
    for (const r of rows.filter((x) => x.service !== "e")) expect(r.exitCode, r.name).toBeNull();
    for (const r of rows.filter((x) => x.service === "p")) await repo.waitForLog(r.name, "got: task-for-p");
    for (const r of rows.filter((x) => x.service === "x" || x.service === "q")) expect(await repo.logs(r.name), r.name).not.toMatch(/never-typed|answer:/);

    // The watch tracker (here `amux events` ticking on its own) sees the same statuses.
    const last = () => {
      const m = new Map<string, string | undefined>();
      for (const e of events.json<EventLine>()) if (e.type === "status" && e.session) m.set(e.session, e.to);
      return m;
    };
    await events.waitUntil(
      () => {
        const m = last();
        return rows.every((r) => m.get(r.name) === r.status);
      },
      20_000,
      "a status event per replica matching ps",
    );

    // up --wait: replicas at a question are not healthy; those at their prompt are.
    const waitQ = await repo.amux(["up", "--wait", "--wait-timeout", "2s", "q"]);
    expect(waitQ.code, waitQ.output).toBe(1);
    const askers = rows.filter((r) => r.service === "q").map((r) => r.name);
    expect(askers).toHaveLength(8);
    for (const name of askers) expect(waitQ.stderr).toContain(`not ready: ${name} (waiting`);
    await repo.amuxOk(["up", "--wait", "--wait-timeout", "20s", "w", "b"]);

    // A question past %150 is never answered by a prompt: `run --prompt` waits for a ready pane.
    const asking = procs.start(["run", "asker", "--name", "ask-p", "--prompt", "hello-from-test", "--no-attach"], repo.dir);
    await repo.waitForStatus("ask-p", "waiting", 20_000);
    expect((await paneIds(e2e)).get("ask-p")).toBeGreaterThan(150);
    // idleAfter is 1 s: a pane taken for idle would have had the prompt typed well within this.
    await sleep(3000);
    expect(asking.exit, asking.output).toBeNull();
    expect(await screen(e2e, "ask-p")).not.toContain("hello-from-test");
    expect(await repo.logs("ask-p")).not.toMatch(/hello-from-test|answer:/);
    expect((await repo.psRow("ask-p"))?.status).toBe("waiting");
    await asking.kill();

    // A pane at its prompt past %150 does get the prompt, and `send` reaches it too.
    await repo.amuxOk(["run", "prompt", "--name", "ready-p", "--prompt", "hello-ready", "--no-attach"], { timeoutMs: 40_000 });
    await repo.waitForLog("ready-p", "got: hello-ready");
    await repo.amuxOk(["send", "ready-p", "via send"]);
    await repo.waitForLog("ready-p", "got: via send");

    // MCP session_logs screen:true reads the screen of a pane past %150, look-alike lines and all.
    const imitator = rows.find((r) => r.service === "i")?.name ?? "";
    const text = await mcpScreen(e2e, procs, repo, imitator);
    expect(text).toContain("@@amux-list");
    expect(text).toContain("0123456789abcdef0123456789abcdef %1 50 0");
    expect(text).toContain("Overwrite file? [y/N]");
    expect(await mcpScreen(e2e, procs, repo, "ask-p")).toContain("Do you want to proceed? [y/N]");
  });

  test("a project path with # and %, a window name with formats: taken literally", async ({ e2e }) => {
    const pwned = join(e2e.tmp, "pwned");
    const windowName = `w #(touch ${pwned}) #{session_name} %Y`;
    const named = `  named:\n    name: Named window\n    type: tmux\n    params: { command: ${q(fixture("waits-at-prompt"))}, windowName: ${q(windowName)} }\n`;
    const repo = await e2e.newRepo("p #{session_name} %Y 100%", { ".amux/config.yaml": CONFIG + named, "sub/.keep": "" });
    // From a subdirectory: tmux falls back to its client's directory when it cannot use -c.
    await repo.amuxOk(["run", "prompt", "--name", "pathy", "--no-attach"], { cwd: join(repo.dir, "sub") });
    expect(await panePath(e2e, "pathy")).toBe(repo.dir);
    await repo.waitForLog("pathy", "fake agent ready");
    await repo.waitForStatus("pathy", "idle");
    await repo.amuxOk(["run", "named", "--name", "named", "--no-attach"]);
    expect((await e2e.tmux(["list-windows", "-t", "=named:", "-F", "#{window_name}"])).stdout.trim()).toBe(windowName);
    // A #(...) would run in the background: give it a moment to (not) happen.
    await sleep(300);
    expect(existsSync(pwned)).toBe(false);
  });
});
