import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { locateProject } from "../../../src/config/locate.js";
import { loadProject } from "../../../src/config/project.js";
import { parseYamlText, readYamlFile } from "../../../src/config/yaml-file.js";
import { ConfigError, UsageError } from "../../../src/errors.js";

const tmp = realpathSync(mkdtempSync(join(tmpdir(), "amux-limits-")));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function problemsOf(fn: () => unknown): { line: number; col: number; path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("config files are regular files of sane size, read without blocking", () => {
  const dir = join(tmp, "files");
  mkdirSync(dir);
  const folder = join(dir, "folder.yaml");
  mkdirSync(folder);
  const fifo = join(dir, "fifo.yaml");
  execFileSync("mkfifo", [fifo]);
  const big = join(dir, "big.yaml");
  writeFileSync(big, `# ${"x".repeat(4 * 1024 * 1024)}\n`);

  it.each([
    ["a folder", folder, /is a folder, not a regular file/],
    ["a FIFO (a read would block forever)", fifo, /is a FIFO, not a regular file/],
    ["/dev/zero (endless)", "/dev/zero", /is a device, not a regular file/],
    ["a 4 MB file", big, /more than the 1 MiB amux reads/],
  ])("%s is a located problem, at once", (_what, file, message) => {
    const t = Date.now();
    const y = readYamlFile(file, {});
    expect(y.problems).toHaveLength(1);
    expect(y.problems[0]?.message).toMatch(message);
    expect(Date.now() - t).toBeLessThan(2_000);
  });

  it("-f naming a folder or a device is a usage error with the path", () => {
    expect(() => locateProject({ file: folder })).toThrow(UsageError);
    expect(() => locateProject({ file: folder })).toThrow(/folder\.yaml: is a folder/);
    expect(() => locateProject({ file: "/dev/zero" })).toThrow(/\/dev\/zero: not a regular file/);
    expect(() => locateProject({ file: fifo })).toThrow(/not a regular file/);
  });

  it("a compose file that is a folder makes loadProject report it with the path", () => {
    const root = join(tmp, "composedir");
    mkdirSync(join(root, "amux.compose.yaml"), { recursive: true });
    const p = problemsOf(() => loadProject({ cwd: root }, {}));
    expect(p).toMatchObject([{ line: 0, message: "is a folder, not a regular file" }]);
  });
});

describe("validation is linear", () => {
  it("100k services validate in seconds (quadratic steps took minutes)", () => {
    const root = join(tmp, "big");
    mkdirSync(root);
    writeFileSync(join(root, "amux.compose.yaml"), "");
    const lines = ["agents:", "  a:", "    params: { command: run }", "services:"];
    for (let i = 0; i < 100_000; i++) lines.push(`  s${i}:`, "    agent: a");
    const text = `${lines.join("\n")}\n`;
    const t = Date.now();
    const p = loadProject({ cwd: root }, {}, (f) => parseYamlText(f, text, {}));
    const ms = Date.now() - t;
    expect(Object.keys(p.services)).toHaveLength(100_000);
    // ~6 s alone on a loaded 2-core machine; the quadratic duplicate-key check alone took 120 s.
    expect(ms).toBeLessThan(30_000);
  }, 60_000);

  it("180k problems in 60k services are all reported (no call-stack overflow)", () => {
    const root = join(tmp, "bad");
    mkdirSync(root);
    writeFileSync(join(root, "amux.compose.yaml"), "");
    const lines = ["agents:", "  a:", "    params: { command: run }", "services:"];
    for (let i = 0; i < 60_000; i++) lines.push(`  s${i}:`, "    agent: b", "    replicas: x", "    bogus: 1");
    const text = `${lines.join("\n")}\n`;
    const p = problemsOf(() => loadProject({ cwd: root }, {}, (f) => parseYamlText(f, text, {})));
    expect(p).toHaveLength(180_000);
    const last = p.filter((x) => x.path.startsWith("services.s59999."));
    expect(last.map((x) => `${x.line}:${x.col} ${x.path}`).sort()).toEqual([
      "240002:12 services.s59999.agent",
      "240003:15 services.s59999.replicas",
      "240004:5 services.s59999.bogus",
    ]);
  }, 90_000);
});

describe("names every JavaScript object has are refused, located", () => {
  const root = join(tmp, "proto");
  mkdirSync(root);
  writeFileSync(join(root, "amux.compose.yaml"), "");
  const load = (text: string) => problemsOf(() => loadProject({ cwd: root }, {}, (f) => parseYamlText(f, text, {})));

  it.each([
    ["agent id __proto__", "agents:\n  __proto__:\n    params: { command: x }\n", { line: 2, col: 3, path: "agents.__proto__" }],
    ["service __proto__", "services:\n  __proto__:\n    agent: a\n", { line: 2, col: 3, path: "services.__proto__" }],
    ["env key __proto__", "agents:\n  a:\n    params: { command: x }\n    environment:\n      __proto__: 1\n", { line: 5, col: 7 }],
    ["quoted __proto__", 'services:\n  "__proto__": {agent: a}\n', { line: 2, col: 3 }],
    ["agent id constructor", "agents:\n  constructor:\n    params: { command: x }\n", { line: 2, col: 3, path: "agents.constructor" }],
    [
      "service prototype",
      "agents:\n  a:\n    params: { command: x }\nservices:\n  prototype:\n    agent: a\n",
      { line: 5, col: 3, path: "services.prototype" },
    ],
    [
      "env key constructor",
      "agents:\n  a:\n    params: { command: x }\n    environment:\n      constructor: 1\n",
      { line: 5, col: 7, path: "agents.a.environment.constructor" },
    ],
  ])("%s", (_what, text, where) => {
    const p = load(text);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject(where);
    expect(p[0]?.message).toMatch(/reserved|must not be __proto__/);
  });
});

describe("a project reached through a symlink is the project at its real path", () => {
  it("-C link, a cwd below the link and -f through the link all give the real root", () => {
    const real = join(tmp, "real");
    mkdirSync(join(real, "sub"), { recursive: true });
    writeFileSync(join(real, "amux.compose.yaml"), "services: {}\n");
    const link = join(tmp, "link");
    symlinkSync(real, link);
    expect(locateProject({ cwd: link }).root).toBe(real);
    expect(locateProject({ cwd: join(link, "sub") }).root).toBe(real);
    expect(locateProject({ file: join(link, "amux.compose.yaml") })).toMatchObject({ root: real, composeFile: join(real, "amux.compose.yaml") });
  });
});
