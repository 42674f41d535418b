import { describe, expect, it } from "vitest";
import { groupProject, projectSessions } from "../../../src/observe/group.js";
import type { Labels, ObservedSession } from "../../../src/tmux/types.js";

const ROOT = "/srv/acme";

function session(name: string, labels: Labels): ObservedSession {
  return { name, createdAt: 0, paneId: `%${name.length}`, pid: 1, dead: false, exitCode: null, deadAt: null, activityAt: 0, cwd: "/", labels };
}

const mine = (name: string, service?: string, replica?: string) =>
  session(name, { root: ROOT, project: "acme", ...(service === undefined ? {} : { service }), ...(replica === undefined ? {} : { replica }) });

describe("projectSessions", () => {
  it("is the sessions labelled with the root, exactly (no prefix, no trailing slash)", () => {
    const all = [
      mine("a-1", "a", "1"),
      session("x", { root: "/srv/acme2", service: "a" }),
      session("y", { root: "/srv/acme/", service: "a" }),
      session("z", { root: "/srv", service: "a" }),
      session("plain", {}),
      mine("run-1"),
    ];
    expect(projectSessions({ root: ROOT }, all).map((s) => s.name)).toEqual(["a-1", "run-1"]);
  });
});

describe("groupProject", () => {
  const all = [
    mine("web-2", "web", "2"),
    session("other-web-1", { root: "/srv/other", project: "other", service: "web", replica: "1" }),
    mine("web-10", "web", "10"),
    mine("web-1", "web", "1"),
    mine("old-1", "old", "1"),
    mine("claude-1"),
    session("bash", {}),
    mine("proto-1", "__proto__", "1"),
    mine("ctor-1", "constructor", "1"),
    mine("web-x", "web", "1e3"),
  ];

  it("groups this project's replicas by declared service, in replica order", () => {
    const g = groupProject(all, ROOT, ["web", "api"]);
    expect(g.services.get("web")?.map((s) => s.name)).toEqual(["web-x", "web-1", "web-2", "web-10"]);
    expect(g.services.get("api")).toEqual([]);
    expect([...g.services.keys()]).toEqual(["web", "api"]);
  });

  it("calls sessions of services no longer declared orphans, names like __proto__ included", () => {
    const g = groupProject(all, ROOT, ["web", "api"]);
    expect(g.orphans.map((s) => s.name)).toEqual(["old-1", "proto-1", "ctor-1"]);
  });

  it("keeps `amux run` sessions apart, and everything not labelled with this root as foreign", () => {
    const g = groupProject(all, ROOT, ["web"]);
    expect(g.runs.map((s) => s.name)).toEqual(["claude-1"]);
    expect(g.foreign.map((s) => s.name)).toEqual(["other-web-1", "bash"]);
    expect(g.mine.map((s) => s.name)).toEqual(all.filter((s) => s.labels.root === ROOT).map((s) => s.name));
  });

  it("accounts for every session exactly once", () => {
    const g = groupProject(all, ROOT, ["web"]);
    const names = [...[...g.services.values()].flat(), ...g.runs, ...g.orphans, ...g.foreign].map((s) => s.name).sort();
    expect(names).toEqual(all.map((s) => s.name).sort());
  });

  it("without a declared list, every labelled service is a service and nothing is an orphan", () => {
    const g = groupProject(all, ROOT);
    expect(g.orphans).toEqual([]);
    expect([...g.services.keys()].sort()).toEqual(["__proto__", "constructor", "old", "web"]);
  });

  it("a declared service named like an Object member is one more name", () => {
    const g = groupProject(all, ROOT, ["__proto__", "toString"]);
    expect(g.services.get("__proto__")?.map((s) => s.name)).toEqual(["proto-1"]);
    expect(g.services.get("toString")).toEqual([]);
    expect(g.orphans.map((s) => s.name)).toEqual(["web-2", "web-10", "web-1", "old-1", "ctor-1", "web-x"]);
  });

  it("an empty server is an empty project", () => {
    const g = groupProject([], ROOT, ["web"]);
    expect(g).toEqual({ root: ROOT, mine: [], services: new Map([["web", []]]), runs: [], orphans: [], foreign: [] });
  });
});
