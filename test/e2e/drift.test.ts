/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} here is text under test, not a template */
import { describe, expect } from "vitest";
import { SLOW, test } from "./harness.js";

// Drift in `ps`: its own column and JSON fields; a replica whose configuration cannot be
// resolved is not called changed, it is said why its state is unknown.

const COMPOSE = 'name: dr\nservices:\n  a:\n    agent: waits-at-prompt\n    environment: { MODE: "${DR_MODE}" }\n  b: { agent: waits-at-prompt }\n';

describe.concurrent("drift", { timeout: SLOW }, () => {
  test("an unset ${VAR}: ps says why drift is unknown (not *), plan fails naming it", async ({ e2e }) => {
    const repo = await e2e.newRepo("dr", { "amux.compose.yaml": COMPOSE });
    await repo.amuxOk(["up"], { env: { DR_MODE: "one" } });
    const unset = { env: { DR_MODE: undefined } };
    const json = JSON.parse((await repo.amuxOk(["ps", "--json"], unset)).stdout) as { name: string; drift: boolean | null; driftReason: string | null }[];
    expect(json.map((r) => [r.name, r.drift, r.driftReason])).toEqual([
      ["dr-a-1", null, "config unresolved: variable DR_MODE is not set"],
      ["dr-b-1", false, null],
    ]);
    const human = (await repo.amuxOk(["ps"], unset)).stdout;
    const lines = human.split("\n");
    expect(lines[0]).toMatch(/^NAME\s.*\sDRIFT$/);
    expect(lines.find((l) => l.startsWith("dr-a-1"))).toMatch(/\s\?$/);
    expect(lines.find((l) => l.startsWith("dr-b-1"))).toMatch(/\s-$/);
    expect(human).toContain("? a: config unresolved: variable DR_MODE is not set");
    expect(human).not.toMatch(/^\* /m);
    expect(human).not.toMatch(/dr-a-1 \*/);
    const wide = (await repo.amuxOk(["ps", "--wide"], unset)).stdout;
    expect(wide.split("\n").find((l) => l.startsWith("dr-a-1"))).toContain("drift: config unresolved: variable DR_MODE is not set");
    const plan = await repo.amux(["plan"], unset);
    expect(plan.code).toBe(2);
    expect(plan.stderr).toMatch(/variable DR_MODE is not set/);
    // Set again, to another value: now it is a real, known change.
    const changed = JSON.parse((await repo.amuxOk(["ps", "--json"], { env: { DR_MODE: "two" } })).stdout) as { name: string; drift: boolean | null }[];
    expect(changed.map((r) => [r.name, r.drift])).toEqual([
      ["dr-a-1", true],
      ["dr-b-1", false],
    ]);
    const same = JSON.parse((await repo.amuxOk(["ps", "--json"], { env: { DR_MODE: "one" } })).stdout) as {
      name: string;
      drift: boolean | null;
      driftReason: string | null;
    }[];
    expect(same.map((r) => [r.name, r.drift, r.driftReason])).toEqual([
      ["dr-a-1", false, null],
      ["dr-b-1", false, null],
    ]);
  });
});
