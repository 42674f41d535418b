/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ResolvedAgent } from "../../../src/config/project.js";
import { assertVarsSet, loadProject } from "../../../src/config/project.js";
import { agentProfile } from "../../../src/desired/profiles.js";
import { ConfigError, type ConfigProblem, UsageError } from "../../../src/errors.js";
import { maskEnv } from "../../../src/secrets.js";

const FIXTURES = join(import.meta.dirname, "../../../fixtures");
const valid = (c: string) => join(FIXTURES, "valid", c);
const invalid = (c: string) => join(FIXTURES, "invalid", c);

/** A file as amux names it in messages: relative to the working directory. */
function shown(dir: string, file: "compose" | "config"): string {
  return relative(process.cwd(), join(dir, file === "compose" ? "amux.compose.yaml" : ".amux/config.yaml"));
}

function problemsOf(fn: () => unknown): ConfigProblem[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError, nothing was thrown");
}

const ENV = { ANTHROPIC_API_KEY: "sk-ant-test-123" };

describe("loadProject on a valid fleet", () => {
  const dir = valid("fleet");
  const p = loadProject({ cwd: dir }, ENV);

  it("finds the root, both files and the compose name", () => {
    expect(p.root).toBe(dir);
    expect(p.name).toBe("acme");
    expect(p.composeFile).toBe(join(dir, "amux.compose.yaml"));
    expect(p.configFile).toBe(join(dir, ".amux/config.yaml"));
  });

  it("finds the project from a subdirectory", () => {
    const sub = join(dir, ".amux");
    expect(loadProject({ cwd: sub }, ENV).root).toBe(dir);
  });

  it("merges agents of both files", () => {
    expect(Object.keys(p.agents).sort()).toEqual(["aider", "claude", "codex", "gemini", "opencode", "qwen", "reviewer", "sleeper"]);
    expect(p.agents.reviewer?.definedIn).toBe(shown(dir, "compose"));
    expect(p.agents.claude?.definedIn).toBe(shown(dir, "config"));
    expect(p.agents.claude?.builtIn).toBe(false);
    expect(p.agents.codex).toMatchObject({ builtIn: true, definedIn: "(built-in)", command: "codex" });
  });

  it("resolves an agent's params and expands its environment", () => {
    const claude = p.agents.claude;
    expect(claude).toMatchObject({
      id: "claude",
      name: "Claude",
      command: "claude code",
      shell: "/bin/zsh",
      windowName: "claude-dev",
      autoAttach: false,
      environment: { ANTHROPIC_API_KEY: "sk-ant-test-123", MODE: "fast", LOG_LEVEL: "info" },
    });
    expect(claude && agentProfile(claude).base).toBe("claude");
  });

  it("uses the variable's value over the default when it is set", () => {
    const q = loadProject({ cwd: dir }, { ...ENV, AMUX_TEST_MODE: "thorough" });
    expect(q.agents.claude?.environment.MODE).toBe("thorough");
  });

  it("applies defaults to agents without name or status", () => {
    expect(p.agents.reviewer).toMatchObject({ name: "Reviewer", command: "codex", shell: undefined, autoAttach: false, environment: {} });
    expect(agentProfile(p.agents.reviewer as ResolvedAgent).base).toBe("codex");
    expect(p.agents.sleeper?.name).toBe("sleeper");
  });

  it("builds each agent's status profile from its status block", () => {
    const s = agentProfile(p.agents.sleeper as ResolvedAgent);
    expect(s?.base).toBe("generic");
    expect(s?.idleAfterMs).toBe(1_000);
    expect(s?.stuckAfterMs).toBe(120_000);
    expect(s?.prompt.map((r: RegExp) => r.source)).toEqual(["^ready>"]);
  });

  it("validates services and fills in their defaults", () => {
    expect(p.services.auth).toMatchObject({
      name: "auth",
      agent: "claude",
      workspace: "feature-auth",
      replicas: 2,
      prompt: "Implement OAuth login",
      restart: "on-failure",
      maxRestarts: 3,
      onStuck: "notify",
      isolation: "replica",
    });
    expect(p.services.review).toMatchObject({ agent: "reviewer", replicas: 1, restart: "no", maxRestarts: 5, onStuck: "none", isolation: "shared" });
    expect(p.services.idle?.replicas).toBe(0);
  });

  it("turns service environment values into strings and $$ into $", () => {
    expect(p.services.auth?.environment).toEqual({ MODEL: "opus", GITHUB_TOKEN: "ghp_literal", DEBUG: "true", PORT: "8080", PRICE: "$5" });
  });

  it("marks secrets: keys that look secret and values that came from ${VAR}", () => {
    expect(p.agents.claude?.secretKeys.sort()).toEqual(["ANTHROPIC_API_KEY", "MODE"]);
    expect(p.services.auth?.environmentSecretKeys).toEqual(["GITHUB_TOKEN"]);
    expect(p.agents.reviewer?.secretKeys).toEqual([]);
  });

  it("masks secrets for display and leaves the rest", () => {
    const claude = p.agents.claude;
    if (!claude) throw new Error("no claude agent");
    expect(maskEnv(claude.environment, claude.secretKeys)).toEqual({ ANTHROPIC_API_KEY: "********", MODE: "********", LOG_LEVEL: "info" });
    expect(JSON.stringify(maskEnv(claude.environment, claude.secretKeys))).not.toContain("sk-ant-test-123");
  });

  it("records no missing variables when all are set", () => {
    expect(p.missing).toEqual([]);
  });
});

