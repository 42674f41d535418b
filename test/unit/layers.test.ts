// The layer table from the architecture notes, checked against every import in src/: static
// `import … from`, `export … from`, `import type`, side-effect `import "…"` and dynamic
// `import("…")`. Known violations sit in explicit allow-lists that may only shrink: an entry whose
// edge (or hit) no longer exists fails the test, so the lists cannot go stale.
// It reads source files only: "tmux" below is a folder name; no tmux runs (no socket is needed).
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SRC = join(ROOT, "src");

/** Layer of each folder under src/ (top to bottom); files directly in src/ are the base, -1. */
const LAYERS: Record<string, number> = {
  cli: 6,
  mcp: 6,
  watch: 5,
  usecases: 4,
  apply: 3,
  plan: 2,
  observe: 1,
  desired: 1,
  status: 0,
  config: 0,
  tmux: 0,
  workspace: 0,
  state: 0,
  agents: 0,
  ssh: 0,
};
const BASE_FILES = ["errors", "names", "secrets", "duration", "io", "history", "agent-env", "version"];
const BASE = -1;
/** The folders that run effects: they import nothing above layer 0 (base files are fine). */
const EFFECTS = ["tmux", "workspace", "state", "ssh"];

/** Import edges that break the table today, being removed; each is `from -> to` (paths under src/). */
const ALLOWED_EDGES: string[] = [
  // Known today; the issue-11 work removes them. Delete an entry when its edge goes (the test says so).
];

/** Files outside observe/ and tmux/ that call listSessions or capturePanes today. */
const ALLOWED_OBSERVE_CALLERS: string[] = [
  // Known today; each moves to an observe/ call. Delete an entry when its file stops naming them.
];

/** Modules not reachable from src/cli/entry.ts (the bin) today. */
const ALLOWED_UNREACHABLE: string[] = [
  // The hosts transport, landed before its wiring into observe/apply; delete each as it is used.
  "workspace/remote-git.ts",
];

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return walk(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

const files = walk(SRC)
  .map((f) => relative(SRC, f))
  .sort();
const sources = new Map(files.map((f) => [f, readFileSync(join(SRC, f), "utf8")]));

/** Every module specifier a file imports, of every kind. */
function specifiers(text: string): string[] {
  // Comments out first, so an example in a comment is no import (strings keep their slashes).
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^'"`;]*?\bfrom\s*["']([^"']+)["']/g, // import x from, export … from
    /\bimport\s*["']([^"']+)["']/g, // import "x" (side effects)
    /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, // import("x")
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1]) found.push(m[1]);
  return found;
}

/** The src/-relative .ts file a relative specifier names, or undefined for packages and node:. */
function target(from: string, spec: string): string | undefined {
  if (!spec.startsWith(".")) return undefined;
  const abs = resolve(dirname(join(SRC, from)), spec).replace(/\.js$/, ".ts");
  return relative(SRC, abs.endsWith(".ts") ? abs : `${abs}.ts`);
}

function layerOf(file: string): number | undefined {
  const parts = file.split("/");
  if (parts.length === 1) return BASE_FILES.includes(file.replace(/\.ts$/, "")) ? BASE : undefined;
  return LAYERS[parts[0] as string];
}

const edges = files.flatMap((from) =>
  [...new Set(specifiers(sources.get(from) ?? ""))].flatMap((spec) => {
    const to = target(from, spec);
    return to === undefined ? [] : [{ from, to }];
  }),
);

const show = (e: { from: string; to: string }) => `${e.from} -> ${e.to}`;

