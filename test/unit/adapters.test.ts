import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** The adapters' sources (src/cli, src/mcp), by file. */
const SRC = join(import.meta.dirname, "../../src");
const files = ["cli", "mcp"].flatMap((dir) =>
  readdirSync(join(SRC, dir))
    .filter((f) => f.endsWith(".ts"))
    .map((f) => ({ file: `${dir}/${f}`, text: readFileSync(join(SRC, dir, f), "utf8") })),
);

/** Every module a source imports, statically or dynamically. */
function imports(text: string): string[] {
  return [...text.matchAll(/(?:from\s*|import\s*\(\s*)"([^"]+)"/g)].map((m) => m[1] as string);
}

describe("CLI and MCP are adapters: parse, call a use case, print", () => {
  it("neither reaches tmux: sessions, screens and attach go through use cases", () => {
    const hits = files.flatMap(({ file, text }) =>
      imports(text)
        .filter((m) => /(^|\/)tmux\//.test(m))
        .map((m) => `${file}: ${m}`),
    );
    expect(hits).toEqual([]);
  });

  it("no command sets process.exitCode: commands return their outcome and main.ts maps it", () => {
    expect(files.filter(({ text }) => /process\.exitCode\s*=/.test(text)).map((f) => f.file)).toEqual([]);
  });

  it("one printing helper: out() lives in cli/output.ts only", () => {
    const defs = files.filter(({ text }) => /(const|function)\s+out\s*(=|\()/.test(text)).map((f) => f.file);
    expect(defs).toEqual(["cli/output.ts"]);
  });

  it("no command reads process.argv: the bin (entry.ts, main.ts) parses it once", () => {
    expect(files.filter(({ text, file }) => file !== "cli/main.ts" && file !== "cli/entry.ts" && /process\.argv/.test(text)).map((f) => f.file)).toEqual([]);
  });

  it("the secret rule is applied through src/secrets.ts only (no adapter masks by itself)", () => {
    expect(files.filter(({ text }) => /\*{8}|KEY\|TOKEN/.test(text)).map((f) => f.file)).toEqual([]);
  });
});
