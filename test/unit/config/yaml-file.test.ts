/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are YAML text with ${VAR} references */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locate, parseYamlText, readYamlFile } from "../../../src/config/yaml-file.js";

const FILE = "/elsewhere/amux.compose.yaml";

describe("parseYamlText", () => {
  it("parses a document and keeps positions", () => {
    const y = parseYamlText(FILE, "name: acme\nservices:\n  auth:\n    agent: claude\n    replicas: 2\n", {});
    expect(y.problems).toEqual([]);
    expect(y.value).toEqual({ name: "acme", services: { auth: { agent: "claude", replicas: 2 } } });
    expect(locate(y, ["services", "auth", "replicas"])).toEqual({ line: 5, col: 15 });
    expect(locate(y, ["services", "auth", "replicas"], true)).toEqual({ line: 5, col: 5 });
  });

  it("locates a missing path at its nearest existing ancestor", () => {
    const y = parseYamlText(FILE, "services:\n  auth:\n    agent: claude\n", {});
    expect(locate(y, ["services", "auth", "environment", "MODE"])).toEqual({ line: 3, col: 5 });
  });

  it("shows a file outside the working directory by its absolute path", () => {
    expect(parseYamlText(FILE, "a: 1\n", {}).shown).toBe(FILE);
  });

  it("expands variables and remembers which paths were expanded", () => {
    const y = parseYamlText(FILE, "agents:\n  a:\n    environment:\n      KEY: ${SECRET_VALUE}\n      PLAIN: x\n      COST: $$5\n", { SECRET_VALUE: "s3cr3t" });
    expect(y.value).toEqual({ agents: { a: { environment: { KEY: "s3cr3t", PLAIN: "x", COST: "$5" } } } });
    expect([...y.expandedPaths]).toEqual([["agents", "a", "environment", "KEY"].join("\0")]);
  });

  it("expands inside sequences and names the index in the path", () => {
    const y = parseYamlText(FILE, "list:\n  - ${A}\n  - ${B_UNSET}\n", { A: "x" });
    expect(y.value).toEqual({ list: ["x", ""] });
    expect(y.missing.map((m) => ({ name: m.name, path: m.path, line: m.problem.line, col: m.problem.col }))).toEqual([
      { name: "B_UNSET", path: ["list", "1"], line: 3, col: 5 },
    ]);
  });

  it("reports a syntax error with its position and no document value", () => {
    const y = parseYamlText(FILE, "a: [1, 2\nb: 3\n", {});
    expect(y.value).toBeUndefined();
    expect(y.problems.length).toBeGreaterThan(0);
    for (const p of y.problems) {
      expect(p.file).toBe(FILE);
      expect(p.line).toBeGreaterThanOrEqual(1);
      expect(p.message).not.toMatch(/at line \d+, column \d+/);
    }
  });

  it("allows a few aliases", () => {
    const y = parseYamlText(FILE, "base: &env { MODE: fast }\nother: *env\n", {});
    expect(y.problems).toEqual([]);
    expect(y.value).toEqual({ base: { MODE: "fast" }, other: { MODE: "fast" } });
  });
});

describe("readYamlFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "amux-yaml-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the file from disk", () => {
    const file = join(dir, "config.yaml");
    writeFileSync(file, "agents:\n  a:\n    params:\n      command: ${CMD:-sleep 1}\n");
    const y = readYamlFile(file, {});
    expect(y.file).toBe(file);
    expect(y.value).toEqual({ agents: { a: { params: { command: "sleep 1" } } } });
  });
});