describe("import specifiers", () => {
  it.each([
    ['import { a } from "./a.js";', ["./a.js"]],
    ['import type { A } from "../x/a.js";', ["../x/a.js"]],
    ['export { a } from "./a.js";\nexport * from "./b.js";', ["./a.js", "./b.js"]],
    ['import {\n  a,\n  type B,\n} from "./multi.js";', ["./multi.js"]],
    ['import "./side.js";', ["./side.js"]],
    ['const m = await import("../tmux/observe.js");', ["../tmux/observe.js"]],
    ['// import { a } from "./commented.js";\nconst u = "http://x";', []],
    ['/* import("./c.js") */ const s = "a";', []],
  ])("%s", (text, want) => {
    expect(specifiers(text).sort()).toEqual([...want].sort());
  });
});

describe("layers", () => {
  it("every file under src/ sits in a layer of the table", () => {
    expect(files.filter((f) => layerOf(f) === undefined)).toEqual([]);
  });

  it("every relative import names a file that exists", () => {
    expect(edges.filter((e) => !sources.has(e.to)).map(show)).toEqual([]);
  });

  const upward = edges.filter((e) => {
    const a = layerOf(e.from);
    const b = layerOf(e.to);
    return a !== undefined && b !== undefined && b > a;
  });

  it("an import goes only to the same or a lower layer", () => {
    const bad = upward.map(show).filter((e) => !ALLOWED_EDGES.includes(e));
    if (bad.length) console.log(`imports against the layer table:\n${bad.join("\n")}`);
    expect(bad).toEqual([]);
  });

  it("the effects folders (tmux, workspace, state, ssh) import only layer 0 and the base files", () => {
    const bad = edges
      .filter((e) => EFFECTS.includes(e.from.split("/")[0] as string) && (layerOf(e.to) ?? 99) > 0)
      .map(show)
      .filter((e) => !ALLOWED_EDGES.includes(e));
    if (bad.length) console.log(`effects folders importing above layer 0:\n${bad.join("\n")}`);
    expect(bad).toEqual([]);
  });

  it("the allow-list holds only edges that still exist and still break the table", () => {
    const now = new Set(upward.map(show));
    expect(ALLOWED_EDGES.filter((e) => !now.has(e))).toEqual([]);
  });
});

describe("observing tmux", () => {
  const callers = files.filter((f) => /listSessions|capturePanes/.test(sources.get(f) ?? ""));
  const outside = callers.filter((f) => !f.startsWith("observe/") && !f.startsWith("tmux/"));

  it("only observe/ and tmux/ name listSessions or capturePanes", () => {
    const bad = outside.filter((f) => !ALLOWED_OBSERVE_CALLERS.includes(f));
    if (bad.length) console.log(`listSessions/capturePanes outside observe/ and tmux/:\n${bad.join("\n")}`);
    expect(bad).toEqual([]);
  });

  it("the allow-list holds only files that still name them", () => {
    expect(ALLOWED_OBSERVE_CALLERS.filter((f) => !outside.includes(f))).toEqual([]);
  });
});

describe("dead modules", () => {
  const reached = new Set<string>();
  const todo = ["cli/entry.ts"];
  for (let f = todo.pop(); f !== undefined; f = todo.pop()) {
    if (reached.has(f)) continue;
    reached.add(f);
    for (const e of edges) if (e.from === f && !reached.has(e.to)) todo.push(e.to);
  }
  const unreachable = files.filter((f) => !reached.has(f));

  it("the walk reaches the whole program (main.ts's lazy commands included)", () => {
    for (const f of ["usecases/fleet.ts", "apply/apply.ts", "tmux/client.ts", "workspace/git.ts", "mcp/server.ts"]) expect(reached).toContain(f);
  });

  it("every file in src/ is reachable from src/cli/entry.ts (the bin)", () => {
    const bad = unreachable.filter((f) => !ALLOWED_UNREACHABLE.includes(f));
    if (bad.length) console.log(`modules nothing imports (from cli/main.ts):\n${bad.join("\n")}`);
    expect(bad).toEqual([]);
  });

  it("the allow-list holds only files that are still unreachable", () => {
    expect(ALLOWED_UNREACHABLE.filter((f) => !unreachable.includes(f))).toEqual([]);
  });
});
