import { defineConfig } from "vitest/config";

// Opt-in checks against real agent CLIs (npm run test:agents); never part of `npm test` or CI.
export default defineConfig({
  test: {
    include: ["test/agents/**/*.agent-test.ts"],
    testTimeout: 240_000,
    hookTimeout: 60_000,
    maxWorkers: 1,
  },
});
