import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

// What the hot commands load before they run: the static imports (not `import type`, not dynamic
// `import()`) reachable from the module each one starts in. The zod schemas (a 0.7 MB chunk to
// compile), the MCP SDK and listr2 must stay behind dynamic imports: `amux ps` of 100 sessions
// took ×1.2 its time the day a record reader reached the schema statically.
const SRC = resolve(import.meta.dirname, "../../src");

function staticClosure(entry: string): string[] {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/^\s*\/\/.*$/gm, "");
    for (const m of code.matchAll(/^(?:import|export)\s(?!type\b)[^;]*?from\s+"([^"]+)"/gms)) {
      const spec = m[1] as string;
      if (!spec.startsWith(".")) {
        seen.add(`package:${spec}`);
        continue;
      }
      const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
      if (existsSync(target)) walk(target);
    }
  };
  walk(join(SRC, entry));
  return [...seen].map((f) => (f.startsWith("package:") ? f : relative(SRC, f)));
}

const HEAVY = [
  "config/schema.ts",
  "package:zod",
  "package:@modelcontextprotocol/sdk",
  "package:listr2",
  "package:chokidar",
  "package:commander",
  "mcp/server.ts",
];

describe("the hot paths load nothing heavy statically", () => {
  it.each([
    ["the bin (entry.ts)", "cli/entry.ts"],
    ["amux ps", "cli/ps-commands.ts"],
    ["amux up/down", "cli/fleet-commands.ts"],
  ])("%s", (_what, entry) => {
    const closure = staticClosure(entry);
    expect(closure.length).toBeGreaterThan(0);
    expect(closure.filter((f) => HEAVY.some((h) => f === h || f.startsWith(`${h}/`)))).toEqual([]);
  });

  it("the walker sees what it should (so the check above can fail)", () => {
    expect(staticClosure("config/project.ts")).toContain("config/schema.ts");
    expect(staticClosure("config/schema.ts")).toContain("package:zod");
  });
});
