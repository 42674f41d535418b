import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { appendEvents, eventsFile } from "../../../src/state/events.js";
import { ensureRuntimeDirs, GITIGNORE } from "../../../src/state/paths.js";
import { readRecords } from "../../../src/state/records.js";
import { ensureDir, readRegular, readState, setWarningSink, writeState, writeStates } from "../../../src/state/safe-fs.js";

// What .amux/ holds is never trusted: each kind of garbage is set aside (said once) or refused
// without blocking, and the state amux needs is rebuilt.

const tmp = realpathSync(mkdtempSync(join(tmpdir(), "amux-safefs-")));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let warnings: string[] = [];
setWarningSink((l) => warnings.push(l));
let n = 0;
let root = "";
beforeEach(() => {
  warnings = [];
  root = join(tmp, `p${++n}`);
  mkdirSync(join(root, ".amux"), { recursive: true });
});

const fifo = (p: string) => execFileSync("mkfifo", [p]);
const garbled = (dir: string, name: string) => readdirSync(dir).filter((f) => f.startsWith(`${name}.garbled-`));

describe("ensureRuntimeDirs", () => {
  it.each([
    [".amux/state", "a file where a folder belongs", (p: string) => writeFileSync(p, "x")],
    [".amux/logs", "a FIFO where a folder belongs", fifo],
    [".amux/state", "a symlink where a folder belongs", (p: string) => execFileSync("ln", ["-s", "/nonexistent", p])],
  ])("%s as %s is set aside and the folder made", (rel, what, make) => {
    make(join(root, rel));
    ensureRuntimeDirs(root);
    expect(lstatSync(join(root, rel)).isDirectory()).toBe(true);
    const name = rel.split("/").pop() as string;
    expect(garbled(join(root, ".amux"), name)).toHaveLength(1);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^amux: warning: set aside ${rel.replace(/\./g, "\\.")} \\(${what}\\) as ${name}\\.garbled-`))]);
  });

  it("a .gitignore that is a folder is set aside and rewritten", () => {
    mkdirSync(join(root, ".amux/.gitignore/x"), { recursive: true });
    ensureRuntimeDirs(root);
    expect(readFileSync(join(root, ".amux/.gitignore"), "utf8")).toBe(GITIGNORE);
    expect(GITIGNORE).toContain("*.garbled-*");
  });
});

describe("readState / readRegular never block and never trust", () => {
  it("a FIFO is refused before it is opened for a blocking read", () => {
    const f = join(root, ".amux/cache.json");
    fifo(f);
    const t = Date.now();
    expect(readRegular(f, 1024)).toMatchObject({ ok: false, why: "is a FIFO, not a regular file" });
    expect(readState(f, (x) => x)).toBeUndefined();
    expect(Date.now() - t).toBeLessThan(1_000);
    expect(garbled(join(root, ".amux"), "cache.json")).toHaveLength(1);
    expect(warnings[0]).toMatch(/set aside \.amux\/cache\.json \(a FIFO where a file belongs\)/);
  });

  it("bad JSON is set aside; absent is just absent", () => {
    writeFileSync(join(root, ".amux/x.json"), "{nope");
    expect(readState(join(root, ".amux/x.json"), (t) => JSON.parse(t) as unknown)).toBeUndefined();
    expect(readState(join(root, ".amux/absent.json"), (t) => t)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/set aside \.amux\/x\.json \(not what amux writes there\)/)]);
  });

  it("records: a FIFO and bad JSON among good records; the good ones are read", () => {
    ensureRuntimeDirs(root);
    const dir = join(root, ".amux/state/sessions");
    fifo(join(dir, "a.json"));
    writeFileSync(join(dir, "b.json"), "[]");
    writeFileSync(
      join(dir, "c.json"),
      JSON.stringify({
        name: "c",
        project: "p",
        service: null,
        replica: null,
        agent: "x",
        workspace: null,
        createdAt: "2026-01-01T00:00:00.000Z",
        stoppedAt: null,
        exitCode: null,
        restarts: 0,
      }),
    );
    expect(readRecords(root).map((r) => r.name)).toEqual(["c"]);
    expect(warnings).toHaveLength(2);
  });
});

describe("writeState", () => {
  it("a folder standing at the path is set aside; the write lands", () => {
    mkdirSync(join(root, ".amux/state/project.json/x"), { recursive: true });
    expect(writeState(root, join(root, ".amux/state/project.json"), "{}")).toBe(true);
    expect(readFileSync(join(root, ".amux/state/project.json"), "utf8")).toBe("{}");
  });

  it("makes missing folders, setting aside a file in their place", () => {
    writeFileSync(join(root, ".amux/state"), "x");
    expect(ensureDir(root, join(root, ".amux/state/workspaces"))).toBe(true);
    expect(writeState(root, join(root, ".amux/state/workspaces/w.setup"), "make")).toBe(true);
  });

  it("a leftover temp file (even a FIFO) of this pid is replaced, never opened; the write lands 0600", () => {
    const path = join(root, ".amux/state/project.json");
    mkdirSync(join(root, ".amux/state"), { recursive: true });
    fifo(`${path}.${process.pid}.tmp`);
    expect(writeState(root, path, "{}")).toBe(true);
    expect(readFileSync(path, "utf8")).toBe("{}");
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(join(root, ".amux/state"))).toEqual(["project.json"]);
  });
});

describe("writeStates (a batch in one folder)", () => {
  it("makes the folder once, sets aside garbage at a path, and writes every file", () => {
    const dir = join(root, ".amux/records");
    writeFileSync(dir, "a file where the folder belongs");
    expect(writeStates(root, dir, [])).toBe(true);
    expect(writeStates(root, dir, [{ name: "a.json", text: "1" }])).toBe(true);
    mkdirSync(join(dir, "b.json"));
    fifo(join(dir, `c.json.${process.pid}.tmp`));
    expect(
      writeStates(root, dir, [
        { name: "b.json", text: "2" },
        { name: "c.json", text: "3" },
      ]),
    ).toBe(true);
    expect(["a.json", "b.json", "c.json"].map((f) => readFileSync(join(dir, f), "utf8"))).toEqual(["1", "2", "3"]);
    expect(readdirSync(dir).filter((f) => f.includes(".tmp"))).toEqual([]);
  });
});

describe("the event log", () => {
  it("a FIFO at events.jsonl is set aside, never written to (the write would block)", () => {
    ensureRuntimeDirs(root);
    fifo(eventsFile(root));
    const t = Date.now();
    appendEvents(root, [{ time: new Date().toISOString(), type: "config", project: "p", reason: "x" }]);
    expect(Date.now() - t).toBeLessThan(1_000);
    expect(lstatSync(eventsFile(root)).isFile()).toBe(true);
    expect(readFileSync(eventsFile(root), "utf8")).toContain('"reason":"x"');
    expect(warnings[0]).toMatch(/set aside \.amux\/state\/events\.jsonl \(a FIFO where a file belongs\)/);
  });
});
