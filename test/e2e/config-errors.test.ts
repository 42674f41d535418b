import { describe, expect } from "vitest";
import { fixture, q, type RunResult, test } from "./harness.js";

// Bad configuration, black-box: exit 2, every problem located as `file:line:col path: message`,
// never a stack trace, and nothing started.

const CONFIG = ".amux/config.yaml";
const COMPOSE = "amux.compose.yaml";

const GOOD_CONFIG = `agents:
  prompt:
    name: Prompt
    type: tmux
    params: { command: ${q(fixture("waits-at-prompt"))} }
`;
const GOOD_COMPOSE = "name: bad\nservices:\n  a: { agent: prompt }\n";

/** `line:col` (1-based) of the first occurrence of `token` in `text`. */
function at(text: string, token: string): string {
  const i = text.indexOf(token);
  if (i < 0) throw new Error(`${token} not in ${text}`);
  const before = text.slice(0, i).split("\n");
  return `${before.length}:${(before[before.length - 1] ?? "").length + 1}`;
}

/** `${NAME}` as written in a YAML file. */
const ref = (name: string) => `\${${name}}`;
const UNSET = ref("AMUX_E2E_UNSET");

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A line `file:line:col path: message` (the file relative to the repo, or absolute). */
function located(file: string, where: string, path?: string): RegExp {
  const head = `(^|/)${escapeRe(file)}:${escapeRe(where)} `;
  return new RegExp(path === undefined ? `${head}\\S` : `${head}${escapeRe(path)}: \\S`, "m");
}

function expectUsageError(r: RunResult, what: string): void {
  expect(r.code, `${what}: exit code; output:\n${r.output}`).toBe(2);
  expect(r.output, `${what}: stack trace`).not.toContain("    at ");
  expect(r.output, `${what}: internal error`).not.toMatch(/internal error|node:internal/);
}

interface Case {
  name: string;
  config?: string;
  compose?: string;
  env?: Record<string, string | undefined>;
  /** Each expected problem: [file, token whose position is reported, path (none for YAML syntax)]. */
  problems: [file: string, token: string | RegExp, path?: string][];
  /** Text the message must contain. */
  says?: string[];
}

const cases: Case[] = [
  {
    name: "invalid YAML in .amux/config.yaml",
    config: `agents:\n  x:\n    name: X\n    type: tmux\n    params: { command: [unclosed\n`,
    compose: "",
    problems: [[CONFIG, /:\d+:\d+ /]],
  },
  {
    name: "invalid YAML in the compose file",
    compose: "name: bad\nservices:\n  a: { agent: prompt\n",
    problems: [[COMPOSE, /:\d+:\d+ /]],
  },
  {
    name: "a wrong type in the compose file",
    compose: "name: bad\nservices:\n  a: { agent: prompt, replicas: many }\n",
    problems: [[COMPOSE, "many", "services.a.replicas"]],
  },
  {
    name: "a wrong type in .amux/config.yaml",
    config: "agents:\n  x:\n    name: X\n    type: tmux\n    params: { command: 42 }\n",
    compose: "name: bad\nservices:\n  a: { agent: x }\n",
    problems: [[CONFIG, "42", "agents.x.params.command"]],
  },
  {
    name: "negative and fractional replicas",
    compose: "name: bad\nservices:\n  a: { agent: prompt, replicas: -1 }\n  b: { agent: prompt, replicas: 1.5 }\n",
    problems: [
      [COMPOSE, "-1", "services.a.replicas"],
      [COMPOSE, "1.5", "services.b.replicas"],
    ],
  },
  {
    name: "a misspelt key in the compose file",
    compose: "name: bad\nservices:\n  a: { agent: prompt, replicsa: 2 }\n",
    problems: [[COMPOSE, "replicsa", "services.a.replicsa"]],
    says: ["replicas"],
  },
  {
    name: "a misspelt key in .amux/config.yaml",
    config: "agents:\n  x:\n    name: X\n    type: tmux\n    parms: { command: sh }\n",
    compose: "name: bad\nservices:\n  a: { agent: x }\n",
    problems: [[CONFIG, "parms", "agents.x.parms"]],
    says: ["params"],
  },
  {
    name: "a misspelt top-level key",
    compose: "name: bad\nservice:\n  a: { agent: prompt }\n",
    problems: [[COMPOSE, "service:", "service"]],
  },
  {
    name: "an unknown agent",
    compose: "name: bad\nservices:\n  a: { agent: nosuch }\n",
    problems: [[COMPOSE, "nosuch", "services.a.agent"]],
    says: ["prompt"],
  },
  {
    name: `an unset ${ref("VAR")} in an agent a service uses`,
    config: `agents:\n  x:\n    name: X\n    type: tmux\n    environment: { K: "${UNSET}" }\n    params: { command: ${q(fixture("prints-env"))} }\n`,
    compose: "name: bad\nservices:\n  a: { agent: x }\n",
    problems: [[CONFIG, `"${UNSET}"`, "agents.x.environment.K"]],
    says: ["AMUX_E2E_UNSET"],
  },
  {
    name: `an unset ${ref("VAR")} in a service's environment`,
    compose: `name: bad\nservices:\n  a: { agent: prompt, environment: { K: "${UNSET}" } }\n`,
    problems: [[COMPOSE, `"${UNSET}"`, "services.a.environment.K"]],
    says: ["AMUX_E2E_UNSET"],
  },
  {
    name: "several problems at once: every one reported",
    compose: "name: bad\nservices:\n  a: { agent: prompt, replicas: many }\n  b: { agent: nosuch, restart: sometimes }\n",
    problems: [
      [COMPOSE, "many", "services.a.replicas"],
      [COMPOSE, "nosuch", "services.b.agent"],
      [COMPOSE, "sometimes", "services.b.restart"],
    ],
  },
];

