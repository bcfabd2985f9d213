import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The browser tests (Chromium) run in the e2e suite.
    exclude: ["test/e2e/**", "test/service/web/**"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Canary secrets in the environment of every test (test/hardening/security/canaries.ts).
    globalSetup: ["test/hardening/security/global-setup.ts"],
    reporters: ["default", "json"],
    outputFile: { json: ".tmp/vitest-results.json" },
  },
});
