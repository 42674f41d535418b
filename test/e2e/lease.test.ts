import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLease, LeaseHeldError, newLeaseOwner, readLease, releaseLease } from "../../src/tmux/lease.js";
import { localTmux, tmuxOn } from "../../src/tmux/runner.js";

/**
 * The lease on this machine's tmux server (a private socket): many controllers racing, each its
 * own tmux client as separate amux processes would be; exactly one may win every round.
 */
describe("lease on this machine's tmux server", () => {
  const socket = `amux-lease-${process.pid}-${randomBytes(4).toString("hex")}`;
  let saved: string | undefined;
  beforeAll(async () => {
    saved = process.env.AMUX_TMUX_SOCKET;
    process.env.AMUX_TMUX_SOCKET = socket;
    await tmuxOn(localTmux, ["start-server", ";", "new-session", "-d", "-s", "keep"]);
  });
  afterAll(() => {
    spawnSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" });
    if (saved === undefined) delete process.env.AMUX_TMUX_SOCKET;
    else process.env.AMUX_TMUX_SOCKET = saved;
  });

  it("of many racing acquirers exactly one wins, round after round", async () => {
    for (let round = 0; round < 5; round++) {
      const owners = Array.from({ length: 8 }, (_, i) => newLeaseOwner(`r${round}c${i}`));
      const results = await Promise.allSettled(owners.map((o) => acquireLease(localTmux, o)));
      const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [owners[i]] : []));
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(LeaseHeldError);
      expect((await readLease(localTmux))?.owner).toBe(won[0]);
      expect(await releaseLease(localTmux, won[0] as string)).toBe(true);
    }
    expect(await readLease(localTmux)).toBeNull();
  });

  it("a lease keeps a server without sessions until it is released, which lets the server go as before", async () => {
    const other = `${socket}-empty`;
    process.env.AMUX_TMUX_SOCKET = other;
    try {
      const me = newLeaseOwner("solo");
      await acquireLease(localTmux, me);
      // The acquiring client has left: the server (no session in it) is still there, with the lease.
      await new Promise((r) => setTimeout(r, 300));
      expect((await readLease(localTmux))?.owner).toBe(me);
      await expect(acquireLease(localTmux, newLeaseOwner("late"))).rejects.toThrow(LeaseHeldError);
      expect(await releaseLease(localTmux, me)).toBe(true);
      const end = Date.now() + 5_000;
      while (Date.now() < end && spawnSync("tmux", ["-L", other, "has-session"], { stdio: "ignore" }).status !== 1) await new Promise((r) => setTimeout(r, 50));
      expect(spawnSync("tmux", ["-L", other, "display-message", "-p", "x"], { encoding: "utf8" }).stderr).toMatch(/no server running|error connecting/);
    } finally {
      spawnSync("tmux", ["-L", other, "kill-server"], { stdio: "ignore" });
      process.env.AMUX_TMUX_SOCKET = socket;
    }
  });

  it("a server with sessions keeps running after the release", async () => {
    const me = newLeaseOwner("kept");
    await acquireLease(localTmux, me);
    expect(await releaseLease(localTmux, me)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(await tmuxOn(localTmux, ["display-message", "-p", "#{exit-empty}"])).toBe("1\n");
    expect(await tmuxOn(localTmux, ["has-session", "-t", "=keep"])).toBe("");
  });

  it("reads nothing and releases nothing where no server runs", async () => {
    process.env.AMUX_TMUX_SOCKET = `${socket}-none`;
    try {
      expect(await readLease(localTmux)).toBeNull();
      expect(await releaseLease(localTmux, newLeaseOwner())).toBe(false);
    } finally {
      process.env.AMUX_TMUX_SOCKET = socket;
    }
  });
});
