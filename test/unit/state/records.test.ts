import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { heldStopped } from "../../../src/state/holds.js";
import { ensureRuntimeDirs, recordsDir } from "../../../src/state/paths.js";
import { parseRecord, readRecords, type SessionRecord, writeRecords } from "../../../src/state/records.js";
import { setWarningSink } from "../../../src/state/safe-fs.js";

// Records are files anyone can edit: a reader takes only what amux itself writes, whole, and
// sets the rest aside. What it returns is safe to print and to compute with.

const GOOD: SessionRecord = {
  name: "acme-auth-1",
  project: "acme",
  service: "auth",
  replica: 1,
  agent: "claude",
  workspace: "auth-1",
  createdAt: "2026-01-01T00:00:00.000Z",
  stoppedAt: "2026-01-02T00:00:00.000Z",
  exitCode: 0,
  restarts: 2,
  stoppedBy: "stop",
};
const FILE = "acme-auth-1.json";
const json = (patch: Record<string, unknown>) => JSON.stringify({ ...GOOD, ...patch });
const without = (key: keyof SessionRecord) => {
  const { [key]: _, ...rest } = GOOD;
  return JSON.stringify(rest);
};

describe("parseRecord", () => {
  it("takes what amux writes, field for field", () => {
    expect(parseRecord(FILE, JSON.stringify(GOOD))).toEqual(GOOD);
  });

  it.each([
    [
      "a run session (no service, replica or workspace) still running",
      json({ service: null, replica: null, workspace: null, stoppedAt: null, exitCode: null }),
    ],
    ["a record from before stoppedBy existed", without("stoppedBy")],
    ["stoppedBy null", json({ stoppedBy: null })],
    ["labels tmux did not have (empty project and agent)", json({ project: "", agent: "" })],
    ["a negative exit code", json({ exitCode: -1 })],
  ])("accepts %s", (_what, text) => {
    expect(parseRecord(FILE, text)?.name).toBe("acme-auth-1");
  });

  it("keeps only the known fields (a hand-edited extra never reaches ps --json)", () => {
    expect(parseRecord(FILE, json({ status: "running", pid: 1, secret: "s3cr3t" }))).toEqual(GOOD);
  });

  it.each([
    ["empty", ""],
    ["not JSON", "{nope"],
    ["truncated", JSON.stringify(GOOD).slice(0, 40)],
    ["null", "null"],
    ["a number", "42"],
    ["a string", '"acme-auth-1"'],
    ["an array", `[${JSON.stringify(GOOD)}]`],
    ["an empty object", "{}"],
    ["no name", without("name")],
    ["no createdAt", without("createdAt")],
    ["no restarts", without("restarts")],
    ["no stoppedAt", without("stoppedAt")],
    ["a name other than its file's", json({ name: "acme-auth-2" })],
    ["a name that is a path", json({ name: "../../etc/passwd" })],
    ["a name that is no session name", json({ name: "acme auth 1" })],
    ["a name with an escape sequence", json({ name: "acme-auth-1\u001b]0;x\u0007" })],
    ["an agent with an escape sequence", json({ agent: "claude\u001b[2J" })],
    ["a project with a C1 control", json({ project: "acme\u009b31m" })],
    ["a workspace with a newline", json({ workspace: "auth-1\nfake row" })],
    ["a service that is a number", json({ service: 5 })],
    ["a service that is an object", json({ service: { toString: "x" } })],
    ["a replica that is a string", json({ replica: "1" })],
    ["a negative replica", json({ replica: -1 })],
    ["a fractional replica", json({ replica: 1.5 })],
    ["restarts that are not a number", json({ restarts: "2" })],
    ["negative restarts", json({ restarts: -3 })],
    ["infinite restarts (1e400)", JSON.stringify(GOOD).replace('"restarts":2', '"restarts":1e400')],
    ["an exit code that is a string", json({ exitCode: "0" })],
    ["a fractional exit code", json({ exitCode: 0.5 })],
    ["a createdAt that is no time", json({ createdAt: "yesterday" })],
    ["a createdAt that is a number", json({ createdAt: 1_700_000_000_000 })],
    ["a stoppedAt that is no time", json({ stoppedAt: "soon" })],
    ["an unknown stop cause", json({ stoppedBy: "crash" })],
    ["a stop cause that is not a string", json({ stoppedBy: ["stop"] })],
  ])("refuses %s", (_what, text) => {
    expect(parseRecord(FILE, text)).toBeUndefined();
  });

  const onHost = (hostAt: unknown, host: unknown = "gpu1") => json({ host, hostAt });

  it("keeps a host's session's ssh destination and root, as compose declares them", () => {
    const at = { ssh: "me@gpu1.example", root: "/srv/acme" };
    expect(parseRecord(FILE, onHost(at))).toEqual({ ...GOOD, host: "gpu1", hostAt: at });
    for (const ssh of ["gpu1", "ssh://me@gpu1:2222", "me@[::1]"]) expect(parseRecord(FILE, onHost({ ssh, root: "/r" }))?.hostAt?.ssh).toBe(ssh);
    expect(parseRecord(FILE, onHost(null))).toEqual({ ...GOOD, host: "gpu1" });
  });

  it.each([
    ["an ssh destination that is an option of ssh's", { ssh: "-oProxyCommand=touch /tmp/x", root: "/srv/acme" }],
    ["an ssh destination with a space", { ssh: "gpu1 touch", root: "/srv/acme" }],
    ["an ssh destination with a newline", { ssh: "gpu1\nfake", root: "/srv/acme" }],
    ["an ssh destination with a tab", { ssh: "gpu1\tx", root: "/srv/acme" }],
    ["an ssh destination with an escape sequence", { ssh: "gpu1\u001b[2J", root: "/srv/acme" }],
    ["an ssh destination with a C1 control", { ssh: "gpu1\u009b31m", root: "/srv/acme" }],
    ["an empty ssh destination", { ssh: "", root: "/srv/acme" }],
    ["an ssh destination that is not a string", { ssh: 22, root: "/srv/acme" }],
    ["no ssh destination", { root: "/srv/acme" }],
    ["a relative root", { ssh: "gpu1", root: "srv/acme" }],
    ["a root with a control character", { ssh: "gpu1", root: "/srv/acme\u0007" }],
    ["no root", { ssh: "gpu1" }],
    ["an extra key", { ssh: "gpu1", root: "/srv/acme", proxy: "x" }],
    ["an array", ["gpu1", "/srv/acme"]],
    ["a string", "gpu1:/srv/acme"],
  ])("refuses a hostAt with %s", (_what, at) => {
    expect(parseRecord(FILE, onHost(at))).toBeUndefined();
  });

  it("refuses a hostAt on a session of this machine's (no host)", () => {
    expect(parseRecord(FILE, onHost({ ssh: "gpu1", root: "/srv/acme" }, null))).toBeUndefined();
    expect(parseRecord(FILE, json({ hostAt: { ssh: "gpu1", root: "/srv/acme" } }))).toBeUndefined();
  });

  it("a __proto__ key is an own field, never the record's prototype", () => {
    const r = parseRecord(FILE, JSON.stringify(GOOD).replace("{", '{"__proto__":{"polluted":true},'));
    expect(r).toEqual(GOOD);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

const tmp = realpathSync(mkdtempSync(join(tmpdir(), "amux-records-")));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let warnings: string[] = [];
setWarningSink((l) => warnings.push(l));
let n = 0;
let root = "";
beforeEach(() => {
  warnings = [];
  root = join(tmp, `p${++n}`);
  mkdirSync(root, { recursive: true });
});
const rec = (name: string, patch: Partial<SessionRecord> = {}): SessionRecord => ({ ...GOOD, name, ...patch });
const names = (rs: SessionRecord[]) => rs.map((r) => r.name).sort();

describe("readRecords", () => {
  it("reads back what writeRecords wrote", () => {
    const rs = [rec("a-1"), rec("a-2", { stoppedAt: null, stoppedBy: null })];
    writeRecords(root, rs);
    expect(readRecords(root).sort((x, y) => (x.name < y.name ? -1 : 1))).toEqual(rs);
    expect(warnings).toEqual([]);
  });

  it("no .amux at all: no records, nothing made, nothing said", () => {
    expect(readRecords(root)).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("a file where the records folder belongs: no records, and it is set aside so the next write can make the folder", () => {
    mkdirSync(join(root, ".amux/state"), { recursive: true });
    writeFileSync(recordsDir(root), "x");
    expect(readRecords(root)).toEqual([]);
    writeRecords(root, [rec("a-1")]);
    expect(names(readRecords(root))).toEqual(["a-1"]);
    expect(warnings.join("\n")).toMatch(/set aside \.amux\/state\/sessions \(a file where a folder belongs\)/);
  });

  it("among good records, each hostile one is set aside once (said once) and the good ones are read", () => {
    ensureRuntimeDirs(root);
    const dir = recordsDir(root);
    writeRecords(root, [rec("good-1"), rec("good-2")]);
    writeFileSync(join(dir, "renamed-1.json"), JSON.stringify(rec("good-3")));
    writeFileSync(join(dir, "esc-1.json"), JSON.stringify(rec("esc-1", { agent: "\u001b[2J" })));
    writeFileSync(join(dir, "big-1.json"), JSON.stringify({ ...rec("big-1"), restarts: "many" }));
    mkdirSync(join(dir, "dir-1.json"));
    execFileSync("mkfifo", [join(dir, "fifo-1.json")]);
    writeFileSync(join(dir, "notes.txt"), "not a record");
    expect(names(readRecords(root))).toEqual(["good-1", "good-2"]);
    expect(warnings).toHaveLength(5);
    const left = readdirSync(dir).sort();
    for (const f of ["renamed-1", "esc-1", "big-1", "dir-1", "fifo-1"]) expect(left.filter((x) => x.startsWith(`${f}.json.garbled-`))).toHaveLength(1);
    expect(left).toContain("notes.txt");
    // Set aside: the next read says nothing more.
    warnings = [];
    expect(names(readRecords(root))).toEqual(["good-1", "good-2"]);
    expect(warnings).toEqual([]);
  });
});

describe("heldStopped", () => {
  it.each([
    { what: "no records folder", records: undefined, held: [] },
    { what: "no records", records: [], held: [] },
    {
      what: "only records amux stop ended, and only while stopped",
      records: [
        rec("s-1", { stoppedBy: "stop" }),
        rec("d-1", { stoppedBy: "down" }),
        rec("r-1", { stoppedBy: "remove" }),
        rec("n-1", { stoppedBy: null }),
        rec("o-1", { stoppedBy: undefined }),
        rec("live-1", { stoppedBy: "stop", stoppedAt: null }),
      ],
      held: ["s-1"],
    },
  ])("$what", ({ records, held }) => {
    if (records) {
      ensureRuntimeDirs(root);
      writeRecords(root, records);
    }
    expect([...heldStopped(root)].sort()).toEqual(held);
  });

  it("a hostile record holds nothing (its name is not its file's)", () => {
    ensureRuntimeDirs(root);
    writeFileSync(join(recordsDir(root), "x-1.json"), JSON.stringify(rec("acme-auth-1")));
    expect([...heldStopped(root)]).toEqual([]);
  });

  it("reads again when the folder changes, not before", () => {
    ensureRuntimeDirs(root);
    writeRecords(root, [rec("s-1")]);
    expect([...heldStopped(root)]).toEqual(["s-1"]);
    // An edit in place leaves the folder's mtime alone: not seen (one stat per tick is the point)...
    const dir = recordsDir(root);
    const past = new Date(Date.now() - 60_000);
    utimesSync(dir, past, past);
    expect([...heldStopped(root)]).toEqual(["s-1"]);
    writeFileSync(join(dir, "s-1.json"), JSON.stringify(rec("s-1", { stoppedBy: "down" })));
    utimesSync(dir, past, past);
    expect([...heldStopped(root)]).toEqual(["s-1"]);
    // ...a rename into the folder (how records are written) is.
    writeRecords(root, [rec("s-2")]);
    expect([...heldStopped(root)].sort()).toEqual(["s-2"]);
  });
});
