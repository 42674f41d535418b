import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../../src/config/project.js";
import { MASK } from "../../../src/secrets.js";
import { configView } from "../../../src/usecases/config.js";

const FLEET = join(import.meta.dirname, "../../../fixtures/valid/fleet");
const ENV = { ANTHROPIC_API_KEY: "sk-ant-test-123" };

describe("configView: what `amux config show` prints", () => {
  const p = loadProject({ cwd: FLEET }, ENV);

  it("masks every secret value by the one rule, and nothing else", () => {
    const v = configView(p, false) as unknown as { agents: Record<string, { environment: Record<string, string> }> };
    const claude = v.agents.claude?.environment ?? {};
    expect(claude).toEqual({ ANTHROPIC_API_KEY: MASK, MODE: MASK, LOG_LEVEL: "info" });
    expect(JSON.stringify(configView(p, false))).not.toContain("sk-ant-test-123");
  });

  it("shows the values with showSecrets", () => {
    const v = configView(p, true) as unknown as { agents: Record<string, { environment: Record<string, string> }> };
    expect(v.agents.claude?.environment.ANTHROPIC_API_KEY).toBe("sk-ant-test-123");
  });

  it("names the project and its files", () => {
    const v = configView(p, false);
    expect([v.project, v.root, v.composeFile, v.configFile]).toEqual(["acme", FLEET, join(FLEET, "amux.compose.yaml"), join(FLEET, ".amux/config.yaml")]);
  });
});

describe("configView: hosts", () => {
  it("shows each declared host with its ssh destination and root, and none when there are none", async () => {
    const { mkdtempSync, writeFileSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "amux-cfg-hosts-"));
    writeFileSync(
      join(dir, "amux.compose.yaml"),
      "name: hv\nhosts:\n  gpu1: { ssh: me@gpu1.example, root: /srv/acme }\nservices:\n  a: { agent: claude, host: gpu1 }\n  b: { agent: claude }\n",
    );
    expect(configView(loadProject({ cwd: dir }, {}), false).hosts).toEqual({ gpu1: { ssh: "me@gpu1.example", root: "/srv/acme" } });
    expect(configView(p0(), false).hosts).toEqual({});
  });
});

function p0() {
  return loadProject({ cwd: FLEET }, ENV);
}
