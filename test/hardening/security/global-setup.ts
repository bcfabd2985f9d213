/**
 * Vitest globalSetup: plant a canary (canaries.ts) in the environment for every secret the product
 * reads, where the environment does not already hold one, before any test file runs; the workers
 * and every process the tests start inherit them. A test that sets its own value keeps it. The
 * values go to .tmp/canaries/values.txt (NAME<tab>value lines) for .ci/check-secrets.
 *
 * Not planted: GOOGLE_APPLICATION_CREDENTIALS. With a key file there, Google's libraries fetch a
 * token from oauth2.googleapis.com even for a local endpoint, which changes what the offline tests
 * do; secrets.test.ts gives one to the commands that read it instead, and the private key shape is
 * looked for everywhere.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { CANARIES, CANARY_DIR, VALUES_FILE } from "./canaries.ts";

export default function plantCanaries(): void {
  mkdirSync(CANARY_DIR, { recursive: true });
  const planted: string[] = [];
  for (const [name, value] of Object.entries(CANARIES)) {
    if (process.env[name] !== undefined) continue;
    process.env[name] = value;
    planted.push(`${name}\t${value}`);
  }
  writeFileSync(VALUES_FILE, `${planted.join("\n")}\n`);
}
