import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { sshDisconnect } from "../../src/ssh/transport.js";
import { type E2E, fixture, q, type Repo, SLOW, waitFor } from "./harness.js";
import { test } from "./harness-extra.js";
import { mcpClient } from "./mcp-client.js";
import { type LabHost, type SshLab, sshLabSkipReason, startSshLab } from "./ssh-harness.js";

/**
 * One compose file running a fleet over several machines, through the built CLI: a real OpenSSH
 * server on loopback and two local users stand in for hosts h1 and h2 (ssh-harness.ts), each with
 * its own tmux server and clone of the project. Nothing is mocked.
 */

const skip = sshLabSkipReason();
if (skip) console.warn(`hosts tests skipped: ${skip}`);

// The hosts' users run the fake agent: a copy readable by every user, since the checkout may sit
// in a folder only its owner can enter (a clone under /root, or mktemp -d).
const SHARED_AGENTS = mkdtempSync("/tmp/amux-hosts-agents-");
chmodSync(SHARED_AGENTS, 0o755);
const WAITS_AT_PROMPT = join(SHARED_AGENTS, "waits-at-prompt");
copyFileSync(fixture("waits-at-prompt"), WAITS_AT_PROMPT);
chmodSync(WAITS_AT_PROMPT, 0o755);

const CHAT = `agents:\n  chat: { name: Chat, type: tmux, params: { command: "sh -c 'echo ready; while read l; do echo \\"got $l\\"; done'" } }\n  prompted: { name: Prompted, type: tmux, params: { command: ${q(WAITS_AT_PROMPT)} }, status: { idleAfter: 1s, promptPatterns: ["^> ?$"] } }\n  broken: { name: Broken, type: tmux, params: { command: "sh -c 'echo about to start it; exec amux-no-such-command-q7'" } }\n  envy: { name: Envy, type: tmux, params: { command: ${q(`printf 'env=[%s]\\n' "$EVIL"; exec ${WAITS_AT_PROMPT}`)} }, status: { idleAfter: 1s, promptPatterns: ["^> ?$"] } }\n`;

