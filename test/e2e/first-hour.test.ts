import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect } from "vitest";
import { AMUX_BIN, type E2E, fixture, type Repo, SLOW, waitFor } from "./harness.js";
import { test } from "./harness-extra.js";

// The first hour with amux: built-in agents, `init`, `config edit`, docker habits, completion and
// errors in amux's voice, all against real tmux on a private socket.

/** A folder of fake programs named like real agents (and `amux` itself), first on PATH. */
function fakeBin(e2e: E2E, programs: Record<string, string>): Record<string, string> {
  const bin = join(e2e.tmp, "bin");
  mkdirSync(bin, { recursive: true });
  for (const [name, target] of Object.entries(programs)) {
    writeFileSync(join(bin, name), `#!/bin/sh\nexec ${JSON.stringify(target)} "$@"\n`);
    chmodSync(join(bin, name), 0o755);
  }
  writeFileSync(join(bin, "amux"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(AMUX_BIN)} "$@"\n`);
  chmodSync(join(bin, "amux"), 0o755);
  return { PATH: `${bin}:${e2e.env.PATH ?? "/usr/bin:/bin"}` };
}

/** An executable script in the test's temp folder. */
function script(e2e: E2E, name: string, body: string): string {
  const p = join(e2e.tmp, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

async function configShow(repo: Repo, env?: Record<string, string>) {
  const r = await repo.amuxOk(["config", "show", "--json"], { env });
  return JSON.parse(r.stdout) as { agents: Record<string, { builtIn: boolean; definedIn: string; command: string; status: { profile: string } }> };
}

describe("built-in agents", () => {
  test(
    "amux run claude works with no configuration at all, and ps reads it from tmux",
    async ({ e2e }) => {
      const env = fakeBin(e2e, { claude: fixture("waits-at-prompt") });
      const repo = await e2e.newRepo("bi", {}, { fixtureAgents: false });
      const r = await repo.amux(["run", "-d", "claude"], { env });
      expect(r.code, r.output).toBe(0);
      expect(r.stdout.trim()).toBe("claude-1");
      await repo.waitForLog("claude-1", "fake agent ready");
      const row = await repo.psRow("claude-1");
      expect(row).toMatchObject({ agent: "claude", service: null });
      const shown = await configShow(repo, env);
      for (const id of ["claude", "codex", "gemini", "aider", "opencode", "qwen"]) {
        expect(shown.agents[id], id).toMatchObject({ builtIn: true, definedIn: "(built-in)", command: id });
      }
      expect(shown.agents.claude?.status.profile).toBe("claude");
      expect(shown.agents.qwen?.status.profile).toBe("generic");
      const human = await repo.amuxOk(["config", "show"], { env });
      expect(human.stdout).toMatch(/claude:\n\s+name: Claude Code\n\s+builtIn: true\n\s+definedIn: \(built-in\)/);
    },
    SLOW,
  );

  test("a built-in agent whose program is not installed says so", async ({ e2e }) => {
    const repo = await e2e.newRepo("ni", {}, { fixtureAgents: false });
    const r = await repo.amux(["run", "opencode", "--no-attach"], { env: { PATH: "/usr/bin:/bin" } });
    expect(r.code, r.output).toBe(1);
    expect(r.stderr).toContain("opencode-1 exited at once with code 127");
    expect(r.stderr).toContain("the shell could not find `opencode`: is it installed and on PATH? (opencode is a built-in agent: it runs `opencode`)");
  });

  test(
    "the config file and the compose file override a built-in by id; services may use built-ins",
    async ({ e2e }) => {
      const env = fakeBin(e2e, { codex: fixture("waits-at-prompt") });
      const repo = await e2e.newRepo(
        "bo",
        {
          ".amux/config.yaml": `agents:\n  claude:\n    params: { command: ${JSON.stringify(fixture("prints-forever"))} }\n`,
          "amux.compose.yaml": `name: bo\nagents:\n  gemini:\n    name: Mine\n    params: { command: gemini --yolo }\nservices:\n  coder: { agent: codex }\n  helper: { agent: claude }\n`,
        },
        { fixtureAgents: false },
      );
      const shown = await configShow(repo, env);
      expect(shown.agents.claude).toMatchObject({ builtIn: false, definedIn: ".amux/config.yaml" });
      expect(shown.agents.gemini).toMatchObject({ builtIn: false, definedIn: "amux.compose.yaml", command: "gemini --yolo" });
      expect(shown.agents.codex).toMatchObject({ builtIn: true });
      await repo.amuxOk(["up"], { env });
      await repo.waitForLog("bo-coder-1", "fake agent ready");
      await repo.waitForLog("bo-helper-1", "working step");
      const rows = await repo.ps();
      expect(rows.map((x) => [x.name, x.agent])).toEqual([
        ["bo-coder-1", "codex"],
        ["bo-helper-1", "claude"],
      ]);
      // ps reads the snapshot, which holds only the project's own agents: built-ins cost it nothing.
      const snap = JSON.parse(repo.read(".amux/state/project.json")) as { agents: Record<string, unknown> };
      expect(Object.keys(snap.agents).sort()).toEqual(["claude", "gemini"]);
      await waitFor(async () => (await repo.psRow("bo-coder-1"))?.status === "idle", 15_000, "the codex replica to be idle (by the built-in's rules)");
      expect((await repo.amuxOk(["up"], { env })).stdout).toContain("nothing to do, 2 sessions up to date");
      expect((await repo.amuxOk(["plan"], { env })).stdout.trim()).toBe("nothing to do, 2 sessions up to date");
    },
    SLOW,
  );
});

describe("amux init", () => {
  test(
    "writes both files, commented and valid, then refuses to overwrite either",
    async ({ e2e }) => {
      const env = fakeBin(e2e, { claude: fixture("waits-at-prompt") });
      const repo = await e2e.newRepo("my-proj", {}, { fixtureAgents: false });
      const r = await repo.amux(["init"], { env });
      expect(r.code, r.output).toBe(0);
      expect(r.stdout).toContain("wrote .amux/config.yaml");
      expect(r.stdout).toContain("wrote amux.compose.yaml");
      const compose = repo.read("amux.compose.yaml");
      const config = repo.read(".amux/config.yaml");
      expect(compose.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=\S+amux\.compose\.schema\.json$/);
      expect(config.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=\S+amux\.config\.schema\.json$/);
      expect(compose).toMatch(/^ {4}agent: claude +# /m);
      expect((await repo.amuxOk(["config", "validate"], { env })).stdout).toMatch(/^valid: /);
      // What init wrote runs: the example service uses the built-in claude.
      await repo.amuxOk(["up", "--wait"], { env });
      expect((await repo.ps()).map((x) => x.name)).toEqual(["my-proj-assistant-1"]);

      writeFileSync(join(repo.dir, "amux.compose.yaml"), "services: {}\n");
      const again = await repo.amux(["init"], { env });
      expect(again.code, again.output).toBe(2);
      expect(again.stderr).toMatch(/^amux: amux\.compose\.yaml and \.amux\/config\.yaml already exist; nothing written/);
      expect(repo.read("amux.compose.yaml")).toBe("services: {}\n");
      expect(repo.read(".amux/config.yaml")).toBe(config);

      // Only one of them there: still refused, and the other is not written either.
      repo.rm(".amux/config.yaml");
      const one = await repo.amux(["init"], { env });
      expect(one.code).toBe(2);
      expect(one.stderr).toContain("amux.compose.yaml already exists");
      expect(existsSync(join(repo.dir, ".amux/config.yaml"))).toBe(false);

      const forced = await repo.amux(["init", "--force"], { env });
      expect(forced.code, forced.output).toBe(0);
      expect(repo.read("amux.compose.yaml")).toBe(compose);
      expect(repo.read(".amux/config.yaml")).toBe(config);
    },
    SLOW,
  );
});

describe("amux config edit", () => {
  test("in a fresh folder: makes .amux/ and the commented template, and validates it", async ({ e2e }) => {
    const dir = join(e2e.tmp, "fresh");
    mkdirSync(dir);
    const r = await e2e.amux(["config", "edit"], { cwd: dir, env: { EDITOR: "true" } });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toBe("valid: .amux/config.yaml\n");
    expect(readFileSync(join(dir, ".amux/config.yaml"), "utf8")).toContain("# Built in, nothing to write: claude, codex");
  });

  test("without a terminal, problems in what the editor wrote are reported and the exit is 2", async ({ e2e }) => {
    const dir = join(e2e.tmp, "bad");
    mkdirSync(dir);
    const ed = script(e2e, "bad-editor", `printf 'agents:\\n  bot:\\n    parms: { command: x }\\n' > "$1"`);
    const r = await e2e.amux(["config", "edit"], { cwd: dir, env: { EDITOR: ed } });
    expect(r.code, r.output).toBe(2);
    expect(r.stderr).toContain('.amux/config.yaml:3:5 agents.bot.parms: unknown key "parms" (did you mean "params"?)');
    expect(r.stdout).not.toContain("valid");
  });

  test("$VISUAL before $EDITOR; the editor value may carry arguments; the path is never shell text", async ({ e2e }) => {
    // A folder whose name would run a command if it were ever pasted into a shell string.
    const dir = join(e2e.tmp, "it's $(touch PWNED) here");
    mkdirSync(dir);
    const ed = script(e2e, "args-editor", `[ "$1" = "--wait" ] || exit 9\nprintf 'agents:\\n  bot:\\n    params: { command: x }\\n' > "$2"`);
    const r = await e2e.amux(["config", "edit"], { cwd: dir, env: { VISUAL: `${ed} --wait`, EDITOR: "false" } });
    expect(r.code, r.output).toBe(0);
    expect(readFileSync(join(dir, ".amux/config.yaml"), "utf8")).toContain("bot:");
    expect(existsSync(join(dir, "PWNED"))).toBe(false);
    expect(existsSync(join(e2e.tmp, "PWNED"))).toBe(false);
    const failing = await e2e.amux(["config", "edit"], { cwd: dir, env: { EDITOR: "false" } });
    expect(failing.code).toBe(2);
    expect(failing.stderr).toMatch(/^amux: editor "false" exited with 1/);
  });

  test("on a terminal, problems offer another round: edit again? [Y/n]", async ({ e2e }) => {
    const dir = join(e2e.tmp, "tty");
    mkdirSync(dir);
    const count = join(e2e.tmp, "rounds");
    const ed = script(
      e2e,
      "twice-editor",
      `n=$(cat ${JSON.stringify(count)} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${JSON.stringify(count)}
if [ $n = 1 ]; then printf 'agents:\\n  bot:\\n    parms: { command: x }\\n' > "$1"; else printf 'agents:\\n  bot:\\n    params: { command: x }\\n' > "$1"; fi`,
    );
    // script(1) gives amux a terminal; its stdin is typed into that terminal.
    const r = await e2e.run("script", ["-qec", `"$AMUX_NODE" "$AMUX_BIN_PATH" config edit`, "/dev/null"], {
      cwd: dir,
      input: "y\n",
      env: { EDITOR: ed, AMUX_NODE: process.execPath, AMUX_BIN_PATH: AMUX_BIN },
    });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain("edit again? [Y/n]");
    expect(r.output).toContain("valid: .amux/config.yaml");
    expect(readFileSync(count, "utf8").trim()).toBe("2");
    writeFileSync(count, "0");
    const no = await e2e.run("script", ["-qec", `"$AMUX_NODE" "$AMUX_BIN_PATH" config edit`, "/dev/null"], {
      cwd: dir,
      input: "n\n",
      env: { EDITOR: ed, AMUX_NODE: process.execPath, AMUX_BIN_PATH: AMUX_BIN },
    });
    expect(no.code, no.output).toBe(2);
    expect(no.output).toContain(".amux/config.yaml keeps your edits");
    expect(readFileSync(count, "utf8").trim()).toBe("1");
  });
});

describe("errors in amux's voice", () => {
  test("bare amux, help, unknown commands and options, invalid names", async ({ e2e }) => {
    const repo = await e2e.newRepo("er");
    const bare = await repo.amux([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toBe("");
    expect(bare.stderr).toContain("Usage: amux");
    for (const args of [["--help"], ["help"]]) {
      const h = await repo.amux(args);
      expect(h.code, args.join(" ")).toBe(0);
      expect(h.stdout).toContain("Usage: amux");
    }
    const nosuch = await repo.amux(["nosuch"]);
    expect(nosuch.code).toBe(2);
    expect(nosuch.stderr).toBe("amux: unknown command 'nosuch'\n  (amux --help lists the commands)\n");
    const near = await repo.amux(["stpo", "x"]);
    expect(near.stderr).toMatch(/^amux: unknown command 'stpo'\n\(Did you mean stop\?\)/);
    const opt = await repo.amux(["ps", "--bogus"]);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toMatch(/^amux: unknown option '--bogus'/);
    const missing = await repo.amux(["run"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe("amux: missing required argument 'agent'\n");
    const name = await repo.amux(["run", "waits-at-prompt", "--name", "code review", "--no-attach"]);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/^amux: invalid session name "code review": .*letters, digits, - and _.*; did you mean code-review\?\n$/);
    const ws = await repo.amux(["ws", "create", "feature/auth"]);
    expect(ws.stderr).toMatch(/did you mean feature-auth\?/);
    for (const r of [bare, nosuch, near, opt, missing, name, ws]) expect(r.stderr).not.toMatch(/^error:/m);
    expect(await e2e.liveSessions()).toEqual([]);
  });
});

describe("docker habits", () => {
  test(
    "ps --format, up -d, logs --tail, -t timestamps, and -f that names a file refused on logs and tail",
    async ({ e2e, procs }) => {
      const repo = await e2e.newRepo("dh", { "amux.compose.yaml": "name: dh\nservices:\n  w: { agent: waits-at-prompt }\n", "other.yaml": "services: {}\n" });
      const up = await repo.amux(["up", "-d"]);
      expect(up.code, up.output).toBe(0);
      await repo.waitForLog("dh-w-1", "fake agent ready");
      for (const line of ["one", "two", "three"]) await repo.amuxOk(["send", "dh-w-1", line]);
      await repo.waitForLog("dh-w-1", "got: three");

      const json = JSON.parse((await repo.amuxOk(["ps", "--format", "json"])).stdout) as { name: string }[];
      expect(json.map((x) => x.name)).toEqual(["dh-w-1"]);
      expect((await repo.amuxOk(["ps", "--format", "table"])).stdout).toMatch(/^NAME\s+SERVICE/);
      expect((await repo.amux(["ps", "--format", "{{.Name}}"])).code).toBe(2);

      const tail = await repo.amuxOk(["logs", "dh-w-1", "--tail", "2"]);
      expect(tail.stdout).toBe((await repo.amuxOk(["logs", "dh-w-1", "-n", "2"])).stdout);
      expect(tail.stdout.trimEnd().split("\n")).toHaveLength(2);

      const noFollow = await repo.amux(["logs", "dh-w-1", "-t"]);
      expect(noFollow.code).toBe(2);
      expect(noFollow.stderr).toMatch(/^amux: --timestamps goes with -f: .*records no times/);

      const f = procs.start(["logs", "dh-w-1", "-f", "-t", "--tail", "1"], repo.dir);
      await f.waitUntil((p) => p.stdout.includes("(earlier)"), 10_000, "the history, marked as such");
      await repo.amuxOk(["send", "dh-w-1", "stamped"]);
      await f.waitUntil((p) => p.stdout.includes("got: stamped"), 10_000, "the new line");
      const stamped = f.lines().find((l) => l.includes("got: stamped")) ?? "";
      const at = Date.parse(stamped.slice(0, 24));
      expect(stamped, f.output).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z got: stamped$/);
      expect(Math.abs(Date.now() - at)).toBeLessThan(30_000);

      for (const args of [
        ["logs", "-f", "other.yaml", "dh-w-1"],
        ["tail", "-f", "other.yaml", "dh-w-1"],
        ["logs", "dh-w-1", "-f", "elsewhere.yml"],
      ]) {
        const r = await repo.amux(args);
        expect(r.code, args.join(" ")).toBe(2);
        expect(r.stderr).toMatch(/^amux: -f means --follow here; use --file \S+ for the compose file/);
      }
      // tail -f SESSION is the tail(1) habit: it follows.
      const t = procs.start(["tail", "-f", "dh-w-1"], repo.dir);
      await t.waitUntil((p) => p.stdout.includes("got: stamped"), 10_000, "tail -f to follow");
      // --file is the compose file on logs.
      const viaFile = await repo.amux(["logs", "--file", "amux.compose.yaml", "dh-w-1", "--tail", "1"]);
      expect(viaFile.code, viaFile.output).toBe(0);
    },
    SLOW,
  );

  test("ws rm says each removal once", async ({ e2e }) => {
    const repo = await e2e.newRepo("wr");
    await repo.amuxOk(["ws", "create", "feat"]);
    const r = await repo.amuxOk(["ws", "rm", "feat"]);
    expect(r.output.match(/removed/g)?.length, r.output).toBe(1);
    expect(r.stdout).toMatch(/^removed workspace feat \(/);
  });
});

describe("shell completion", () => {
  test(
    "bash completes a session name through amux __complete; scripts pass syntax checks",
    async ({ e2e }) => {
      const env = fakeBin(e2e, {});
      const repo = await e2e.newRepo("cp", { "amux.compose.yaml": "name: cp\nservices:\n  auth: { agent: waits-at-prompt }\n" });
      await repo.amuxOk(["up"]);
      await repo.amuxOk(["run", "waits-at-prompt", "--name", "solo", "--no-attach"]);
      await repo.amuxOk(["ws", "create", "feature-x"]);
      const bash = (await repo.amuxOk(["completion", "bash"])).stdout;
      const file = join(e2e.tmp, "amux.bash");
      writeFileSync(file, bash);
      expect((await e2e.run("bash", ["-n", file])).code).toBe(0);
      const complete = async (words: string[]) => {
        const sh = `source ${JSON.stringify(file)}; COMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(" ")}); COMP_CWORD=${words.length - 1}; _amux; printf '%s\\n' "\${COMPREPLY[@]}"`;
        const r = await e2e.run("bash", ["-c", sh], { cwd: repo.dir, env });
        expect(r.code, r.output).toBe(0);
        return r.stdout.split("\n").filter(Boolean);
      };
      expect(await complete(["amux", "attach", ""])).toEqual(["cp-auth-1", "solo"]);
      expect(await complete(["amux", "attach", "so"])).toEqual(["solo"]);
      expect(await complete(["amux", "logs", "a"])).toEqual(["auth"]);
      expect(await complete(["amux", "up", ""])).toEqual(["auth"]);
      expect(await complete(["amux", "run", "c"])).toEqual(["claude", "codex"]);
      expect(await complete(["amux", "ws", "rm", ""])).toEqual(["feature-x"]);
      expect(await complete(["amux", "run", "--workspace", "f"])).toEqual(["feature-x"]);
      expect(await complete(["amux", "a"])).toEqual(["attach"]);
      expect(await complete(["amux", "logs", "--t"])).toEqual(["--tail", "--timestamps"]);
      const names = await repo.amuxOk(["__complete", "sessions"]);
      expect(names.stdout).toBe("cp-auth-1\nsolo\n");
      expect((await repo.amuxOk(["__complete", "agents"])).stdout).toContain("opencode\n");
      for (const shell of ["zsh", "fish"]) {
        const text = (await repo.amuxOk(["completion", shell])).stdout;
        expect(text).toContain("amux __complete");
        const p = join(e2e.tmp, `amux.${shell}`);
        writeFileSync(p, text);
        const has = await e2e.run("sh", ["-c", `command -v ${shell}`]);
        if (has.code === 0) expect((await e2e.run(shell, ["-n", p])).code, `${shell} -n`).toBe(0);
      }
      expect((await repo.amux(["completion", "tcsh"])).code).toBe(2);
    },
    SLOW,
  );
});
