// Bundles the CLI into dist/ with esbuild: one entry plus lazily loaded chunks, so that a hot
// command such as `amux ps` loads only what it uses (Node start-up is the floor of every command).
import { chmodSync, rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { amux: "src/cli/main.ts" },
  outdir: "dist",
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
chmodSync("dist/amux.js", 0o755);
