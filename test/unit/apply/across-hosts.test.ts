import { describe, expect, it } from "vitest";
import { applyAcrossHosts } from "../../../src/apply/apply.js";
import type { Effects, TmuxLine } from "../../../src/apply/effects.js";
import type { Action, LogStep, WorkspaceAction } from "../../../src/plan/types.js";
import type { ServerSetup } from "../../../src/tmux/ops.js";

// applyAcrossHosts splits a plan by server and hands each share to that server's effects: what
// each server's effects were asked to do is recorded and asserted (the e2e suite runs the same
// against real tmux and a loopback sshd).

interface Server {
  fx: Effects;
  calls: string[];
}

function server(name: string, o: { canMakeWorkspaces?: boolean; leaseHeldBy?: string; batchLogs?: boolean } = {}): Server {
  const calls: string[] = [];
  const fx: Effects = {
    tmux: {
      runBatch: async (lines: TmuxLine[], setup: ServerSetup | undefined) => {
        calls.push(`${name}: batch ${lines.map((l) => l.name).join(",")}${setup ? ` setup ${setup.key}` : ""}`);
        return { ok: lines.map((l) => l.name), failed: [], key: setup ? `${setup.key}-held` : null };
      },
      ...(o.leaseHeldBy !== undefined
        ? {
            hold: async () => {
              if (o.leaseHeldBy) throw new Error(`${name}'s tmux server is held by another amux (${o.leaseHeldBy})`);
              calls.push(`${name}: lease taken`);
              return {
                release: async () => {
                  calls.push(`${name}: lease released`);
                },
              };
            },
          }
        : {}),
    },
    git: {
      ...(o.canMakeWorkspaces ? { canMakeWorkspaces: true } : {}),
      ensureWorkspace: async (r) => {
        calls.push(`${name}: workspace ${r.name}`);
        return { dir: `/x/${r.name}` };
      },
    },
    files: {
      prepareLog: (s: LogStep) => {
        calls.push(`${name}: log ${s.file}`);
      },
      scripts: () => undefined,
      ...(o.batchLogs
        ? {
            prepareLogs: async (steps: LogStep[]) => {
              calls.push(`${name}: logs ${steps.map((s) => s.file).join(",")}`);
            },
          }
        : {}),
    },
  };
  return { fx, calls };
}

const create = (session: string, host: string | null, workspace: string | null = null): Action => ({
  action: "create",
  session,
  service: "a",
  replica: 1,
  reason: "missing",
  ...(host ? { host } : {}),
  start: { name: session, cwd: "/r", argv: ["x"], env: {}, labels: {}, logFile: `/r/${session}.log` },
  log: { file: `/r/${session}.log`, rotate: true, keep: 1 },
  workspace,
  prompt: null,
});
const remove = (session: string, host: string | null): Action => ({
  action: "remove",
  session,
  service: "a",
  replica: 2,
  reason: "scale",
  ...(host ? { host } : {}),
});
const ws = (name: string, host: string | null): WorkspaceAction => ({
  action: "ensure-workspace",
  workspace: name,
  make: true,
  reason: "r",
  branch: `amux/${name}`,
  base: null,
  ...(host ? { host } : {}),
});
const setups = (keys: Record<string, string>) => (h: string | null) => {
  const k = keys[h ?? "local"];
  return k === undefined ? undefined : { key: k, unsetEnvironment: [] };
};

describe("applyAcrossHosts", () => {
  it("each server gets its own share, in one batch of its own, and only its own workspace steps", async () => {
    const here = server("here");
    const h1 = server("h1", { canMakeWorkspaces: true, leaseHeldBy: "", batchLogs: true });
    const h2 = server("h2", { canMakeWorkspaces: true, leaseHeldBy: "", batchLogs: true });
    const fx = { here, h1, h2 } as Record<string, Server>;
    const r = await applyAcrossHosts(
      {
        actions: [create("p-a-1", null, "w"), create("p-a-2", "h1", "w"), remove("p-a-3", "h2"), create("p-b-1", "h1")],
        workspaces: [ws("w", null), ws("w", "h1")],
      },
      (h) => (fx[h ?? "here"] as Server).fx,
      setups({ local: "k0", h1: "k1", h2: "k2" }),
    );
    expect(here.calls).toEqual(["here: workspace w", "here: log /r/p-a-1.log", "here: batch p-a-1 setup k0"]);
    expect(h1.calls).toEqual([
      "h1: lease taken",
      "h1: workspace w",
      "h1: logs /r/p-a-2.log,/r/p-b-1.log",
      "h1: batch p-a-2,p-b-1 setup k1",
      "h1: lease released",
    ]);
    // Removes only: no setup, no logs.
    expect(h2.calls).toEqual(["h2: lease taken", "h2: batch p-a-3", "h2: lease released"]);
    expect(r.done.map((a) => a.session).sort()).toEqual(["p-a-1", "p-a-2", "p-a-3", "p-b-1"]);
    expect(r.failed).toEqual([]);
    expect(r.key).toBe("k0-held");
    expect([...r.hostKeys]).toEqual(
      expect.arrayContaining([
        ["h1", "k1-held"],
        ["h2", null],
      ]),
    );
  });

  it("a host another controller holds does nothing there; the others go on", async () => {
    const here = server("here");
    const h1 = server("h1", { canMakeWorkspaces: true, leaseHeldBy: "other-42" });
    const r = await applyAcrossHosts(
      { actions: [create("p-a-1", null), create("p-a-2", "h1")], workspaces: [] },
      (h) => (h ? h1.fx : here.fx),
      setups({ local: "k0", h1: "k1" }),
    );
    expect(h1.calls).toEqual([]);
    expect(r.done.map((a) => a.session)).toEqual(["p-a-1"]);
    expect(r.failed.map((f) => [f.action.session, f.error])).toEqual([["p-a-2", "h1's tmux server is held by another amux (other-42)"]]);
  });

  it("a host that was not observed, or whose effects cannot make its workspace, fails those actions and runs nothing there", async () => {
    const here = server("here");
    const h1 = server("h1");
    const r = await applyAcrossHosts(
      { actions: [create("p-a-1", "h1", "w"), create("p-a-2", "h1"), create("p-a-3", "h9")], workspaces: [] },
      (h) => (h ? h1.fx : here.fx),
      setups({ local: "k0", h1: "k1" }),
    );
    expect(r.failed.map((f) => f.action.session).sort()).toEqual(["p-a-1", "p-a-3"]);
    expect(r.failed.find((f) => f.action.session === "p-a-3")?.error).toBe("host h9 was not observed");
    expect(r.failed.find((f) => f.action.session === "p-a-1")?.error).toMatch(/cannot make workspaces on a host/);
    expect(h1.calls).toEqual(["h1: log /r/p-a-2.log", "h1: batch p-a-2 setup k1"]);
    expect(here.calls).toEqual([]);
  });

  it("without hosts it is applyPlan: one batch, the workspace steps here", async () => {
    const here = server("here");
    await applyAcrossHosts({ actions: [create("p-a-1", null, "w")], workspaces: [ws("w", null)] }, () => here.fx, setups({ local: "k0" }));
    expect(here.calls).toEqual(["here: workspace w", "here: log /r/p-a-1.log", "here: batch p-a-1 setup k0"]);
  });
});