describe.concurrent("invalid configuration", () => {
  for (const c of cases) {
    test(`${c.name}: config validate and up exit 2 with file:line:col path: message`, async ({ e2e }) => {
      const files: Record<string, string> = { [CONFIG]: c.config ?? GOOD_CONFIG };
      if (c.compose !== "") files[COMPOSE] = c.compose ?? GOOD_COMPOSE;
      const repo = await e2e.newRepo("bad", files, { fixtureAgents: false });
      for (const args of [["config", "validate"], ["up"]]) {
        const r = await repo.amux(args, { env: { AMUX_E2E_UNSET: undefined, ...c.env } });
        const what = `amux ${args.join(" ")}`;
        expectUsageError(r, what);
        for (const [file, token, path] of c.problems) {
          const text = file === CONFIG ? (c.config ?? GOOD_CONFIG) : (c.compose ?? GOOD_COMPOSE);
          const re = typeof token === "string" ? located(file, at(text, token), path) : new RegExp(`(^|/)${escapeRe(file)}${token.source}`, "m");
          expect(r.stderr, `${what}: no ${re} in:\n${r.output}`).toMatch(re);
        }
        for (const s of c.says ?? []) expect(r.stderr, what).toContain(s);
      }
      expect(await e2e.liveSessions()).toEqual([]);
    });
  }
});

describe.concurrent("variables only some agents need", () => {
  test(`an unset ${ref("VAR")} used only by an agent not started now does not stop up`, async ({ e2e }) => {
    const config = `${GOOD_CONFIG}  other:\n    name: Other\n    type: tmux\n    environment: { K: "${UNSET}" }\n    params: { command: ${q(fixture("prints-env"))} }\n`;
    const repo = await e2e.newRepo("vars", { [CONFIG]: config, [COMPOSE]: GOOD_COMPOSE }, { fixtureAgents: false });
    await repo.amuxOk(["up"]);
    expect(await e2e.liveSessions()).toEqual(["bad-a-1"]);
    await repo.amuxOk(["run", "prompt", "--no-attach"]);
    // Starting the agent that needs it is an error naming the variable and where it is used.
    const r = await repo.amux(["run", "other", "--no-attach"]);
    expectUsageError(r, "run other");
    expect(r.stderr).toContain("AMUX_E2E_UNSET");
    expect(r.stderr).toMatch(located(CONFIG, at(config, `"${UNSET}"`), "agents.other.environment.K"));
    // A default and $$ (a literal $) need nothing set.
    const withDefault = config.replace(UNSET, () => `$$${ref("AMUX_E2E_UNSET:-fallback")}$$`);
    repo.write(CONFIG, withDefault);
    await repo.amuxOk(["run", "other", "--name", "o1", "--no-attach"]);
    expect((await repo.amuxOk(["config", "show", "--show-secrets"])).stdout).toContain("$fallback$");
  });
});

describe.concurrent("bad usage", () => {
  test("an unknown command exits 2", async ({ e2e }) => {
    const repo = await e2e.newRepo("usage");
    const r = await repo.amux(["frobnicate"]);
    expectUsageError(r, "frobnicate");
    expect(r.stderr).toContain("frobnicate");
  });

  test("an unknown flag exits 2", async ({ e2e }) => {
    const repo = await e2e.newRepo("usage");
    expectUsageError(await repo.amux(["ps", "--bogus"]), "ps --bogus");
  });

  test("a project name that is not a valid name exits 2, never rewritten", async ({ e2e }) => {
    const repo = await e2e.newRepo("usage", { [COMPOSE]: "name: fl\nservices:\n  a: { agent: waits-at-prompt }\n" });
    expectUsageError(await repo.amux(["up", "-p", "Bad Name"]), "-p 'Bad Name'");
    expectUsageError(await repo.amux(["up", "-p", "../x"]), "-p ../x");
    repo.write(COMPOSE, "name: ../../x\nservices:\n  a: { agent: waits-at-prompt }\n");
    expectUsageError(await repo.amux(["up"]), "name: ../../x");
    expect(await e2e.liveSessions()).toEqual([]);
  });

  test("a service name that would reach a shell exits 2", async ({ e2e }) => {
    const repo = await e2e.newRepo("usage", { [COMPOSE]: `name: fl\nservices:\n  "a;touch ${e2e.tmp}/pwned": { agent: waits-at-prompt }\n` });
    const r = await repo.amux(["up"]);
    expectUsageError(r, "bad service name");
    expect(r.stderr).toMatch(/amux\.compose\.yaml:3:\d+/);
    expect(await e2e.liveSessions()).toEqual([]);
  });
});
