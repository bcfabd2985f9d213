/**
 * `cco run` as users run it: stage selection errors (exit 2), the warehouse lock (exit 1, naming
 * the holder), per-stage status in text and --json, and a real process stopped by SIGTERM after
 * its current stage (exit 143) then resumed with --resume.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { generateEstate } from "../../../../orchestrator/estate-generator/generate.ts";
import { acquireWarehouseLock } from "../../../../orchestrator/lock.ts";
import { FIXTURES, quiet, tempDir } from "../../../helpers/tmp.ts";
import { type CliOutcome, ccoInProcess, ROOT, STACK_FRAME } from "../run-cli.ts";

const SAMPLE = path.join(FIXTURES, "aws", "cur_athena_snakecase_koku_2022-07.csv");

function cco(dataDir: string, ...args: string[]): Promise<CliOutcome> {
  return ccoInProcess(["--data-dir", dataDir, ...args]);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("cco run", () => {
  it.each([
    [
      ["--only", "modles"],
      /^cco: --only: unknown stage 'modles'; one of generate, ingest, models, ml, recommend, actions, snapshot, report$/m,
    ],
    [["--from", "report", "--to", "models"], /^cco: --from report comes after --to models$/m],
    [["--only", "ingest", "--to", "models"], /^cco: --only cannot be combined with --from or --to$/m],
    [["--only", "generate"], /^cco: --only: the generate stage runs with --demo only$/m],
    [["--resume"], /^cco: nothing to resume: no run is recorded on this warehouse$/m],
    [["--resume", "--only", "models"], /^cco: --resume repeats the failed run's selection and inputs/m],
  ])("cco run %j exits 2 naming the problem", async (args, message) => {
    const r = await cco(tempDir(), "run", ...args);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(r.status).toBe(2);
  });

  it("exits 1 naming the holder while another process holds the warehouse's lock", async () => {
    const dataDir = tempDir();
    const lock = acquireWarehouseLock(path.join(dataDir, "warehouse.duckdb"), "cco serve", {
      staleMinutes: 240,
    });
    try {
      const r = await cco(dataDir, "run", SAMPLE);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(
        new RegExp(
          `^cco: .*warehouse\\.duckdb\\.lock: the warehouse is locked by 'cco serve' \\(PID ${process.pid}\\) since ${lock.holder.since}`,
          "m",
        ),
      );
    } finally {
      lock.release();
    }
  });

  it("prints each stage's status and seconds, as text and as --json, and releases its lock", async () => {
    const dataDir = tempDir();
    const first = await cco(dataDir, "--json", "run", "--only", "ingest", SAMPLE);
    expect(first.status).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      runId: "1",
      trigger: "cli",
      steps: [{ name: "ingest", status: "succeeded", attempts: 1, seconds: expect.any(Number) }],
      recommendations: { count: 0 },
    });
    const again = await cco(dataDir, "run", "--only", "ingest", SAMPLE);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(
      /^Run 2:\n {2}ingest {5}skipped +\d+\.\d s {2}inputs unchanged since run 1$/m,
    );
    expect(existsSync(path.join(dataDir, "warehouse.duckdb.lock"))).toBe(false);
  });
});

describe("cco run, stopped by SIGTERM", () => {
  let estate: string;
  beforeAll(async () => {
    estate = (
      await generateEstate({ seed: 4, resources: 30, days: 35, endDate: "2026-10-31" }, tempDir(), quiet)
    ).outDir;
  });

  it("finishes the current stage, exits 143 with the run recorded as interrupted, and --resume continues it", async () => {
    const dataDir = tempDir();
    const bin = path.join(ROOT, "bin", "cco.js");
    const child = spawn(process.execPath, [bin, "--data-dir", dataDir, "run", estate, "--to", "models"], {
      env: { ...process.env, CCO_DEBUG: "" },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += String(chunk);
      // Once ingest has started: it finishes, models never starts.
      if (/… Ingesting \d+ files/.test(stderr) && !child.killed) child.kill("SIGTERM");
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(stderr).toMatch(/SIGTERM: stopping after the current stage/);
    expect(stderr).toMatch(
      /^cco: run 1 interrupted \(SIGTERM\) after its current stage; cco run --resume continues it$/m,
    );
    expect(code).toBe(143);
    expect(existsSync(path.join(dataDir, "warehouse.duckdb.lock"))).toBe(false);

    const resumed = await cco(dataDir, "--json", "run", "--resume");
    expect(resumed.stderr).not.toMatch(STACK_FRAME);
    expect(resumed.status).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({
      runId: "2",
      resumedFrom: "1",
      steps: [{ name: "models", status: "succeeded" }],
    });
  }, 180_000);
});
