/**
 * Killing `cco ingest` at any moment leaves the warehouse as before the load that
 * was running: every landed file is whole, with its ledger row, and nothing else.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { generateEstate, type GenerateResult } from "../../orchestrator/estate-generator/generate.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
let estate: GenerateResult;

beforeAll(async () => {
  estate = await generateEstate(
    { seed: 11, resources: 200, days: 62, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
});

/** Start an ingest and SIGKILL it after `ms`; resolves when the process is gone. */
function killedIngest(warehouse: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, "bin/cco.js"),
        "--quiet",
        "--warehouse",
        warehouse,
        "--data-dir",
        tempDir(),
        "ingest",
        estate.outDir,
      ],
      {
        stdio: "ignore",
      },
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe("a load killed midway", () => {
  it("leaves only whole, ledgered files, and a rerun completes the rest", async () => {
    const warehouse = path.join(tempDir(), "w.duckdb");
    const dataFiles = estate.files.filter((f) => !/(Manifest|truth)\.json$/.test(f)).length;
    const landedAfterKill: number[] = [];
    for (const ms of [2500, 3500, 4500, 6000]) {
      await killedIngest(warehouse, ms);
      const w = await Warehouse.open({ path: warehouse });
      const tables = await w.all<{ name: string }>(
        "select distinct split_part(raw_table, '.', 2) as name from ops.load_parts",
      );
      for (const { name } of tables) {
        // Each load id in raw has exactly the rows its ledger row says, and every row has a load id.
        const mismatched = await w.all(
          `with landed as (select _load_id, count(*) as n from raw.${name} group by _load_id)
           select landed._load_id, landed.n, l.rows from landed left join ops.loads l on l.load_id = landed._load_id
           where l.load_id is null or landed.n <> l.rows`,
        );
        expect(mismatched, `${name} after kill at ${ms} ms`).toEqual([]);
      }
      const [ledger] = await w.all<{ n: string }>(
        "select count(*)::varchar as n from ops.loads where status <> 'failed'",
      );
      landedAfterKill.push(Number(ledger!.n));
      await w.close();
    }
    // The kills really fell inside the run: some files had landed, not all.
    expect(
      landedAfterKill.some((n) => n > 0 && n < dataFiles),
      JSON.stringify({ landedAfterKill, dataFiles }),
    ).toBe(true);
    // The interrupted work is finished by running the same command again.
    const w = await Warehouse.open({ path: warehouse });
    const { ingestPaths } = await import("../../ingest/load.ts");
    const results = await ingestPaths(w, [estate.outDir], { lakeDir: tempDir() }, quiet);
    expect(results.filter((r) => r.status === "failed")).toEqual([]);
    const [{ files }] = (await w.all<{ files: string }>(
      "select count(distinct _source_file)::varchar as files from raw.focus_cost_lines",
    )) as [{ files: string }];
    expect(Number(files)).toBe(estate.files.filter((f) => f.includes("focus-1.2_")).length);
    await w.close();
  });
});
