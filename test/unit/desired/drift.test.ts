import { describe, expect, test } from "vitest";
import { driftOf, unresolvedServices } from "../../../src/desired/drift.js";

const miss = (name: string, ...path: string[]) => ({ name, path, problem: { file: "f", line: 1, col: 1, path: path.join("."), message: "" } });
const services = {
  a: { name: "a", agent: "claude" },
  b: { name: "b", agent: "codex" },
} as never;

describe("unresolvedServices", () => {
  test.each([
    [[], {}],
    [[miss("X", "agents", "claude", "environment", "K")], { a: "config unresolved: variable X is not set" }],
    [[miss("Y", "services", "b", "prompt")], { b: "config unresolved: variable Y is not set" }],
    [
      [miss("X", "agents", "claude", "environment", "K"), miss("Z", "services", "a", "environment", "Q"), miss("X", "agents", "claude", "params")],
      { a: "config unresolved: variables X, Z are not set" },
    ],
    [[miss("W", "workspaces", "root")], { a: "config unresolved: variable W is not set", b: "config unresolved: variable W is not set" }],
    [[miss("V", "agents", "other")], {}],
  ])("%j → %j", (missing, want) => {
    expect(unresolvedServices({ services, missing: missing as never })).toEqual(want);
  });
});

describe("driftOf", () => {
  const view = { hashes: { "p-a-1": "h1" }, unresolved: { b: "config unresolved: variable Y is not set" } };
  test.each([
    [{ service: null, hash: "h" }, "run-1", { drift: null, driftReason: null }],
    [{ service: "a", hash: "h1" }, "p-a-1", { drift: false, driftReason: null }],
    [{ service: "a", hash: "h0" }, "p-a-1", { drift: true, driftReason: "differs from the compose file: amux up recreates it (amux plan says why)" }],
    [{ service: "b", hash: "h0" }, "p-b-1", { drift: null, driftReason: "config unresolved: variable Y is not set" }],
    [{ service: "gone", hash: "h0" }, "p-gone-1", { drift: null, driftReason: "service gone is not declared in the compose file" }],
  ])("%j %s → %j", (row, session, want) => {
    expect(driftOf(row, view, session)).toEqual(want);
  });
  test("an invalid configuration: unknown, with its first problem", () => {
    expect(driftOf({ service: "a", hash: "h1" }, { hashes: {}, configError: "amux.compose.yaml:3:5 bad" }, "p-a-1")).toEqual({
      drift: null,
      driftReason: "config invalid: amux.compose.yaml:3:5 bad",
    });
  });
});
