import { describe, expect, it } from "vitest";
import { type HookEvent, hookEnv, matchingHooks } from "../../../src/usecases/hooks.js";

const status: HookEvent = {
  event: "waiting",
  project: "p",
  root: "/r",
  session: "p-a-1",
  service: "a",
  replica: 1,
  status: "waiting",
  previousStatus: "running",
  reason: "asks",
  exitCode: null,
};

describe("hookEnv", () => {
  it("a status change carries no workspace variables", () => {
    expect(Object.keys(hookEnv(status)).filter((k) => /WORKSPACE|BRANCH|REMOTE/.test(k))).toEqual([]);
  });
  it("a workspace event carries the workspace, branch and remote (empty when none)", () => {
    const merged = { ...status, event: "workspace.merged", session: "", service: null, replica: null, workspace: "feat", branch: "amux/feat" };
    expect(hookEnv(merged)).toMatchObject({ AMUX_EVENT: "workspace.merged", AMUX_WORKSPACE: "feat", AMUX_BRANCH: "amux/feat", AMUX_REMOTE: "" });
    expect(hookEnv({ ...merged, event: "workspace.pushed", remote: "origin" }).AMUX_REMOTE).toBe("origin");
  });
});

describe("matchingHooks for workspace events", () => {
  const hooks = [
    { on: ["workspace.merged" as const], run: "a", timeout: "10s" },
    { on: ["workspace.pushed" as const, "idle" as const], run: "b", timeout: "10s" },
    { on: ["workspace.merged" as const], services: ["x"], run: "c", timeout: "10s" },
  ];
  it("fires the hooks that name the event; a services filter never matches a workspace event", () => {
    expect(matchingHooks(hooks, "workspace.merged", null).map((h) => h.run)).toEqual(["a"]);
    expect(matchingHooks(hooks, "workspace.pushed", null).map((h) => h.run)).toEqual(["b"]);
  });
});
