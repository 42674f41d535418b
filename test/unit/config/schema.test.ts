import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeSchema, configSchema, jsonSchemaFor } from "../../../src/config/schema.js";

const SCHEMAS = join(import.meta.dirname, "../../../schemas");

describe("committed JSON Schemas", () => {
  it.each(["compose", "config"] as const)("schemas/amux.%s.schema.json is up to date", (kind) => {
    const file = `amux.${kind}.schema.json`;
    const committed = readFileSync(join(SCHEMAS, file), "utf8");
    const generated = `${JSON.stringify(jsonSchemaFor(kind), null, 2)}\n`;
    expect(committed, `schemas/${file} is stale: run \`npm run schemas\` and commit the result`).toBe(generated);
  });

  it("names the schema and documents the fields", () => {
    const s = jsonSchemaFor("compose") as { $id: string; title: string; properties: Record<string, { description?: string }> };
    expect(s.$id).toBe("https://amux.dev/schemas/amux.compose.schema.json");
    expect(s.title).toBe("amux.compose.yaml");
    expect(s.properties.services?.description).toBeTruthy();
    expect((jsonSchemaFor("config") as { title: string }).title).toBe(".amux/config.yaml");
  });
});

describe("zod schemas", () => {
  it("fill in service defaults", () => {
    const r = composeSchema.parse({ services: { auth: { agent: "claude" } } });
    expect(r.services.auth).toEqual({ agent: "claude", replicas: 1, restart: "no", maxRestarts: 5, onStuck: "none", isolation: "shared" });
  });

  it.each([
    ["workspace with ..", { agent: "a", workspace: "a..b" }],
    ["workspace starting with a dot", { agent: "a", workspace: ".hidden" }],
    ["fractional replicas", { agent: "a", replicas: 1.5 }],
    ["an unknown restart policy", { agent: "a", restart: "sometimes" }],
    ["an unknown key", { agent: "a", replica: 2 }],
    ["a bad stuckAfter", { agent: "a", stuckAfter: "ten minutes" }],
    ["a branch that is an option", { agent: "a", workspace: "w", branch: "-m" }],
    ["a branch git refuses", { agent: "a", workspace: "w", branch: "a..b" }],
    ["a base that is an option", { agent: "a", workspace: "w", base: "--detach" }],
    ["a base git refuses", { agent: "a", workspace: "w", base: "main:README" }],
  ])("reject %s", (_what, service) => {
    expect(composeSchema.safeParse({ services: { auth: service } }).success).toBe(false);
  });

  it("say what a branch or base may be, and accept refs, tags, commits and ~n steps", () => {
    const r = composeSchema.safeParse({ services: { auth: { agent: "a", branch: "-m", base: "-rf" } }, workspaces: { base: "--output=/tmp/x" } });
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      'services.auth.branch: invalid branch "-m": must not start with "-" (a branch name git accepts, e.g. feature/login)',
      'services.auth.base: invalid base "-rf": must not start with "-" (a branch, tag or commit, e.g. main, origin/main, v1.2, 3f2a9c1, HEAD~2)',
      'workspaces.base: invalid base "--output=/tmp/x": must not start with "-" (a branch, tag or commit, e.g. main, origin/main, v1.2, 3f2a9c1, HEAD~2)',
    ]);
    for (const base of ["origin/main", "v1.2", "3f2a9c1", "HEAD~2", "feature/x"]) {
      expect(composeSchema.safeParse({ services: { auth: { agent: "a", branch: "team/x", base } }, workspaces: { base } }).success, base).toBe(true);
    }
  });

  it.each([
    ["a bad duration", { idleAfter: "3 seconds" }],
    ["an invalid regular expression", { busyPatterns: ["(unclosed"] }],
    ["an unknown profile", { profile: "copilot" }],
  ])("reject a status block with %s", (_what, status) => {
    expect(configSchema.safeParse({ agents: { a: { params: { command: "x" } }, status } }).success).toBe(false);
    expect(configSchema.safeParse({ agents: { a: { params: { command: "x" }, status } } }).success).toBe(false);
  });

  it("reject an empty command and an environment key that is no variable name", () => {
    expect(configSchema.safeParse({ agents: { a: { params: { command: "" } } } }).success).toBe(false);
    expect(configSchema.safeParse({ agents: { a: { params: { command: "x" }, environment: { "BAD-KEY": "1" } } } }).success).toBe(false);
  });
});
