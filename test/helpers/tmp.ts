import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";
import { createProgress } from "../../core/log.ts";

/** A temporary folder removed after the file's tests. */
export function tempDir(prefix = "cco-test-"): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export const quiet = createProgress({ quiet: true });

export const FIXTURES = path.resolve(import.meta.dirname, "../fixtures/billing-samples");