describe("project name", () => {
  it("derives it from the root directory when the compose file has none", () => {
    const dir = valid("Derived.Name-Dir");
    expect(loadProject({ cwd: dir }, {}).name).toBe("derived-name-dir");
  });

  it("takes -p over the compose name", () => {
    expect(loadProject({ cwd: valid("fleet"), project: "other_1" }, ENV).name).toBe("other_1");
  });

  it.each(["Acme", "my project", "-acme", "a".repeat(64)])("refuses -p %j rather than rewriting it", (bad) => {
    expect(() => loadProject({ cwd: valid("fleet"), project: bad }, ENV)).toThrow(UsageError);
  });

  it("loads a project that has only .amux/config.yaml", () => {
    const dir = valid("config-only");
    const p = loadProject({ cwd: dir }, {});
    expect(p).toMatchObject({ root: dir, name: "config-only", composeFile: undefined, services: {} });
    expect(Object.keys(p.agents).filter((id) => !p.agents[id]?.builtIn)).toEqual(["shell"]);
  });
});

describe("loadProject on invalid files", () => {
  it.each<{ case: string; file: "compose" | "config"; line: number; col: number; path: string; message: string }>([
    { case: "bad-yaml", file: "compose", line: 4, col: 12, path: "", message: "Nested mappings are not allowed in compact mappings" },
    { case: "tab-indent", file: "compose", line: 3, col: 1, path: "", message: "Tabs are not allowed as indentation" },
    { case: "duplicate-key", file: "compose", line: 6, col: 5, path: "", message: "Map keys must be unique" },
    { case: "wrong-type", file: "compose", line: 5, col: 15, path: "services.auth.replicas", message: "expected number, received string" },
    { case: "negative-replicas", file: "compose", line: 5, col: 15, path: "services.auth.replicas", message: "Too small: expected number to be >=0" },
    {
      case: "misspelt-key",
      file: "compose",
      line: 5,
      col: 5,
      path: "services.auth.replica",
      message: 'unknown key "replica" (did you mean "replicas"?)',
    },
    {
      case: "unknown-agent",
      file: "compose",
      line: 7,
      col: 12,
      path: "services.auth.agent",
      message: 'unknown agent "claud"; known agents: aider, claude, codex, gemini, opencode, qwen, reviewer',
    },
    {
      case: "bad-service-name",
      file: "compose",
      line: 3,
      col: 3,
      path: "services.Auth_Service",
      message: "service names must match ^[a-z0-9][a-z0-9_-]{0,62}$; did you mean auth_service?",
    },
    {
      case: "bad-project-name",
      file: "compose",
      line: 1,
      col: 7,
      path: "name",
      message: "project names must match ^[a-z0-9][a-z0-9_-]{0,62}$; did you mean acme-corp?",
    },
  ])("$case: $path $message", (c) => {
    const dir = invalid(c.case);
    expect(problemsOf(() => loadProject({ cwd: dir }, {}))).toEqual([{ file: shown(dir, c.file), line: c.line, col: c.col, path: c.path, message: c.message }]);
  });

  it("an agent whose definition is invalid still counts as known: no false 'unknown agent'", () => {
    const dir = invalid("config-agent-invalid");
    const problems = problemsOf(() => loadProject({ cwd: dir }, {}));
    expect(problems.map((p) => `${p.file}:${p.line}:${p.col} ${p.path}`)).toEqual([
      `${shown(dir, "config")}:2:42 agents.claude.params.command`,
      `${shown(dir, "config")}:2:44 agents.claude.params.comand`,
    ]);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const dir = invalid("alias-bomb");
    const problems = problemsOf(() => loadProject({ cwd: dir }, {}));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: shown(dir, "compose"), line: 1, col: 1 });
    expect(problems[0]?.message).toMatch(/alias/i);
  });

  it("reports every problem of both files at once, in file order", () => {
    const dir = invalid("several-problems");
    const config = shown(dir, "config");
    const compose = shown(dir, "compose");
    const err = (() => {
      try {
        loadProject({ cwd: dir }, {});
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(2);
    expect((err as ConfigError).message).toBe(
      [
        `${config}:4:7 agents.claude.params.command: required (string)`,
        `${config}:4:7 agents.claude.params.comand: unknown key "comand" (did you mean "command"?)`,
        `${compose}:8:15 services.auth.replicas: expected int, received number`,
        `${compose}:9:14 services.auth.restart: Invalid option: expected one of "no"|"on-failure"|"always"`,
        `${compose}:12:5 services.web.isolaton: unknown key "isolaton" (did you mean "isolation"?)`,
      ].join("\n"),
    );
  });
});

describe("unset variables", () => {
  const dir = invalid("unset-var");
  const p = loadProject({ cwd: dir }, {});
  const config = shown(dir, "config");
  const compose = shown(dir, "compose");

  it("loads, remembering where each unset variable is used", () => {
    expect(p.missing.map((m) => ({ name: m.name, path: m.path.join(".") }))).toEqual([
      { name: "AMUX_TEST_UNSET_TOKEN", path: "agents.needy.environment.API_TOKEN" },
      { name: "AMUX_TEST_UNSET_MODEL", path: "services.auth.environment.MODEL" },
    ]);
  });

  it("is an error, located, when an agent that uses it is started", () => {
    expect(problemsOf(() => assertVarsSet(p, ["needy"], []))).toEqual([
      {
        file: config,
        line: 4,
        col: 18,
        path: "agents.needy.environment.API_TOKEN",
        message: "variable AMUX_TEST_UNSET_TOKEN is not set (use ${AMUX_TEST_UNSET_TOKEN:-default} for a default)",
      },
    ]);
  });

  it("is an error when a service that uses it is started", () => {
    expect(problemsOf(() => assertVarsSet(p, ["plain"], ["auth"]))).toEqual([
      {
        file: compose,
        line: 6,
        col: 14,
        path: "services.auth.environment.MODEL",
        message: "variable AMUX_TEST_UNSET_MODEL is not set (use ${AMUX_TEST_UNSET_MODEL:-default} for a default)",
      },
    ]);
  });

  it("is no error when only agents and services that do not use it are started", () => {
    expect(() => assertVarsSet(p, ["plain"], ["other"])).not.toThrow();
    expect(() => assertVarsSet(p, [], [])).not.toThrow();
  });

  it("counts a variable with a default as set", () => {
    expect(p.agents.plain?.environment).toEqual({ MODE: "fast" });
  });
});

describe("loadProject with temporary files", () => {
  const tmp = mkdtempSync(join(tmpdir(), "amux-project-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  function project(name: string, compose: string, config?: string): string {
    const dir = join(tmp, name);
    mkdirSync(join(dir, ".amux"), { recursive: true });
    writeFileSync(join(dir, "amux.compose.yaml"), compose);
    if (config !== undefined) writeFileSync(join(dir, ".amux/config.yaml"), config);
    return dir;
  }

  it("lets compose agents override config agents by id", () => {
    const dir = project(
      "override",
      "agents:\n  claude:\n    params: { command: claude --model opus }\nservices:\n  a: { agent: claude }\n",
      "agents:\n  claude:\n    params: { command: claude }\n",
    );
    expect(loadProject({ cwd: dir }, {}).agents.claude?.command).toBe("claude --model opus");
  });

  it("lets a service use a built-in agent with no agents defined anywhere", () => {
    const dir = project("no-agents", "services:\n  a: { agent: claude }\n  b: { agent: qwen }\n");
    const p = loadProject({ cwd: dir }, {});
    expect(p.services.a?.agent).toBe("claude");
    expect(p.agents.claude).toMatchObject({ builtIn: true, command: "claude", definedIn: "(built-in)" });
    expect(agentProfile(p.agents.claude as ResolvedAgent).base).toBe("claude");
    expect(agentProfile(p.agents.qwen as ResolvedAgent).base).toBe("generic");
  });

  it("lets the config file and the compose file override a built-in agent by id", () => {
    const dir = project(
      "override-builtin",
      "agents:\n  codex:\n    params: { command: codex --full-auto }\n",
      "agents:\n  claude:\n    params: { command: claude --model opus }\n",
    );
    const p = loadProject({ cwd: dir }, {});
    expect(p.agents.claude).toMatchObject({ builtIn: false, command: "claude --model opus" });
    expect(p.agents.codex).toMatchObject({ builtIn: false, command: "codex --full-auto" });
    expect(p.agents.gemini?.builtIn).toBe(true);
  });

  it("marks service and agent variables secret by key name or by ${VAR} origin", () => {
    const keys = ["API_KEY", "gh_token", "CLIENT_SECRET", "DB_PASSWORD", "GOOGLE_APPLICATION_CREDENTIALS", "MODEL", "PORT", "FROM_ENV"];
    const env = keys.map((k) => `      ${k}: ${k === "FROM_ENV" ? "${SOME_VALUE}" : "v"}`).join("\n");
    const dir = project(
      "secrets",
      `agents:\n  bot:\n    params: { command: bot }\n    environment:\n${env}\nservices:\n  a:\n    agent: bot\n    environment:\n${env}\n`,
    );
    const p = loadProject({ cwd: dir }, { SOME_VALUE: "from the shell" });
    const secret = ["API_KEY", "gh_token", "CLIENT_SECRET", "DB_PASSWORD", "GOOGLE_APPLICATION_CREDENTIALS", "FROM_ENV"];
    expect(p.agents.bot?.secretKeys.sort()).toEqual([...secret].sort());
    expect(p.services.a?.environmentSecretKeys.sort()).toEqual([...secret].sort());
    expect(p.services.a?.environment.FROM_ENV).toBe("from the shell");
  });

  it("reports an unknown agent together with the schema problems of the same file", () => {
    const dir = project("unknown-and-invalid", "agents:\n  worker:\n    params: { command: ./w }\nservices:\n  a:\n    agent: ghost\n    replicas: -1\n");
    expect(problemsOf(() => loadProject({ cwd: dir }, {})).map((p) => `${p.line}:${p.col} ${p.path}: ${p.message}`)).toEqual([
      "7:15 services.a.replicas: Too small: expected number to be >=0",
      '6:12 services.a.agent: unknown agent "ghost"; known agents: aider, claude, codex, gemini, opencode, qwen, worker',
    ]);
  });

  it("reads a compose file named with -f", () => {
    const dir = project("named", "name: named\nservices: {}\n");
    writeFileSync(join(dir, "fleet.yaml"), "name: from-f\nservices: {}\n");
    expect(loadProject({ cwd: dir, file: "fleet.yaml" }, {}).name).toBe("from-f");
  });

  it("rejects an agent id that does not match the pattern", () => {
    const dir = project("bad-agent-id", "agents:\n  'bad id':\n    params: { command: x }\n");
    const problems = problemsOf(() => loadProject({ cwd: dir }, {}));
    expect(problems).toEqual([
      {
        // Outside the working directory: shown absolute rather than as ../../…
        file: join(dir, "amux.compose.yaml"),
        line: 2,
        col: 3,
        path: "agents.bad id",
        message: "agent ids must match ^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$; did you mean bad-id?",
      },
    ]);
  });
});

describe("loadProject: secrets by the one rule, `${VAR}` pieces masked", () => {
  const tmp = mkdtempSync(join(tmpdir(), "amux-secrets-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const ENV_S = { CMD_KEY: "ck-canary", WIN: "win-canary", PROFILE_VAL: "prof-canary", AWS_PROFILE: "aws-canary", PROMPT_BIT: "pr-canary" };

  function load(config: string, compose?: string) {
    const dir = join(tmp, `p${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(dir, ".amux"), { recursive: true });
    writeFileSync(join(dir, ".amux/config.yaml"), config);
    if (compose !== undefined) writeFileSync(join(dir, "amux.compose.yaml"), compose);
    return loadProject({ cwd: dir }, ENV_S);
  }

  it("runs the real command and shows it with the expanded pieces masked", () => {
    const p = load(
      "agents:\n  a:\n    name: A ${WIN}\n    params: { command: 'claude --key ${CMD_KEY} --model ${MODEL:-opus}', windowName: 'w-${WIN}', shell: /bin/sh }\n",
    );
    const a = p.agents.a;
    expect(a?.command).toBe("claude --key ck-canary --model opus");
    expect(a?.shown).toEqual({ name: "A ********", command: "claude --key ******** --model ********", shell: "/bin/sh", windowName: "w-********" });
    expect(a?.windowName).toBe("w-win-canary");
  });

  it("passes a key with no value through from the invoking environment, as a secret", () => {
    const p = load("agents:\n  a:\n    environment: { AWS_PROFILE: , UNSET_ONE: , MODEL: opus }\n    params: { command: x }\n");
    expect(p.agents.a?.environment).toEqual({ AWS_PROFILE: "aws-canary", MODEL: "opus" });
    expect(p.agents.a?.secretKeys).toEqual(["AWS_PROFILE"]);
    expect(p.passThrough).toEqual(["AWS_PROFILE", "UNSET_ONE"]);
  });

  it("masks a service's prompt pieces and marks its ${VAR} and *_PASSWORD values secret", () => {
    const p = load(
      "agents:\n  a:\n    params: { command: x }\n",
      "services:\n  s:\n    agent: a\n    prompt: 'do ${PROMPT_BIT}'\n    environment: { DB_PASSWORD: literal-pw, P: '${PROFILE_VAL}', MODE: fast }\n",
    );
    const s = p.services.s;
    expect(s?.prompt).toBe("do pr-canary");
    expect(s?.shown.prompt).toBe("do ********");
    expect(s?.environmentSecretKeys.sort()).toEqual(["DB_PASSWORD", "P"]);
  });
});
