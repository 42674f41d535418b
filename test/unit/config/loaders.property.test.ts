import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadProject, type Project } from "../../../src/config/project.js";
import { parseYamlText } from "../../../src/config/yaml-file.js";
import { ConfigError } from "../../../src/errors.js";

// Pure loader tests: "tmux" below is an agent's `type:` value; nothing here starts tmux or opens a socket.

// Both loaders, fed anything: the outcome is a valid project or located ConfigError problems,
// never another throw.

const dir = mkdtempSync(join(tmpdir(), "amux-prop-"));
mkdirSync(join(dir, ".amux"));
const composeFile = join(dir, "amux.compose.yaml");
const configFile = join(dir, ".amux", "config.yaml");
writeFileSync(composeFile, "");
writeFileSync(configFile, "");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { SET: "value", EMPTY: "" };
const VALID_CONFIG = 'agents:\n  a:\n    params: { command: "run-a" }\n';

type Outcome = { project: Project } | { error: ConfigError };

/** Loads the project with these texts standing in for the files. */
function load(compose: string, config: string): Outcome {
  try {
    const project = loadProject({ cwd: dir }, ENV, (f) => parseYamlText(f, f === composeFile ? compose : config, ENV));
    return { project };
  } catch (e) {
    if (e instanceof ConfigError) return { error: e };
    throw e;
  }
}

const RESERVED = ["__proto__", "constructor", "prototype"];

/** Valid means usable: every service's agent is defined, no reserved name slipped through. */
function expectLocated(o: Outcome, texts: string[] = []): void {
  if ("project" in o) {
    // A `__proto__` key anywhere would have been dropped silently: it must have been refused.
    expect(texts.some((t) => /(^|[\s{,"'])__proto__["']?\s*:/m.test(t))).toBe(false);
    expect(typeof o.project.name).toBe("string");
    for (const [name, s] of Object.entries(o.project.services)) {
      expect(Object.hasOwn(o.project.agents, s.agent)).toBe(true);
      expect(s.name).toBe(name);
      expect(RESERVED).not.toContain(name);
      for (const k of Object.keys(s.environment)) expect(RESERVED).not.toContain(k);
    }
    for (const [id, a] of Object.entries(o.project.agents)) {
      expect(RESERVED).not.toContain(id);
      expect(a.id).toBe(id);
      for (const k of Object.keys(a.environment)) expect(RESERVED).not.toContain(k);
    }
    return;
  }
  expect(o.error.problems.length).toBeGreaterThan(0);
  for (const p of o.error.problems) {
    expect([composeFile, configFile].some((f) => f.endsWith(p.file))).toBe(true);
    expect(Number.isInteger(p.line) && p.line >= 0).toBe(true);
    expect(Number.isInteger(p.col) && p.col >= 0).toBe(true);
    expect(typeof p.message).toBe("string");
    expect(p.message.length).toBeGreaterThan(0);
  }
}

/** Words amux's schemas know, plus the ones that mean something to every JavaScript object. */
const KEYS = [
  "name",
  "agents",
  "services",
  "workspaces",
  "hooks",
  "agent",
  "a",
  "svc",
  "params",
  "command",
  "shell",
  "status",
  "busyPatterns",
  "promptPatterns",
  "waitingPatterns",
  "idleAfter",
  "stuckAfter",
  "profile",
  "environment",
  "replicas",
  "restart",
  "maxRestarts",
  "onStuck",
  "isolation",
  "workspace",
  "branch",
  "base",
  "prompt",
  "copy",
  "symlink",
  "root",
  "setup",
  "on",
  "run",
  "timeout",
  "type",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "KEY",
];

const leaf = fc.oneof(
  fc.string(),
  // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the interpolation syntax under test
  fc.constantFrom("a", "tmux", "3s", "no", "always", "replica", "(a+)+$", "${SET}", "${UNSET}", "${UNSET:-x}", "$$", "${", "[", "", "-1"),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: "small", withCrossShrink: true }, leaf, tie("list"), tie("map")),
  list: fc.array(tie("node"), { maxLength: 4 }),
  map: fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string()), tie("node"), { maxKeys: 5 }),
})).node;

