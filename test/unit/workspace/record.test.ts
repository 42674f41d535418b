import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRecord, registeredAdminDir, worktreeAdminDir } from "../../../src/workspace/record.js";

// The files git keeps for a linked worktree, laid out by hand: <repo>/.git/worktrees/<id>/gitdir
// names <wt>/.git, and <wt>/.git is a file naming that folder back.
let tmp: string;
let repo: string;
let common: string;
let wt: string;
let admin: string;

function record(root: string, name: string, body: unknown): void {
  mkdirSync(join(root, ".amux", "state", "workspaces"), { recursive: true });
  writeFileSync(join(root, ".amux", "state", "workspaces", `${name}.json`), typeof body === "string" ? body : JSON.stringify(body));
}

const TOKEN = "0123456789abcdef0123456789abcdef";

beforeEach(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), "amux-record-")));
  repo = join(tmp, "acme");
  common = join(repo, ".git");
  wt = join(tmp, "acme.worktrees", "feat");
  admin = join(common, "worktrees", "feat");
  mkdirSync(admin, { recursive: true });
  mkdirSync(wt, { recursive: true });
  writeFileSync(join(admin, "gitdir"), `${wt}/.git\n`);
  writeFileSync(join(wt, ".git"), `gitdir: ${admin}\n`);
  writeFileSync(join(admin, "amux-workspace"), `${TOKEN}\n`);
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

describe("worktreeAdminDir", () => {
  it("proves a worktree both ways", () => {
    expect(worktreeAdminDir(wt, common)).toBe(admin);
    expect(registeredAdminDir(wt, common)).toBe(admin);
  });

  it("reads a relative gitdir", () => {
    writeFileSync(join(wt, ".git"), "gitdir: ../../acme/.git/worktrees/feat\n");
    expect(worktreeAdminDir(wt, common)).toBe(admin);
  });

  it("a clone (a .git folder), a plain folder, or a worktree of another repository is not one", () => {
    rmSync(join(wt, ".git"));
    expect(worktreeAdminDir(wt, common)).toBeUndefined();
    mkdirSync(join(wt, ".git"));
    expect(worktreeAdminDir(wt, common)).toBeUndefined();
    rmSync(join(wt, ".git"), { recursive: true });
    writeFileSync(join(wt, ".git"), `gitdir: ${join(tmp, "other", ".git", "worktrees", "feat")}\n`);
    expect(worktreeAdminDir(wt, common)).toBeUndefined();
  });

  it("a .git file pointing at an admin folder that names another path is not one", () => {
    writeFileSync(join(admin, "gitdir"), `${join(tmp, "elsewhere")}/.git\n`);
    expect(worktreeAdminDir(wt, common)).toBeUndefined();
    expect(registeredAdminDir(wt, common)).toBeUndefined();
  });
});

describe("readRecord: only a record that names this very registration counts", () => {
  const good = { name: "feat", path: "", branch: "feat/x", token: TOKEN, copied: [".env"], linked: ["node_modules"] };

  it("a matching record and marker", () => {
    record(repo, "feat", { ...good, path: wt });
    expect(readRecord(repo, "feat", wt, admin)).toEqual({ copied: [".env"], linked: ["node_modules"], base: null });
  });

  it("the base the branch was made from, when recorded", () => {
    record(repo, "feat", { ...good, path: wt, base: "develop" });
    expect(readRecord(repo, "feat", wt, admin)?.base).toBe("develop");
    record(repo, "feat", { ...good, path: wt, base: 7 });
    expect(readRecord(repo, "feat", wt, admin)?.base).toBeNull();
  });

  it.each([
    { what: "no record", body: undefined },
    { what: "bad JSON", body: "{not json" },
    { what: "a JSON array", body: "[]" },
    { what: "JSON null", body: "null" },
    { what: "another name", body: { ...good, name: "other" } },
    { what: "another path", body: { ...good, path: "/elsewhere/feat" } },
    { what: "a token that differs from the marker", body: { ...good, token: "f".repeat(32) } },
    { what: "a token of the wrong shape", body: { ...good, token: "x" } },
    { what: "no token", body: { ...good, token: undefined } },
  ])("$what: not recognised", ({ body }) => {
    if (body !== undefined) record(repo, "feat", typeof body === "string" ? body : { ...body, path: body.path || wt });
    expect(readRecord(repo, "feat", wt, admin)).toBeUndefined();
  });

  it("a record whose marker is gone (git's registration was made again since): not recognised", () => {
    record(repo, "feat", { ...good, path: wt });
    rmSync(join(admin, "amux-workspace"));
    expect(readRecord(repo, "feat", wt, admin)).toBeUndefined();
  });

  it("a folder where the record belongs: not recognised, not fatal", () => {
    mkdirSync(join(repo, ".amux", "state", "workspaces", "feat.json"), { recursive: true });
    expect(readRecord(repo, "feat", wt, admin)).toBeUndefined();
  });
});
