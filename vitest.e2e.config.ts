import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts", "test/service/web/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: "forks",
    // Canary secrets in the environment of every test (test/hardening/security/canaries.ts).
    globalSetup: ["test/hardening/security/global-setup.ts"],
    reporters: ["default", "json"],
    outputFile: { json: ".tmp/vitest-e2e-results.json" },
  },
});