/** A YAML document for a value (`__proto__` survives as a key: stringify from a Map). */
function yamlOf(v: unknown): string {
  const toMap = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(toMap) : x && typeof x === "object" ? new Map(Object.entries(x).map(([k, y]) => [k, toMap(y)])) : x;
  return stringify(toMap(v));
}

/** Mostly a valid value, sometimes anything: deep parts are reached only through valid outer ones. */
function mostly<T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: other, weight: 1 });
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is the interpolation syntax under test
const envLike = fc.dictionary(fc.constantFrom("A", "KEY", "1x", ...RESERVED), mostly(fc.constantFrom("v", "${SET}", "${UNSET}", 3, true), leaf), {
  maxKeys: 3,
});

const agentLike = mostly(
  fc
    .record(
      {
        name: mostly(fc.constant("Agent"), value),
        type: mostly(fc.constant("tmux"), value),
        environment: mostly(envLike, value),
        status: mostly(
          fc.record(
            {
              busyPatterns: fc.array(fc.constantFrom("busy", "(a+)+$", "(a+)+\\1", "[", "(?i:x)"), { maxLength: 2 }),
              idleAfter: fc.constantFrom("3s", "x", "0ms"),
              profile: fc.constantFrom("claude", "nope"),
            },
            { requiredKeys: [] },
          ),
          value,
        ),
      },
      { requiredKeys: [] },
    )
    .chain((a) => mostly(fc.record({ command: mostly(fc.constant("run"), value) }), value).map((params) => ({ ...a, params }))),
  value,
);

const serviceLike = mostly(
  fc.record(
    {
      agent: mostly(fc.constantFrom("a", "b", ...RESERVED, "missing"), value),
      replicas: mostly(fc.integer({ min: 0, max: 3 }), value),
      environment: mostly(envLike, value),
      workspace: mostly(fc.constantFrom("ws", "a..b", "-x"), value),
      restart: mostly(fc.constantFrom("no", "always", "sometimes"), value),
    },
    { requiredKeys: ["agent"] },
  ),
  value,
);

const RUNS = { numRuns: Number(process.env.AMUX_PROPERTY_RUNS ?? 300) };

describe("loaders never throw anything but located ConfigErrors", () => {
  it("compose: any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (text) => expectLocated(load(text, VALID_CONFIG), [text])),
      RUNS,
    );
  });

  it("compose and config: any bytes, decoded as the reader decodes them", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) =>
        expectLocated(load(Buffer.from(a).toString("utf8"), Buffer.from(b).toString("utf8"))),
      ),
      RUNS,
    );
  });

  it("compose: any YAML value, shaped like a compose file or not", () => {
    const composeLike = fc.record(
      {
        name: mostly(fc.constantFrom("proj", "p-1"), value),
        agents: fc.dictionary(fc.constantFrom("a", "b", ...RESERVED, "x y"), agentLike, { maxKeys: 3 }),
        services: fc.dictionary(fc.constantFrom("svc", "s2", ...RESERVED, "BAD"), serviceLike, { maxKeys: 3 }),
        workspaces: mostly(fc.record({ copy: fc.array(fc.constantFrom(".env", "/abs", "../up"), { maxLength: 2 }) }, { requiredKeys: [] }), value),
        hooks: mostly(fc.array(fc.record({ on: fc.constant(["idle"]), run: fc.constant("true") }), { maxLength: 1 }), value),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(value, composeLike), (v) => {
        const text = yamlOf(v);
        expectLocated(load(text, VALID_CONFIG), [text]);
      }),
      RUNS,
    );
  });

  it("config: any YAML value, shaped like a config file or not", () => {
    const configLike = fc.record({ agents: fc.dictionary(fc.constantFrom("a", "b", ...RESERVED), agentLike, { maxKeys: 3 }) });
    fc.assert(
      fc.property(fc.oneof(value, configLike), (v) => {
        const text = yamlOf(v);
        expectLocated(load("services:\n  svc:\n    agent: a\n", text), [text]);
      }),
      RUNS,
    );
  });
});
