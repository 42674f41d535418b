/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is config text under test, not a template */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { type E2E, listFiles, q, type Repo, SLOW, waitFor } from "./harness.js";
import { type Procs, test } from "./harness-extra.js";
import { connectMcp } from "./mcp-client.js";

// The secrets sweep: canary values given on every path a secret can take (run -e, a value from
// the environment, compose ${VAR} in environment and in command, a pass-through key, a service
// *_PASSWORD, MCP session_run environment, the environment of whoever starts the tmux server),
// then searched for in everything amux prints, stores, and leaves in tmux. The agents themselves
// must get exactly what was declared, and nothing of the server starter's environment.

function canary(what: string): string {
  return `cnry-${what}-${randomBytes(5).toString("hex")}`;
}

/** What must never show: the canary, and the start of a plain sha256 of it (alone or as KEY=value). */
function traces(key: string, value: string): string[] {
  const sha = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);
  return [value, sha(value), sha(`${key}=${value}`)];
}

/** A compose file whose agent writes its environment (and its command's expanded piece) to OUT. */
function composeYaml(out: string): string {
  const command = `echo "cmd=\${CMD_VAR}" > "$OUT_DIR/$AMUX_SESSION.cmd"; env > "$OUT_DIR/$AMUX_SESSION.env"; echo ready; exec sleep 100000`;
  return `name: sweep
agents:
  dumper:
    environment:
      OUT_DIR: ${q(out)}
      FROM_VAR: "\${COMPOSE_VAR}"
      AWS_PROFILE:
      MODEL: opus
    params:
      command: ${q(command)}
    status: { idleAfter: 1s }
workspaces:
  setup: "true \${SETUP_VAR:-none}"
hooks:
  - on: [running, idle]
    run: "exit 3 # \${HOOK_VAR:-none}"
services:
  web:
    agent: dumper
    workspace: ws1
    environment:
      DB_PASSWORD: ${q("__SVC_PW__")}
      PLAIN: visible-value
`;
}