describe.skipIf(!!skip)("hosts through the CLI (real sshd on loopback)", () => {
  let lab: SshLab;
  beforeAll(async () => {
    lab = await startSshLab();
  }, 60_000);
  afterAll(async () => {
    await lab?.teardown();
    rmSync(SHARED_AGENTS, { recursive: true, force: true });
  }, 60_000);

  interface Fleet {
    repo: Repo;
    /** Each host's clone of the project. */
    roots: { h1: string; h2: string };
    /** The sessions on a host's tmux server (this test's socket), sorted. */
    onHost(h: LabHost): string[];
    h1: LabHost;
    h2: LabHost;
    write(compose: string): Promise<void>;
  }

  /**
   * A project with a clone on each lab host, the CLI reaching them with the lab's ssh config (its
   * own HOME) and this test's tmux socket name on every host. `compose` gets the clones' paths.
   */
  async function fleet(e2e: E2E, compose: (roots: { h1: string; h2: string }) => string, body: (f: Fleet) => Promise<void>): Promise<void> {
    mkdirSync(join(e2e.home, ".ssh"), { recursive: true, mode: 0o700 });
    copyFileSync(join(lab.env.HOME as string, ".ssh", "config"), join(e2e.home, ".ssh", "config"));
    chmodSync(join(e2e.home, ".ssh", "config"), 0o600);
    // The control sockets' folder must be short (a Unix socket path).
    e2e.env.XDG_RUNTIME_DIR = lab.env.XDG_RUNTIME_DIR;
    const [h1, h2] = lab.hosts;
    const tag = e2e.socket.slice(-12);
    const roots = { h1: join(h1.home, `proj-${tag}`), h2: join(h2.home, `proj-${tag}`) };
    const repo = await e2e.newRepo("fleet", { ".amux/config.yaml": CHAT, "amux.compose.yaml": compose(roots) }, { fixtureAgents: false });
    const write = async (text: string) => {
      repo.write("amux.compose.yaml", text);
      await repo.git(["commit", "-qam", "compose"]);
    };
    for (const [h, root] of [
      [h1, roots.h1],
      [h2, roots.h2],
    ] as const) {
      const r = await e2e.run("git", ["clone", "-q", repo.dir, root]);
      if (r.code !== 0) throw new Error(`clone for ${h.user}: ${r.output}`);
      await e2e.run("chown", ["-R", h.user, root]);
    }
    const onHost = (h: LabHost) =>
      lab.asUser(h.user, ["tmux", "-L", e2e.socket, "list-sessions", "-F", "#{session_name}"]).stdout.split("\n").filter(Boolean).sort();
    try {
      await body({ repo, roots, onHost, h1, h2, write });
    } finally {
      for (const h of lab.hosts) lab.asUser(h.user, ["tmux", "-L", e2e.socket, "kill-server"]);
      rmSync(roots.h1, { recursive: true, force: true });
      rmSync(roots.h2, { recursive: true, force: true });
    }
  }

  const hostsOf = async (repo: Repo, args: string[] = []) =>
    (await repo.ps(args)).map((r) => `${r.name}@${(r.host as string | null) ?? "local"}:${r.status}`).sort();

  test(
    "up places each replica on its host (a list spreads them); ps, send, logs, plan, stop, start, restart and down work across hosts",
    async ({ e2e, procs }) => {
      await fleet(
        e2e,
        (r) =>
          [
            "name: hx",
            "hosts:",
            `  h1: { ssh: h1, root: ${r.h1} }`,
            `  h2: { ssh: h2, root: ${r.h2} }`,
            "services:",
            "  a: { agent: chat, host: h1, replicas: 2 }",
            "  s: { agent: chat, host: [h1, h2], replicas: 3 }",
            "  c: { agent: chat }",
            "",
          ].join("\n"),
        async ({ repo, roots, onHost, h1, h2 }) => {
          const up = await repo.amuxOk(["up"]);
          expect(up.stdout).toContain("6 created");
          expect(onHost(h1)).toEqual(["hx-a-1", "hx-a-2", "hx-s-1", "hx-s-3"]);
          expect(onHost(h2)).toEqual(["hx-s-2"]);
          expect(await e2e.liveSessions()).toEqual(["hx-c-1"]);
          expect((await repo.ps()).map((r) => `${r.name}@${r.host ?? "local"}`).sort()).toEqual([
            "hx-a-1@h1",
            "hx-a-2@h1",
            "hx-c-1@local",
            "hx-s-1@h1",
            "hx-s-2@h2",
            "hx-s-3@h1",
          ]);
          // ps shows where each runs when the fleet spans hosts.
          const text = (await repo.amuxOk(["ps"])).stdout.split("\n");
          expect(text[0]).toMatch(/^NAME\s+SERVICE\s+AGENT\s+STATUS\s+HOST\s+WORKSPACE/);
          expect(text.find((l) => l.startsWith("hx-s-2"))).toMatch(/\sh2\s/);
          expect(text.find((l) => l.startsWith("hx-c-1"))).toMatch(/\s-\s/);

          // A replica on a host runs in that host's checkout and writes its log there, privately.
          const cwd = lab.asUser(h2.user, ["tmux", "-L", e2e.socket, "display-message", "-p", "-t", "=hx-s-2:", "#{pane_current_path}"]).stdout.trim();
          expect(cwd).toBe(roots.h2);
          const log = join(roots.h2, ".amux", "logs", "hx-s-2.log");
          expect(lab.asUser(h2.user, ["stat", "-c", "%a %U", log]).stdout.trim()).toBe("600 amuxh2");
          expect(lab.asUser(h2.user, ["stat", "-c", "%a", join(roots.h2, ".amux", "logs")]).stdout.trim()).toBe("700");
          // The agent's environment is the host's (its HOME, not this machine's) and says its root there.
          await repo.amuxOk(["send", "hx-s-2", "hello from afar"]);
          await waitFor(
            async () => (await repo.amux(["logs", "hx-s-2"])).stdout.includes("got hello from afar"),
            10_000,
            "the remote log to show what send typed",
          );
          // logs -f follows a host's log there, with each replica's lines told apart for a service.
          const follow = procs.start(["logs", "-f", "s"], repo.dir);
          await new Promise((r) => setTimeout(r, 1000));
          await repo.amuxOk(["send", "hx-s-2", "second line"]);
          await repo.amuxOk(["send", "hx-s-1", "on h1"]);
          await waitFor(() => follow.stdout.includes("got second line") && follow.stdout.includes("got on h1"), 10_000, "logs -f to show both hosts' lines");
          expect(follow.lines().find((l) => l.includes("got second line"))).toMatch(/hx-s-2/);
          await follow.kill();
          // A second plan is empty across hosts.
          expect(await repo.plan()).toEqual([]);

          // stop, start and restart on a host's session.
          await repo.amuxOk(["stop", "hx-s-2"]);
          expect(onHost(h2)).toEqual([]);
          expect((await repo.ps(["--all"])).find((r) => r.name === "hx-s-2")).toMatchObject({ status: "stopped", host: "h2" });
          await repo.amuxOk(["start", "hx-s-2"]);
          expect(onHost(h2)).toEqual(["hx-s-2"]);
          await repo.amuxOk(["restart", "hx-a-1"]);
          expect(onHost(h1)).toEqual(["hx-a-1", "hx-a-2", "hx-s-1", "hx-s-3"]);
          expect(await repo.plan()).toEqual([]);

          const down = await repo.amuxOk(["down"]);
          expect(down.stdout).toContain("6 sessions removed");
          expect(onHost(h1)).toEqual([]);
          expect(onHost(h2)).toEqual([]);
          expect(await e2e.liveSessions()).toEqual([]);
        },
      );
    },
    SLOW,
  );

  test(
    "changing a service's host recreates its replicas on the new host (host changed)",
    async ({ e2e }) => {
      const compose = (r: { h1: string; h2: string }, host: string) =>
        [
          "name: hm",
          "hosts:",
          `  h1: { ssh: h1, root: ${r.h1} }`,
          `  h2: { ssh: h2, root: ${r.h2} }`,
          "services:",
          `  b: { agent: chat, host: ${host} }`,
          "",
        ].join("\n");
      await fleet(
        e2e,
        (r) => compose(r, "h1"),
        async ({ repo, roots, onHost, h1, h2, write }) => {
          await repo.amuxOk(["up"]);
          expect(onHost(h1)).toEqual(["hm-b-1"]);
          await write(compose(roots, "h2"));
          const plan = await repo.plan();
          expect(plan.map((a) => `${a.action} ${a.session} ${(a as { host?: string }).host} ${a.reason}`)).toEqual([
            "remove hm-b-1 h1 host changed (h1 -> h2)",
            "create hm-b-1 h2 host changed (h1 -> h2)",
          ]);
          await repo.amuxOk(["up"]);
          expect(onHost(h1)).toEqual([]);
          expect(onHost(h2)).toEqual(["hm-b-1"]);
          expect(await hostsOf(repo)).toEqual([expect.stringMatching(/^hm-b-1@h2:/)]);
          // And back to this machine.
          await write(compose(roots, "h2").replace(", host: h2", ""));
          await repo.amuxOk(["up"]);
          expect(onHost(h2)).toEqual([]);
          expect(await e2e.liveSessions()).toEqual(["hm-b-1"]);
          await repo.amuxOk(["down"]);
          // A host taken out of the file: what runs there is an orphan amux says it cannot reach.
          await write(compose(roots, "h2"));
          await repo.amuxOk(["up"]);
          expect(onHost(h2)).toEqual(["hm-b-1"]);
          await write(["name: hm", "hosts:", `  h1: { ssh: h1, root: ${roots.h1} }`, "services:", "  other: { agent: chat }", ""].join("\n"));
          const up = await repo.amuxOk(["up"]);
          expect(up.stderr).toMatch(
            /orphan hm-b-1: runs on host h2, which the compose file no longer declares: `amux up --remove-orphans` \(or `amux down`\) removes it there \(ssh h2\)/,
          );
          expect(onHost(h2)).toEqual(["hm-b-1"]);
          // The record kept how h2 was reached: --remove-orphans removes it there.
          const rm = await repo.amuxOk(["up", "--remove-orphans"]);
          expect(rm.stdout).toMatch(/- removed orphan hm-b-1 on host h2/);
          expect(onHost(h2)).toEqual([]);
          expect((await repo.amuxOk(["up"])).stderr).not.toMatch(/orphan hm-b-1/);
          const ended = (await repo.ps(["--all"])).find((r) => r.name === "hm-b-1");
          expect(ended?.status).not.toBe("running");
          // And down removes such orphans too.
          await write(compose(roots, "h2"));
          await repo.amuxOk(["up"]);
          expect(onHost(h2)).toEqual(["hm-b-1"]);
          await write(["name: hm", "services:", "  other: { agent: chat }", ""].join("\n"));
          const down = await repo.amuxOk(["down"]);
          expect(down.stdout).toMatch(/removed hm-b-1/);
          expect(onHost(h2)).toEqual([]);
          // A host that cannot be reached any more: the orphan is kept, said with ssh's reason, exit 1.
          await write(compose(roots, "h2"));
          await repo.amuxOk(["up"]);
          expect(onHost(h2)).toEqual(["hm-b-1"]);
          await write(["name: hm", "services:", "  other: { agent: chat }", ""].join("\n"));
          const recFile = join(repo.dir, ".amux", "state", "sessions", "hm-b-1.json");
          const rec = JSON.parse(readFileSync(recFile, "utf8")) as Record<string, unknown>;
          expect(rec.hostAt).toEqual({ ssh: "h2", root: roots.h2 });
          rec.hostAt = { ssh: "hclosed", root: roots.h2 };
          writeFileSync(recFile, `${JSON.stringify(rec)}\n`);
          const away = await repo.amux(["up", "--remove-orphans"]);
          expect(away.code).toBe(1);
          expect(away.stderr).toMatch(/cannot remove orphan hm-b-1: host h2 \(hclosed\) cannot be reached: connection refused/);
          expect(onHost(h2)).toEqual(["hm-b-1"]);
          await write(compose(roots, "h2"));
          await repo.amuxOk(["down"]);
          expect(onHost(h2)).toEqual([]);
        },
      );
    },
    SLOW,
  );

  test(
    "a replica with a workspace on a host runs in a worktree of that host's checkout, made there",
    async ({ e2e }) => {
      await fleet(
        e2e,
        (r) => ["name: hw", "hosts:", `  h1: { ssh: h1, root: ${r.h1} }`, "services:", "  w: { agent: chat, host: h1, workspace: team }", ""].join("\n"),
        async ({ repo, roots, onHost, h1 }) => {
          const up = await repo.amuxOk(["up"]);
          expect(up.stdout).toContain("1 created");
          expect(onHost(h1)).toEqual(["hw-w-1"]);
          const dir = `${roots.h1}.worktrees/team`;
          const cwd = lab.asUser(h1.user, ["tmux", "-L", e2e.socket, "display-message", "-p", "-t", "=hw-w-1:", "#{pane_current_path}"]).stdout.trim();
          expect(cwd).toBe(dir);
          expect(lab.asUser(h1.user, ["git", "-C", dir, "rev-parse", "--abbrev-ref", "HEAD"]).stdout.trim()).toBe("amux/team");
          // Nothing of it here: this machine's checkout has no such worktree.
          expect((await repo.git(["worktree", "list"])).stdout.trim().split("\n")).toHaveLength(1);
          expect(await repo.plan()).toEqual([]);
          // down --workspaces removes it there too (nothing unsaved in it).
          const down = await repo.amuxOk(["down", "--workspaces"]);
          expect(down.output).toMatch(/removed workspace team on host h1/);
          expect(onHost(h1)).toEqual([]);
          expect(lab.asUser(h1.user, ["test", "-e", dir]).code).not.toBe(0);
          expect(lab.asUser(h1.user, ["git", "-C", roots.h1, "worktree", "list"]).stdout.trim().split("\n")).toHaveLength(1);
          rmSync(`${roots.h1}.worktrees`, { recursive: true, force: true });
        },
      );
    },
    SLOW,
  );

  test(
    "a replica's prompt is typed into it on its host once it is ready",
    async ({ e2e }) => {
      await fleet(
        e2e,
        (r) =>
          ["name: hp", "hosts:", `  h2: { ssh: h2, root: ${r.h2} }`, "services:", "  p: { agent: prompted, host: h2, prompt: hello over ssh }", ""].join("\n"),
        async ({ repo, onHost, h2 }) => {
          const up = await repo.amuxOk(["up"]);
          expect(up.output).toContain("hp-p-1: prompt sent");
          expect(onHost(h2)).toEqual(["hp-p-1"]);
          await waitFor(async () => (await repo.amux(["logs", "hp-p-1"])).stdout.includes("got: hello over ssh"), 10_000, "the prompt in the remote log");
          await repo.amuxOk(["down"]);
        },
      );
    },
    SLOW,
  );

  test(
    "a replica on a host whose command does not exist: up names it with its last output, read there, and exits 1",
    async ({ e2e }) => {
      await fleet(
        e2e,
        (r) =>
          [
            "name: hf",
            "hosts:",
            `  h1: { ssh: h1, root: ${r.h1} }`,
            `  h2: { ssh: h2, root: ${r.h2} }`,
            "services:",
            "  bad: { agent: broken, host: h2 }",
            "  ok: { agent: chat, host: [h1, h2], replicas: 2 }",
            "  here: { agent: broken }",
            "",
          ].join("\n"),
        async ({ repo, onHost, h1, h2 }) => {
          const up = await repo.amux(["up"]);
          expect(up.code).toBe(1);
          // The host's replica is named like this machine's, with its last words from its log there.
          for (const name of ["hf-bad-1", "hf-here-1"]) {
            expect(up.stderr).toMatch(
              new RegExp(
                `${name} exited at once with code 127; its last output:\\n(  .*\\n)*  about to start it\\n(  .*\\n)*.*amux-no-such-command-q7.*not found`,
              ),
            );
          }
          expect(up.stderr).not.toMatch(/hf-ok-\d exited/);
          expect(onHost(h1)).toEqual(["hf-ok-1"]);
          expect(onHost(h2)).toEqual(["hf-bad-1", "hf-ok-2"]);
          // With --wait too (through the whole first second), and nothing left unsaid.
          await repo.amuxOk(["down"]);
          const wait = await repo.amux(["up", "--wait", "--wait-timeout", "20s", "bad", "ok"]);
          expect(wait.code).toBe(1);
          expect(wait.stderr).toMatch(/hf-bad-1 exited at once with code 127; its last output:/);
          expect(wait.stderr).not.toMatch(/hf-ok-\d exited/);
          await repo.amuxOk(["down"]);
        },
      );
    },
    SLOW,
  );

  test(
    "down and stop take the lease on each host they change: another controller's lease makes them fail for that host, naming it, after doing the rest",
    async ({ e2e }) => {
      await fleet(
        e2e,
        (r) =>
          [
            "name: hl",
            "hosts:",
            `  h1: { ssh: h1, root: ${r.h1} }`,
            `  h2: { ssh: h2, root: ${r.h2} }`,
            "services:",
            "  a: { agent: chat, host: h1 }",
            "  b: { agent: chat, host: h2, replicas: 2 }",
            "  c: { agent: chat }",
            "",
          ].join("\n"),
        async ({ repo, onHost, h1, h2 }) => {
          await repo.amuxOk(["up"]);
          expect(onHost(h1)).toEqual(["hl-a-1"]);
          const tmuxAs = (h: LabHost, ...args: string[]) => lab.asUser(h.user, ["tmux", "-L", e2e.socket, ...args]);
          const leaseOf = (h: LabHost) => tmuxAs(h, "show-options", "-gqv", "@amux-lease-owner").stdout.trim();
          // Another controller (on another machine) holds h1's lease for five minutes.
          const until = String(Math.floor(Date.now() / 1000) + 300);
          tmuxAs(h1, "set-option", "-g", "@amux-lease-owner", "other-box-4242-abc", ";", "set-option", "-g", "@amux-lease-until", until);

          const stop = await repo.amux(["stop", "hl-a-1"]);
          expect(stop.code).toBe(1);
          expect(stop.stderr).toMatch(/host h1's tmux server is held by another amux \(other-box-4242-abc\)/);
          expect(onHost(h1)).toEqual(["hl-a-1"]);
          // A host whose lease is free: stopped, and the lease it took is given back.
          await repo.amuxOk(["stop", "hl-b-2"]);
          expect(onHost(h2)).toEqual(["hl-b-1"]);
          expect(leaseOf(h2)).toBe("");

          const down = await repo.amux(["down"]);
          expect(down.code).toBe(1);
          expect(down.stderr).toMatch(/cannot remove hl-a-1: host h1's tmux server is held by another amux \(other-box-4242-abc\)/);
          expect(onHost(h1)).toEqual(["hl-a-1"]);
          expect(onHost(h2)).toEqual([]);
          expect(await e2e.liveSessions()).toEqual([]);
          expect(leaseOf(h1)).toBe("other-box-4242-abc");
          // Its record says it still runs (not ended by down).
          const rec = JSON.parse(readFileSync(join(repo.dir, ".amux", "state", "sessions", "hl-a-1.json"), "utf8")) as { stoppedAt: unknown };
          expect(rec.stoppedAt).toBeNull();

          // Its lease expired: the next down takes it, removes the rest, and frees it.
          tmuxAs(h1, "set-option", "-g", "@amux-lease-until", String(Math.floor(Date.now() / 1000) - 1));
          await repo.amuxOk(["down"]);
          expect(onHost(h1)).toEqual([]);
        },
      );
    },
    SLOW,
  );

  test(
    "the MCP tools on a fleet over hosts: plan and up across hosts, list with host, send, logs and screen of a remote session, stop, down",
    async ({ e2e, procs }) => {
      await fleet(
        e2e,
        (r) =>
          [
            "name: hq",
            "hosts:",
            `  h1: { ssh: h1, root: ${r.h1} }`,
            `  h2: { ssh: h2, root: ${r.h2} }`,
            "services:",
            "  a: { agent: chat, host: h1 }",
            "  s: { agent: chat, host: [h1, h2], replicas: 2 }",
            "  c: { agent: chat }",
            "",
          ].join("\n"),
        async ({ repo, onHost, h1, h2 }) => {
          const m = await mcpClient(e2e, procs, repo.dir);
          try {
            const plan = await m.call("fleet_plan");
            expect(plan.isError).toBe(false);
            const actions = (plan.structured as { actions: { action: string; session: string; host?: string }[] }).actions;
            expect(actions.map((a) => `${a.action} ${a.session}@${a.host ?? "local"}`).sort()).toEqual([
              "create hq-a-1@h1",
              "create hq-c-1@local",
              "create hq-s-1@h1",
              "create hq-s-2@h2",
            ]);
            const up = await m.call("fleet_up");
            expect(up.isError, up.text).toBe(false);
            expect(onHost(h1)).toEqual(["hq-a-1", "hq-s-1"]);
            expect(onHost(h2)).toEqual(["hq-s-2"]);
            expect(await e2e.liveSessions()).toEqual(["hq-c-1"]);
            expect((await m.call("fleet_plan")).structured).toMatchObject({ actions: [] });

            const list = await m.call("session_list");
            const rows = (list.structured as { sessions: { name: string; host: string | null }[] }).sessions;
            expect(rows.map((x) => `${x.name}@${x.host ?? "local"}`).sort()).toEqual(["hq-a-1@h1", "hq-c-1@local", "hq-s-1@h1", "hq-s-2@h2"]);

            // Typed into the session on h2, read back from its log there and from its screen.
            const sent = await m.call("session_send", { session: "hq-s-2", text: "hello from mcp" });
            expect(sent.isError, sent.text).toBe(false);
            await waitFor(async () => (await m.call("session_logs", { session: "hq-s-2" })).text.includes("got hello from mcp"), 10_000, "the remote log");
            const screen = await m.call("session_logs", { session: "hq-s-2", screen: true });
            expect(screen.isError, screen.text).toBe(false);
            expect(screen.text).toContain("got hello from mcp");
            // A service's logs: each replica's lines, wherever it runs.
            const svc = await m.call("session_logs", { session: "s" });
            expect(svc.text).toMatch(/hq-s-1 \| ready/);
            expect(svc.text).toMatch(/hq-s-2 \| got hello from mcp/);

            const stop = await m.call("session_stop", { session: "hq-a-1" });
            expect(stop.isError, stop.text).toBe(false);
            expect(onHost(h1)).toEqual(["hq-s-1"]);
            const again = await m.call("fleet_up", { services: ["a"] });
            expect(again.isError, again.text).toBe(false);
            expect(onHost(h1)).toEqual(["hq-a-1", "hq-s-1"]);

            const down = await m.call("fleet_down");
            expect(down.isError, down.text).toBe(false);
            expect((down.structured as { removed: string[] }).removed.sort()).toEqual(["hq-a-1", "hq-c-1", "hq-s-1", "hq-s-2"]);
            expect(onHost(h1)).toEqual([]);
            expect(onHost(h2)).toEqual([]);
          } finally {
            await m.close();
          }
        },
      );
    },
    SLOW,
  );

  test(
    "hostile values reach a host's agent literally through ssh (environment, prompt, sent text, a root with quotes and $()), and no canary appears anywhere",
    async ({ e2e }) => {
      const canary = lab.canaryDir;
      const evil = (tag: string) => `a'b"c $(touch ${canary}/${tag}-1) \`touch ${canary}/${tag}-2\` ; touch ${canary}/${tag}-3 #{pane_id} %H $HOME & | > <`;
      const tag = e2e.socket.slice(-8);
      const [h1] = lab.hosts;
      // A root path with quotes and command substitutions in it (relative canaries: they would land in some shell's folder).
      const root = join(h1.home, `hz-${tag} q'"$(touch hzcanary-a)\`touch hzcanary-b\`;touch hzcanary-c`);
      const compose = JSON.stringify({
        name: "hz",
        hosts: { h1: { ssh: "h1", root } },
        services: { e: { agent: "envy", host: "h1", environment: { EVIL: evil("env") }, prompt: evil("prompt"), workspace: "w.x_1-y" } },
      });
      await fleet(
        e2e,
        () => compose,
        async ({ repo, onHost }) => {
          try {
            const cl = await e2e.run("git", ["clone", "-q", repo.dir, root]);
            expect(cl.code, cl.output).toBe(0);
            await e2e.run("chown", ["-R", h1.user, root]);
            const up = await repo.amux(["up"]);
            expect(up.code, up.output).toBe(0);
            expect(up.output).toContain("hz-e-1: prompt sent");
            expect(onHost(h1)).toEqual(["hz-e-1"]);
            const cwd = lab.asUser(h1.user, ["tmux", "-L", e2e.socket, "display-message", "-p", "-t", "=hz-e-1:", "#{pane_current_path}"]).stdout.trim();
            expect(cwd).toBe(`${root}.worktrees/w.x_1-y`);
            const sent = await repo.amux(["send", "hz-e-1", evil("send")]);
            expect(sent.code, sent.output).toBe(0);
            const logOf = async () => (await repo.amux(["logs", "hz-e-1"])).stdout;
            await waitFor(async () => (await logOf()).includes(`got: ${evil("send")}`), 10_000, "the sent text in the remote log");
            const log = await logOf();
            expect(log).toContain(`env=[${evil("env")}]`);
            expect(log).toContain(`got: ${evil("prompt")}`);
            // The log is where the hostile root says, on the host.
            expect(lab.asUser(h1.user, ["test", "-s", join(root, ".amux", "logs", "hz-e-1.log")]).code).toBe(0);
            await repo.amuxOk(["down", "--workspaces"]);
            expect(onHost(h1)).toEqual([]);
          } finally {
            expect(readdirSync(canary)).toEqual([]);
            for (const dir of [h1.home, lab.hosts[1].home, repo.dir, e2e.home, process.cwd(), "/", "/tmp"]) {
              expect(
                readdirSync(dir).filter((f) => f.startsWith("hzcanary")),
                dir,
              ).toEqual([]);
            }
            rmSync(root, { recursive: true, force: true });
            rmSync(`${root}.worktrees`, { recursive: true, force: true });
          }
        },
      );
    },
    SLOW,
  );

  test(
    "a host on a closed port: up does the rest, makes nothing in its place, and exits 1 naming it and why",
    async ({ e2e, procs }) => {
      await fleet(
        e2e,
        (r) =>
          [
            "name: hc",
            "hosts:",
            `  h1: { ssh: h1, root: ${r.h1} }`,
            "  gone: { ssh: hclosed, root: /srv/nowhere }",
            "services:",
            "  a: { agent: chat, host: h1 }",
            "  d: { agent: chat, host: gone, replicas: 2 }",
            "  c: { agent: chat }",
            "",
          ].join("\n"),
        async ({ repo, onHost, h1, h2 }) => {
          const up = await repo.amux(["up"]);
          expect(up.code).toBe(1);
          expect(up.stderr).toMatch(/host gone \(hclosed\) cannot be reached: connection refused/);
          expect(onHost(h1)).toEqual(["hc-a-1"]);
          expect(onHost(h2)).toEqual([]);
          expect(await e2e.liveSessions()).toEqual(["hc-c-1"]);
          const plan = JSON.parse((await repo.amuxOk(["plan", "--json"])).stdout) as { actions: unknown[]; notes: { kind: string; session: string }[] };
          expect(plan.actions).toEqual([]);
          expect(plan.notes.filter((n) => n.kind === "unreachable").map((n) => n.session)).toEqual(["hc-d-1", "hc-d-2"]);
          // Through MCP too: fleet_up and fleet_down are errors naming the host and why.
          const m = await mcpClient(e2e, procs, repo.dir);
          try {
            const mup = await m.call("fleet_up");
            expect(mup.isError).toBe(true);
            expect(mup.text).toMatch(/host gone \(hclosed\) cannot be reached: connection refused; nothing was done there/);
            const mdown = await m.call("fleet_down");
            expect(mdown.isError).toBe(true);
            expect(mdown.text).toMatch(/host gone \(hclosed\) cannot be reached: connection refused; its sessions were not removed/);
            expect(onHost(h1)).toEqual([]);
            await m.call("fleet_up");
            expect(onHost(h1)).toEqual(["hc-a-1"]);
          } finally {
            await m.close();
          }
          const down = await repo.amux(["down"]);
          expect(down.code).toBe(1);
          expect(down.stderr).toMatch(/host gone \(hclosed\) cannot be reached: connection refused; its sessions were not removed/);
          expect(onHost(h1)).toEqual([]);
          expect(await e2e.liveSessions()).toEqual([]);
        },
      );
    },
    SLOW,
  );

  test(
    "sshd stopped mid-run: its sessions show unreachable, up and down exit 1 naming it, and both converge once it returns",
    async ({ e2e }) => {
      await fleet(
        e2e,
        (r) =>
          [
            "name: hu",
            "hosts:",
            `  h1: { ssh: h1, root: ${r.h1} }`,
            `  h2: { ssh: h2, root: ${r.h2} }`,
            "services:",
            "  b: { agent: chat, host: h2 }",
            "  c: { agent: chat }",
            "",
          ].join("\n"),
        async ({ repo, onHost, h1, h2 }) => {
          await repo.amuxOk(["up"]);
          expect(onHost(h2)).toEqual(["hu-b-1"]);
          // The server goes away, and with it every open connection (the control connections too).
          const cut = async () => {
            await lab.stopSshd();
            for (const h of lab.hosts) await sshDisconnect(h, { env: e2e.env });
          };
          try {
            await cut();
            const up = await repo.amux(["up"]);
            expect(up.code).toBe(1);
            expect(up.stderr).toMatch(/host h2 \(h2\) cannot be reached: connection refused/);
            // Nothing made in its place, here or on the other host.
            expect(await e2e.liveSessions()).toEqual(["hu-c-1"]);
            expect(onHost(h1)).toEqual([]);
            expect(onHost(h2)).toEqual(["hu-b-1"]);
            expect(await hostsOf(repo)).toEqual(["hu-b-1@h2:unreachable", expect.stringMatching(/^hu-c-1@local:/)]);
            const row = (await repo.ps()).find((r) => r.name === "hu-b-1");
            expect(row?.statusReason).toMatch(/host h2 \(h2\) cannot be reached: connection refused/);
            // What needs the session itself says where it is and why it cannot be reached.
            const send = await repo.amux(["send", "hu-b-1", "hello"]);
            expect(send.code).toBe(1);
            expect(send.stderr).toMatch(/host h2 \(h2\): connection refused \(session hu-b-1 runs there\)/);

            // It returns: ps sees it again, and up has nothing to do.
            await lab.startSshd();
            expect(await hostsOf(repo)).toEqual([expect.stringMatching(/^hu-b-1@h2:(running|idle|waiting)$/), expect.stringMatching(/^hu-c-1@local:/)]);
            expect((await repo.amuxOk(["up"])).stdout).toContain("nothing to do, 2 sessions up to date");

            // down with the host gone removes what it can reach and says what it could not.
            await cut();
            const down = await repo.amux(["down"]);
            expect(down.code).toBe(1);
            expect(down.stderr).toMatch(/host h2 \(h2\) cannot be reached/);
            expect(await e2e.liveSessions()).toEqual([]);
            expect(onHost(h2)).toEqual(["hu-b-1"]);
          } finally {
            await lab.startSshd();
          }
          await repo.amuxOk(["down"]);
          expect(onHost(h2)).toEqual([]);
        },
      );
    },
    SLOW,
  );

  test(
    "watch converges on each host, makes nothing elsewhere while one cannot be reached, and converges there when it returns",
    async ({ e2e, procs }) => {
      await fleet(
        e2e,
        (r) => ["name: hv", "hosts:", `  h2: { ssh: h2, root: ${r.h2} }`, "services:", "  b: { agent: chat, host: h2 }", "  c: { agent: chat }", ""].join("\n"),
        async ({ repo, onHost, h2 }) => {
          const w = procs.start(["watch", "--json", "--interval", "250ms"], repo.dir);
          await waitFor(() => onHost(h2).includes("hv-b-1"), 15_000, "hv-b-1 made on h2 by the watcher");
          await waitFor(async () => (await e2e.liveSessions()).includes("hv-c-1"), 10_000, "hv-c-1 made here");
          // Lost on its host: made again there.
          lab.asUser(h2.user, ["tmux", "-L", e2e.socket, "kill-session", "-t", "=hv-b-1"]);
          await waitFor(() => onHost(h2).includes("hv-b-1"), 10_000, "hv-b-1 made again on h2");
          try {
            await lab.stopSshd();
            for (const h of lab.hosts) await sshDisconnect(h, { env: e2e.env });
            lab.asUser(h2.user, ["tmux", "-L", e2e.socket, "kill-session", "-t", "=hv-b-1"]);
            await waitFor(() => w.stderr.includes("host h2 (h2) cannot be reached"), 10_000, "the watcher to say h2 cannot be reached");
            await new Promise((r) => setTimeout(r, 1500));
            expect(await e2e.liveSessions()).toEqual(["hv-c-1"]);
            expect(onHost(h2)).toEqual([]);
          } finally {
            await lab.startSshd();
          }
          await waitFor(() => onHost(h2).includes("hv-b-1"), 30_000, "hv-b-1 made on h2 once it is back");
          await waitFor(() => w.stderr.includes("host h2 is reachable again"), 10_000, "the watcher to say h2 is back");
          expect(await e2e.liveSessions()).toEqual(["hv-c-1"]);
          expect(w.exit).toBeNull();
          await w.kill();
          await repo.amuxOk(["down"]);
          expect(onHost(h2)).toEqual([]);
        },
      );
    },
    SLOW,
  );
});
