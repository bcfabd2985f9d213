/**
 * Killing `cco ingest` at any moment leaves the warehouse as before the load that was
 * running: every landed file is whole, with its ledger row, and nothing else; running the
 * same command again completes the work. The kills land at chosen points (CCO_FAULT, see
 * core/faults.ts), so each case is deterministic; one more run is killed at a random time.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { generateEstate, type GenerateResult } from "../../orchestrator/estate-generator/generate.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
let estate: GenerateResult;

beforeAll(async () => {
  estate = await generateEstate(
    { seed: 11, resources: 120, days: 62, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
});

/** Run `cco ingest` on the estate; kill it at a fault point, or after `killAfterMs`. */
function ingest(
  dataDir: string,
  options: { fault?: string; killAfterMs?: number },
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(ROOT, "bin/cco.js"), "--quiet", "--data-dir", dataDir, "ingest", estate.outDir],
      { stdio: "ignore", env: { ...process.env, ...(options.fault ? { CCO_FAULT: options.fault } : {}) } },
    );
    const timer = options.killAfterMs
      ? setTimeout(() => child.kill("SIGKILL"), options.killAfterMs)
      : undefined;
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

/** What a crash must never leave: raw rows without their ledger row, or a count that differs from it. */
async function expectConsistent(dataDir: string, label: string): Promise<void> {
  const w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
  const tables = await w.all<{ name: string }>(
    "select distinct raw_table as name from ops.load_parts where superseded_by is null",
  );
  for (const { name } of tables) {
    const mismatched = await w.all(
      `with landed as (select _load_id, count(*) as n from ${name} group by _load_id)
       select landed._load_id, landed.n, l.rows from landed left join ops.loads l on l.load_id = landed._load_id
       where l.load_id is null or landed.n <> l.rows or l.status = 'failed'`,
    );
    expect(mismatched, `${name} after ${label}`).toEqual([]);
  }
  await w.close();
}

/** Rows and files per raw table, to compare an interrupted-then-finished warehouse with a clean one. */
async function contents(dataDir: string): Promise<Record<string, string>> {
  const w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
  const tables = await w.all<{ name: string }>("select distinct raw_table as name from ops.load_parts");
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await w.all<{ n: string; files: string }>(
      `select count(*)::varchar as n, count(distinct _source_file)::varchar as files from ${name}`,
    );
    out[name] = `${row!.n} rows from ${row!.files} files`;
  }
  await w.close();
  return out;
}

/** Lake files on disk that no current load refers to. */
async function orphans(dataDir: string): Promise<string[]> {
  const lake = path.join(dataDir, "lake");
  const onDisk = (readdirSync(lake, { recursive: true }) as string[])
    .filter((f) => f.endsWith(".parquet"))
    .map((f) => path.join(lake, f));
  const w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
  const live = new Set(
    (await w.all<{ f: string }>("select lake_file as f from ops.load_parts where superseded_by is null")).map(
      (r) => r.f,
    ),
  );
  await w.close();
  return onDisk.filter((f) => !live.has(f));
}

describe("an ingest killed midway", () => {
  it("at each point between its steps, leaves whole ledgered loads only, and a rerun completes the rest", async () => {
    const clean = tempDir();
    const done = await ingest(clean, {});
    expect(done.code).toBe(0);
    const expected = await contents(clean);

    const dataDir = tempDir();
    // In the order a load passes them; a later hit (@n) falls after earlier loads committed.
    for (const fault of [
      "ingest:staged@1",
      "ingest:lake-written@1",
      "ingest:before-commit@1",
      "ingest:committed@1",
      "ingest:staged@4",
      "ingest:lake-written@3",
      "ingest:before-commit@3",
    ]) {
      const run = await ingest(dataDir, { fault });
      // The process really died at that point (a point never reached would exit 0).
      expect(run.signal, fault).toBe("SIGKILL");
      await expectConsistent(dataDir, fault);
    }
    const rerun = await ingest(dataDir, {});
    expect(rerun.code).toBe(0);
    expect(await contents(dataDir)).toEqual(expected);
    expect(await orphans(dataDir)).toEqual([]);
  });

  it("at a random moment, leaves whole ledgered loads only", async () => {
    const dataDir = tempDir();
    const ms = 500 + Math.floor(Math.random() * 4000);
    await ingest(dataDir, { killAfterMs: ms });
    await expectConsistent(dataDir, `a kill after ${ms} ms`);
    const w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
    const results = await ingestPaths(w, [estate.outDir], { lakeDir: path.join(dataDir, "lake") }, quiet);
    expect(results.filter((r) => r.status === "failed")).toEqual([]);
    await w.close();
  });
});
