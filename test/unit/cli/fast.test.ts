import { describe, expect, it } from "vitest";
import { fastRoute } from "../../../src/cli/fast.js";

// The hot commands' plain forms skip commander: what the fast route reads must be what commander
// reads (the same option names and defaults), and anything else must go to commander.

describe("the fast route for ps, up and down", () => {
  it.each([
    [["ps"], { command: "ps", services: [], o: {} }],
    [["ps", "--json"], { command: "ps", services: [], o: { json: true } }],
    [["ps", "-a", "--wide", "auth"], { command: "ps", services: ["auth"], o: { all: true, wide: true } }],
    [["ps", "auth", "--all", "web", "--json"], { command: "ps", services: ["auth", "web"], o: { all: true, json: true } }],
    [["down"], { command: "down", o: {} }],
    [["down", "--workspaces", "--force"], { command: "down", o: { workspaces: true, force: true } }],
    [["up"], { command: "up", services: [], o: { waitTimeout: 60_000, promptTimeout: 60_000 } }],
    [
      ["up", "auth", "--fresh", "--remove-orphans", "-d"],
      { command: "up", services: ["auth"], o: { waitTimeout: 60_000, promptTimeout: 60_000, fresh: true, removeOrphans: true, detach: true } },
    ],
    [
      ["up", "--dry-run", "--json", "--wait"],
      { command: "up", services: [], o: { waitTimeout: 60_000, promptTimeout: 60_000, dryRun: true, json: true, wait: true } },
    ],
  ])("%j", (args, route) => {
    expect(fastRoute(args)).toEqual(route);
  });

  it.each([
    [[]],
    [["--version"]],
    [["--help"]],
    [["help", "ps"]],
    [["ps", "--help"]],
    [["ps", "-h"]],
    [["ps", "-w"]],
    [["ps", "--watch"]],
    [["ps", "--format", "json"]],
    [["ps", "--format=json"]],
    [["ps", "--json=1"]],
    [["ps", "-aw"]],
    [["ps", "-f", "x.yaml"]],
    [["ps", "--file", "x.yaml"]],
    [["ps", "-C", "/tmp"]],
    [["ps", "-p", "acme"]],
    [["ps", "--"]],
    [["ps", "-"]],
    [["ps", "--bogus"]],
    [["ps", "constructor", "--toString"]],
    [["-f", "x.yaml", "ps"]],
    [["down", "extra"]],
    [["down", "--json"]],
    [["up", "--watch"]],
    [["up", "--wait-timeout", "5s"]],
    [["up", "--prompt-timeout=5s"]],
    [["run", "claude"]],
    [["logs", "-f", "x"]],
    [["__complete", "ps"]],
  ])("%j goes to commander", (args) => {
    expect(fastRoute(args)).toBeUndefined();
  });
});
