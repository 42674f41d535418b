import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packageRoot, schemaRef } from "../../../src/cli/init.js";
import type { ResolvedAgent } from "../../../src/config/project.js";
import { loadProject } from "../../../src/config/project.js";
import { jsonSchemaFor } from "../../../src/config/schema.js";
import { composeTemplate, configTemplate, schemaId } from "../../../src/config/templates.js";
import { agentProfile } from "../../../src/desired/profiles.js";

const tmp = mkdtempSync(join(tmpdir(), "amux-templates-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("init templates", () => {
  it("load as written: the config's example agent, the compose's service on the built-in claude", () => {
    const dir = join(tmp, "proj");
    mkdirSync(join(dir, ".amux"), { recursive: true });
    writeFileSync(join(dir, ".amux/config.yaml"), configTemplate(schemaId("config")));
    writeFileSync(join(dir, "amux.compose.yaml"), composeTemplate(schemaId("compose"), "proj"));
    const p = loadProject({ cwd: dir }, {});
    expect(p.agents["claude-opus"]).toMatchObject({ builtIn: false, command: "claude --model opus", environment: { ANTHROPIC_MODEL: "opus" } });
    expect(p.services.assistant).toMatchObject({ agent: "claude", replicas: 1 });
    expect(p.agents.claude?.builtIn).toBe(true);
    expect(p.missing).toEqual([]);
  });

  it("uncommented, every example key is valid too", () => {
    const dir = join(tmp, "uncommented");
    mkdirSync(join(dir, ".amux"), { recursive: true });
    // Every commented-out key ("# key:", "#   - on:") made live; prose and the $schema line stay comments.
    const open = (t: string) =>
      t
        .split("\n")
        .map((l) => (/^\s*# \s*(?:[a-zA-Z][\w-]*:|- on:)/.test(l) && !l.startsWith("# yaml-language-server") ? l.replace("# ", "") : l))
        .join("\n");
    writeFileSync(join(dir, ".amux/config.yaml"), open(configTemplate("x")));
    writeFileSync(join(dir, "amux.compose.yaml"), open(composeTemplate("x", "uncommented")));
    const p = loadProject({ cwd: dir }, { ANTHROPIC_API_KEY: "k" });
    expect(agentProfile(p.agents["claude-opus"] as ResolvedAgent).base).toBe("claude");
    expect(p.agents.reviewer?.command).toBe("codex");
    expect(p.services.assistant).toMatchObject({ workspace: "feature-x", isolation: "replica", restart: "on-failure", onStuck: "notify" });
    expect(p.hooks).toHaveLength(1);
    expect(p.workspaces.setup).toBe("npm ci");
  });

  it("name the schema the generated one carries as $id", () => {
    expect((jsonSchemaFor("compose") as { $id: string }).$id).toBe(schemaId("compose"));
    expect(composeTemplate(schemaId("compose"), "p").split("\n")[0]).toBe(`# yaml-language-server: $schema=${schemaId("compose")}`);
  });
});

describe("schemaRef", () => {
  it("points at the installed package's schema by a relative path when it lies inside the project", () => {
    const root = join(tmp, "inside");
    const pkg = join(root, "node_modules", "amux");
    mkdirSync(join(pkg, "schemas"), { recursive: true });
    writeFileSync(join(pkg, "schemas", "amux.compose.schema.json"), "{}");
    writeFileSync(join(pkg, "schemas", "amux.config.schema.json"), "{}");
    expect(schemaRef("compose", root, root, pkg)).toBe("./node_modules/amux/schemas/amux.compose.schema.json");
    expect(schemaRef("config", join(root, ".amux"), root, pkg)).toBe("../node_modules/amux/schemas/amux.config.schema.json");
  });

  it("falls back on the published schema otherwise", () => {
    expect(schemaRef("compose", join(tmp, "elsewhere"), join(tmp, "elsewhere"), join(tmp, "inside", "node_modules", "amux"))).toBe(schemaId("compose"));
    expect(schemaRef("compose", tmp, tmp, undefined)).toBe(schemaId("compose"));
  });

  it("finds this package's root", () => {
    expect(packageRoot()).toMatch(/t10-box$|amux$|\/[^/]+$/);
  });
});
