import { describe, expect, it } from "vitest";
import { literalArgv } from "../../../src/tmux/args.js";
import { acquireArgs, newLeaseOwner, parseLeaseState, releaseArgs, renewArgs } from "../../../src/tmux/lease.js";

describe("lease commands", () => {
  it("an owner id is made of characters no tmux format, command parser or shell reads", () => {
    for (const label of ["gpu box", "#{pane_id}", "$(id)", "a;b", "", "ünï", "x".repeat(200)]) {
      const o = newLeaseOwner(label);
      expect(o).toMatch(/^[A-Za-z0-9._-]{1,80}$/);
    }
    expect(newLeaseOwner("h")).not.toBe(newLeaseOwner("h"));
  });

  it("refuses an owner id that is not one amux makes, before any command is built", () => {
    for (const bad of ["", "a b", "#{pane_id}", "a,b", "a}", "a;b", "a'b", "x".repeat(81)]) {
      expect(() => acquireArgs(bad, 1, 2)).toThrow(/invalid lease owner/);
      expect(() => renewArgs(bad, 2)).toThrow(/invalid lease owner/);
      expect(() => releaseArgs(bad)).toThrow(/invalid lease owner/);
    }
  });

  it("checks and sets in one if-shell: free, ours, or expired at now", () => {
    const args = acquireArgs("me-1-ab", 100, 160);
    expect(args).toEqual([
      "start-server",
      ";",
      "if-shell",
      "-F",
      "#{||:#{||:#{==:#{@amux-lease-owner},},#{==:#{@amux-lease-owner},me-1-ab}},#{e|<:#{@amux-lease-until},100}}",
      'set-option -gF @amux-lease-exit-empty "#{?@amux-lease-exit-empty,#{@amux-lease-exit-empty},#{exit-empty}}" ; set-option -g exit-empty off ; ' +
        "set-option -g @amux-lease-owner me-1-ab ; set-option -g @amux-lease-until 160",
      ";",
      "display-message",
      "-p",
      "#{@amux-lease-owner} #{@amux-lease-until}",
    ]);
    expect(releaseArgs("me-1-ab")[3]).toBe(
      'set-option -gu @amux-lease-owner ; set-option -gu @amux-lease-until ; set-option -gF exit-empty "#{?#{==:#{@amux-lease-exit-empty},0},off,on}" ; set-option -gu @amux-lease-exit-empty',
    );
    expect(releaseArgs("me-1-ab")[2]).toBe("#{==:#{@amux-lease-owner},me-1-ab}");
    // Every command is in the table of tmux commands, and nothing in it is escaped away.
    expect(literalArgv(args)).toEqual(args);
    expect(literalArgv(renewArgs("me-1-ab", 170))).toEqual(renewArgs("me-1-ab", 170));
    expect(literalArgv(releaseArgs("me-1-ab"))).toEqual(releaseArgs("me-1-ab"));
  });

  it("reads who holds it", () => {
    expect(parseLeaseState("me-1 160\n", "h1")).toEqual({ host: "h1", owner: "me-1", until: 160 });
    expect(parseLeaseState(" \n", null)).toBeNull();
    expect(parseLeaseState("\n", null)).toBeNull();
    expect(parseLeaseState("x garbage\n", null)).toEqual({ host: null, owner: "x", until: 0 });
  });
});
