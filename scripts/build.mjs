// Bundles the CLI into dist/ with esbuild: one entry plus lazily loaded chunks, so that a hot
// command such as `amux ps` loads only what it uses (Node start-up is the floor of every command).
// The swap is atomic for running processes: chunks have content-hashed names and are copied in
// first, then the entry is renamed into place; chunks of older builds go after ten minutes.
import { chmodSync, cpSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const tmp = `dist/.build-${process.pid}`;
await build({
  entryPoints: { amux: "src/cli/entry.ts" },
  outdir: tmp,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  chunkNames: "chunks/[name]-[hash]",
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __amuxCreateRequire } from 'node:module'; const require = __amuxCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
mkdirSync("dist/chunks", { recursive: true });
const fresh = new Set(readdirSync(join(tmp, "chunks")));
cpSync(join(tmp, "chunks"), "dist/chunks", { recursive: true });
chmodSync(join(tmp, "amux.js"), 0o755);
renameSync(join(tmp, "amux.js"), "dist/amux.js");
rmSync(tmp, { recursive: true, force: true });
// --clean (npm pack's prepack): only this build's chunks, so the package ships no stale ones.
const keepMs = process.argv.includes("--clean") ? -1 : 10 * 60_000;
for (const f of readdirSync("dist/chunks")) {
  const p = join("dist/chunks", f);
  if (!fresh.has(f) && Date.now() - statSync(p).mtimeMs > keepMs) rmSync(p, { force: true });
}
