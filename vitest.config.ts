import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // e2e files each run their own tmux servers; two cores here.
    maxWorkers: 2,
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
