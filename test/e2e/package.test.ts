import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { REPO_ROOT, SLOW, test } from "./harness.js";

// The published package: `npm pack` from a checkout without dist/ (prepare builds it), installed
// into a fresh project, runs the quick start from what it ships.

const NPM_CACHE = execFileSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).trim();

test(
  "npm pack ships dist, the demo agent and the example; the installed amux brings the example fleet up and down",
  async ({ e2e }) => {
    // A checkout as a fresh clone has it: sources, no dist/ (dependencies linked, as npm ci would install them).
    const src = join(e2e.tmp, "checkout");
    mkdirSync(src);
    for (const p of ["package.json", "package-lock.json", "scripts", "src", "schemas", "fixtures", "amux.compose.example.yaml", "README.md", "tsconfig.json"]) {
      cpSync(join(REPO_ROOT, p), join(src, p), { recursive: true });
    }
    symlinkSync(join(REPO_ROOT, "node_modules"), join(src, "node_modules"));
    const env = { npm_config_cache: NPM_CACHE, npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" };
    const packed = await e2e.run("npm", ["pack", "--pack-destination", e2e.tmp], { cwd: src, env, timeoutMs: 80_000 });
    expect(packed.code, packed.output).toBe(0);
    const tarball = readdirSync(e2e.tmp).find((f) => f.endsWith(".tgz")) as string;
    expect(tarball).toMatch(/^amux-.*\.tgz$/);
    const files = (await e2e.run("tar", ["tzf", join(e2e.tmp, tarball)])).stdout.split("\n");
    for (const f of [
      "package/dist/amux.js",
      "package/fixtures/demo-agent.mjs",
      "package/amux.compose.example.yaml",
      "package/schemas/amux.compose.schema.json",
    ]) {
      expect(files, f).toContain(f);
    }
    expect(files.filter((f) => f.startsWith("package/src/") || f.startsWith("package/test/"))).toEqual([]);

    const proj = join(e2e.tmp, "proj");
    mkdirSync(proj);
    writeFileSync(join(proj, "package.json"), '{ "name": "proj", "version": "1.0.0", "private": true }\n');
    const inst = await e2e.run("npm", ["install", "--prefer-offline", join(e2e.tmp, tarball)], { cwd: proj, env, timeoutMs: 80_000 });
    expect(inst.code, inst.output).toBe(0);
    const amux = join(proj, "node_modules", ".bin", "amux");
    const example = join(proj, "node_modules", "amux", "amux.compose.example.yaml");
    // From the project's folder: the example's paths resolve from the compose file, not the cwd.
    const up = await e2e.run(amux, ["up", "-f", example, "--wait"], { cwd: proj });
    expect(up.code, up.output).toBe(0);
    const ps = await e2e.run(amux, ["ps", "--json", "-f", example], { cwd: proj });
    const rows = JSON.parse(ps.stdout) as { name: string; status: string }[];
    expect(rows.map((r) => r.name)).toEqual(["example-coder-1", "example-coder-2", "example-reviewer-1"]);
    for (const r of rows) expect(["running", "idle"], `${r.name} is ${r.status}`).toContain(r.status);
    const down = await e2e.run(amux, ["down", "-f", example], { cwd: proj });
    expect(down.code, down.output).toBe(0);
    expect(await e2e.liveSessions()).toEqual([]);
  },
  SLOW,
);