async function mcpRun(e2e: E2E, procs: Procs, repo: Repo, args: Record<string, unknown>): Promise<string> {
  const { client, stderr } = await connectMcp(e2e, procs, repo.dir);
  try {
    const r = await client.callTool({ name: "session_run", arguments: args });
    const text = ((r.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? "").join("\n");
    if (r.isError) throw new Error(`session_run failed: ${text}\n${stderr()}`);
    const list = await client.callTool({ name: "session_list", arguments: { all: true } });
    return `${text}\n${JSON.stringify(r)}\n${JSON.stringify(list)}\n${stderr()}`;
  } finally {
    await client.close();
  }
}

/** Everything tmux holds about options and the global environment, for every session and pane. */
async function tmuxState(e2e: E2E): Promise<string> {
  const parts: string[] = [];
  const add = async (args: string[]) => {
    const r = await e2e.tmux(args);
    parts.push(`$ tmux ${args.join(" ")}\n${r.output}`);
  };
  await add(["show-options", "-g"]);
  await add(["show-options", "-s"]);
  await add(["show-options", "-gw"]);
  await add(["show-environment", "-g"]);
  for (const s of await e2e.liveSessions()) {
    await add(["show-options", "-t", `=${s}:`]);
    await add(["show-options", "-w", "-t", `=${s}:`]);
    await add(["show-options", "-p", "-t", `=${s}:`]);
  }
  await add(["list-panes", "-a", "-F", "#{session_name} #{window_name} #{pane_title}"]);
  return parts.join("\n");
}

/** Reads an agent's dump once it is complete. */
function dumped(out: string, session: string, ext: "env" | "cmd"): Promise<string> {
  const f = join(out, `${session}.${ext}`);
  return waitFor(
    () => {
      if (!existsSync(f)) return undefined;
      const text = readFileSync(f, "utf8");
      return ext === "env" ? (text.includes("AMUX_SESSION=") ? text : undefined) : text.includes("cmd=") ? text : undefined;
    },
    20_000,
    `${f} from the agent`,
  );
}

function expectAbsent(haystack: Record<string, string>, canaries: Record<string, [string, string]>): void {
  for (const [where, text] of Object.entries(haystack)) {
    for (const [name, [key, value]] of Object.entries(canaries)) {
      for (const t of traces(key, value)) {
        expect(text.includes(t), `${name} (${t === value ? "its value" : "a plain sha256 of it"}) must not appear in ${where}:\n${text.slice(0, 3000)}`).toBe(
          false,
        );
      }
    }
  }
}

describe("secrets stay secret on every path", () => {
  test(
    "canaries from run -e, the environment, compose, a command's ${VAR}, a service password and MCP appear nowhere but in the agents",
    async ({ e2e, procs }) => {
      const out = join(e2e.tmp, "out");
      mkdirSync(out);
      const c = {
        runToken: canary("run-token"),
        runFromEnv: canary("run-fromenv"),
        composeVar: canary("compose-var"),
        composeVar2: canary("compose-var2"),
        cmdVar: canary("cmd-var"),
        passThrough: canary("passthrough"),
        svcPassword: canary("svc-password"),
        mcpToken: canary("mcp-token"),
        setupVar: canary("setup-var"),
        hookVar: canary("hook-var"),
        myServerSecret: canary("server-starter"),
      };
      // Every amux below runs with these; the first one (up) starts the tmux server with them.
      const env = {
        COMPOSE_VAR: c.composeVar,
        CMD_VAR: c.cmdVar,
        AWS_PROFILE: c.passThrough,
        RUN_VALUE: c.runFromEnv,
        MY_SECRET: c.myServerSecret,
        SETUP_VAR: c.setupVar,
        HOOK_VAR: c.hookVar,
      };
      Object.assign(e2e.env, env);
      const repo = await e2e.newRepo("sweep", { "amux.compose.yaml": composeYaml(out).replace("__SVC_PW__", c.svcPassword) });
      const printed: Record<string, string> = {};
      const amux = async (args: string[], extra: Record<string, string> = {}, ok = true) => {
        const r = ok ? await repo.amuxOk(args, { env: extra }) : await repo.amux(args, { env: extra });
        printed[`amux ${args.join(" ")}${Object.keys(extra).length ? ` (with ${Object.keys(extra).join(",")})` : ""}`] = r.output;
        return r;
      };

      await amux(["up"]);
      await amux(["run", "dumper", "--name", "r1", "-e", `API_TOKEN=${c.runToken}`, "-e", `PLAIN_RUN=${c.runFromEnv}`, "-e", "RUN_VALUE"]);
      printed["mcp session_run"] = await mcpRun(e2e, procs, repo, { agent: "dumper", name: "m1", environment: { MCP_TOKEN: c.mcpToken } });

      // The agents got exactly what was declared, the server starter's secret not at all.
      const web = await dumped(out, "sweep-web-1", "env");
      expect(web).toContain(`FROM_VAR=${c.composeVar}\n`);
      expect(web).toContain(`DB_PASSWORD=${c.svcPassword}\n`);
      expect(web).toContain(`AWS_PROFILE=${c.passThrough}\n`);
      expect(web).toContain("PLAIN=visible-value\n");
      expect(await dumped(out, "sweep-web-1", "cmd")).toBe(`cmd=${c.cmdVar}\n`);
      const r1 = await dumped(out, "r1", "env");
      expect(r1).toContain(`API_TOKEN=${c.runToken}\n`);
      expect(r1).toContain(`PLAIN_RUN=${c.runFromEnv}\n`);
      expect(r1).toContain(`RUN_VALUE=${c.runFromEnv}\n`);
      expect(await dumped(out, "m1", "env")).toContain(`MCP_TOKEN=${c.mcpToken}\n`);
      for (const [name, text] of [
        ["sweep-web-1", web],
        ["r1", r1],
        ["m1", await dumped(out, "m1", "env")],
      ] as const) {
        expect(text, `${name} must not inherit the server starter's environment`).not.toContain(c.myServerSecret);
        expect(text).not.toContain("MY_SECRET=");
        expect(text).not.toContain("COMPOSE_VAR=");
        expect(text).not.toContain("GIT_CONFIG_GLOBAL=");
        expect(text).toContain("AMUX_SESSION=");
        expect(text).toMatch(/^PATH=/m);
        expect(text).toMatch(/^HOME=/m);
      }

      // Every output, in every form; plan and ps also once the environment changed (drift, recreate).
      await repo.waitForStatus("sweep-web-1", "idle", 20_000);
      const rows = JSON.parse((await amux(["ps", "--json"])).stdout) as { name: string; drift: boolean | null }[];
      expect(rows.find((r) => r.name === "sweep-web-1")?.drift).toBe(false);
      await amux(["ps"]);
      await amux(["ps", "--all", "--json"]);
      await amux(["ps", "--wide"]);
      await amux(["plan"]);
      const upToDate = JSON.parse((await amux(["plan", "--json"])).stdout) as { actions: unknown[] };
      expect(upToDate.actions).toEqual([]);
      await amux(["up"]);
      await amux(["up", "--dry-run", "--json"]);
      await amux(["config", "show"]);
      await amux(["config", "show", "--json"]);
      await amux(["config", "validate"]);
      const shown = await amux(["config", "show"]);
      expect(shown.stdout).toContain('echo "cmd=********"');
      expect(shown.stdout).toMatch(/FROM_VAR: "?\*{8}"?/);
      // Asked for, they are there: masking hides values, it does not drop them.
      const revealed = await repo.amuxOk(["config", "show", "--show-secrets"]);
      for (const v of [c.cmdVar, c.composeVar, c.passThrough, c.svcPassword]) expect(revealed.stdout).toContain(v);
      await amux(["logs", "r1"]);
      await amux(["workspace", "ls"]);
      const changed = await amux(["plan", "--json"], { COMPOSE_VAR: c.composeVar2 });
      expect((JSON.parse(changed.stdout) as { actions: { action: string; reason: string }[] }).actions).toEqual([
        expect.objectContaining({ action: "recreate", reason: "environment.FROM_VAR changed" }),
      ]);
      await amux(["plan"], { COMPOSE_VAR: c.composeVar2 });
      const drifted = JSON.parse((await amux(["ps", "--json"], { COMPOSE_VAR: c.composeVar2 })).stdout) as { name: string; drift: boolean | null }[];
      expect(drifted.find((r) => r.name === "sweep-web-1")?.drift).toBe(true);
      // Back to the environment it was started with: up to date again.
      const again = JSON.parse((await amux(["ps", "--json"])).stdout) as { name: string; drift: boolean | null }[];
      expect(again.find((r) => r.name === "sweep-web-1")?.drift).toBe(false);

      // The watcher's events, briefly.
      const watch = procs.start(["watch", "--json"], repo.dir);
      await watch.waitUntil((p) => p.json().some((e) => e.type === "status" && e.session === "r1"), 20_000, "r1's status event");
      await watch.waitUntil((p) => p.json().some((e) => e.type === "hook" && !!e.error), 20_000, "a failed hook's event");
      expect(watch.stderr).toContain("exit 3 # ********");
      await watch.kill();
      printed["amux watch --json"] = watch.output;

      const files: Record<string, string> = {};
      for (const f of listFiles(join(repo.dir, ".amux"))) files[f] = readFileSync(f, "utf8");
      expect(Object.keys(files).some((f) => f.endsWith("project.json"))).toBe(true);
      expect(Object.keys(files).some((f) => f.endsWith("events.jsonl"))).toBe(true);
      expect(Object.keys(files).some((f) => f.endsWith("ws1.setup"))).toBe(true);
      const tmux = await tmuxState(e2e);
      expect(tmux).toContain("@amux-key");
      expect(tmux).toContain("@amux-spec");

      const secrets: Record<string, [string, string]> = {
        "run -e API_TOKEN": ["API_TOKEN", c.runToken],
        "run -e PLAIN_RUN=$RUN_VALUE / -e RUN_VALUE": ["PLAIN_RUN", c.runFromEnv],
        "run -e RUN_VALUE": ["RUN_VALUE", c.runFromEnv],
        "compose ${COMPOSE_VAR}": ["FROM_VAR", c.composeVar],
        "compose ${COMPOSE_VAR}, changed": ["FROM_VAR", c.composeVar2],
        "${CMD_VAR} in command": ["command", c.cmdVar],
        "pass-through AWS_PROFILE": ["AWS_PROFILE", c.passThrough],
        "service DB_PASSWORD": ["DB_PASSWORD", c.svcPassword],
        "MCP environment MCP_TOKEN": ["MCP_TOKEN", c.mcpToken],
        "MY_SECRET of the server's starter": ["MY_SECRET", c.myServerSecret],
        "${SETUP_VAR} in workspaces.setup": ["setup", c.setupVar],
        "${HOOK_VAR} in a hook": ["run", c.hookVar],
        "prints-env's SECRET_TOKEN from ${SOME_VAR}": ["SECRET_TOKEN", e2e.secret],
      };
      expectAbsent({ ...printed, ...files, "tmux options and global environment": tmux }, secrets);
      // The server's global environment is the baseline only.
      expect((await e2e.tmux(["show-environment", "-g"])).stdout).not.toMatch(/^(MY_SECRET|COMPOSE_VAR|RUN_VALUE|GIT_CONFIG_GLOBAL|AMUX_TMUX_SOCKET)=/m);

      // State is the user's alone: folders 0700, files 0600.
      for (const d of [".amux", ".amux/state", ".amux/logs", ".amux/state/sessions"]) {
        expect((statSync(join(repo.dir, d)).mode & 0o777).toString(8), d).toBe("700");
      }
      for (const f of Object.keys(files)) {
        if (f.endsWith("config.yaml") || f.endsWith(".gitignore")) continue;
        expect((statSync(f).mode & 0o777).toString(8), f).toBe("600");
      }
    },
    SLOW * 2,
  );

  test(
    "a tmux server started by someone else: its starter's environment reaches no agent and is dropped from the global environment",
    async ({ e2e }) => {
      const out = join(e2e.tmp, "out");
      mkdirSync(out);
      const starterSecret = canary("foreign-starter");
      const repo = await e2e.newRepo("sweep", { "amux.compose.yaml": composeYaml(out).replace("__SVC_PW__", "pw") });
      Object.assign(e2e.env, { COMPOSE_VAR: "x", CMD_VAR: "y" });
      const started = await e2e.run("tmux", ["-L", e2e.socket, "-f", "/dev/null", "new-session", "-d", "-s", "theirs", "sleep 100000"], {
        env: { THEIR_SECRET: starterSecret },
      });
      expect(started.code, started.output).toBe(0);
      expect((await e2e.tmux(["show-environment", "-g"])).stdout).toContain(`THEIR_SECRET=${starterSecret}`);
      await repo.amuxOk(["run", "dumper", "--name", "r2"]);
      const r2 = await dumped(out, "r2", "env");
      expect(r2).toContain("AMUX_SESSION=r2");
      expect(r2).not.toContain(starterSecret);
      const global = (await e2e.tmux(["show-environment", "-g"])).stdout;
      expect(global).not.toContain(starterSecret);
      for (const line of global.split("\n").filter(Boolean)) {
        expect(line, "only the baseline stays in the global environment").toMatch(
          /^-?(PATH|HOME|USER|LOGNAME|SHELL|LANG|LC_\w+|TERM|TZ|TMPDIR|COLORTERM)(=|$)/,
        );
      }
    },
    SLOW,
  );

  test(
    "two amux starting a fresh server at once agree on one digest key: neither fleet looks changed afterwards",
    async ({ e2e }) => {
      const compose = (name: string) => `name: ${name}\nservices:\n  s:\n    agent: prints-env\n    environment: { API_KEY: k-${name} }\n`;
      const a = await e2e.newRepo("race-a", { "amux.compose.yaml": compose("race-a") });
      const b = await e2e.newRepo("race-b", { "amux.compose.yaml": compose("race-b") });
      const [ua, ub] = await Promise.all([a.amux(["up"]), b.amux(["up"])]);
      expect(ua.code, ua.output).toBe(0);
      expect(ub.code, ub.output).toBe(0);
      const keys = (await e2e.tmux(["show-options", "-gv", "@amux-key"])).stdout.trim().split("\n");
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^[0-9a-f]{64}$/);
      expect(await a.plan()).toEqual([]);
      expect(await b.plan()).toEqual([]);
      expect((await a.ps()).map((r) => r.drift)).toEqual([false]);
      expect((await b.ps()).map((r) => r.drift)).toEqual([false]);
    },
    SLOW,
  );

  test(
    "an @amux-key set by hand is replaced once, not a reason to recreate the fleet on every up",
    async ({ e2e }) => {
      const repo = await e2e.newRepo("badkey", { "amux.compose.yaml": "name: badkey\nservices:\n  s:\n    agent: prints-env\n" });
      const started = await e2e.tmux([
        "-f",
        "/dev/null",
        "new-session",
        "-d",
        "-s",
        "theirs",
        "sleep 100000",
        ";",
        "set-option",
        "-g",
        "@amux-key",
        "set by hand",
      ]);
      expect(started.code, started.output).toBe(0);
      await repo.amuxOk(["up"]);
      expect((await e2e.tmux(["show-options", "-gv", "@amux-key"])).stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
      expect(await repo.plan()).toEqual([]);
      expect((await repo.amuxOk(["up"])).output).not.toMatch(/recreate/);
      expect((await repo.ps()).map((r) => r.drift)).toEqual([false]);
    },
    SLOW,
  );
});
