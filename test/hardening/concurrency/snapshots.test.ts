/**
 * Readers of the marts' Parquet snapshots see whole files only: while exportMarts rewrites every
 * snapshot again and again, a reader in a loop (another DuckDB instance, and plain file reads)
 * never finds one missing, cut short, or unreadable, and every read counts a whole table.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { describe, expect, it } from "vitest";
import { lit } from "../../../core/sql.ts";
import { exportMarts } from "../../../core/warehouse/snapshots.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../helpers/tmp.ts";

const TABLES = { cost_daily: 200_000, recommendations: 50_000, resources: 20_000 };
const EXPORTS = 12;

describe("marts snapshots under a reader", () => {
  it("are never seen missing or partial while they are rewritten", async () => {
    const dir = tempDir();
    const marts = path.join(dir, "marts");
    const writer = await Warehouse.open({ path: path.join(dir, "w.duckdb") });
    for (const [table, rows] of Object.entries(TABLES)) {
      await writer.run(
        `create table marts.${table} as select i as id, 'row ' || i as label, random() as x from range(${rows}) t(i)`,
      );
    }
    await exportMarts(writer, marts);

    let writing = true;
    const exporting = (async () => {
      try {
        for (let n = 0; n < EXPORTS; n++) await exportMarts(writer, marts);
      } finally {
        writing = false;
      }
    })();

    const reader = await DuckDBInstance.create(":memory:");
    const connection = await reader.connect();
    const problems: string[] = [];
    let reads = 0;
    while (writing) {
      for (const [table, rows] of Object.entries(TABLES)) {
        const file = path.join(marts, `${table}.parquet`);
        // The file as bytes: present, and a whole Parquet file (magic at both ends).
        try {
          const bytes = readFileSync(file);
          const magic = (at: number) => bytes.subarray(at, at + 4).toString("latin1");
          if (bytes.length < 12 || magic(0) !== "PAR1" || magic(bytes.length - 4) !== "PAR1")
            problems.push(`${table}: ${bytes.length} bytes, not a whole Parquet file`);
        } catch (error) {
          problems.push(`${table}: ${(error as Error).message}`);
        }
        // The file as DuckDB reads it, by name and through a glob of the folder.
        try {
          const reader = await connection.runAndReadAll(
            `select count(*)::integer as n from read_parquet(${lit(file)})`,
          );
          const n = reader.getRowsJson()[0]![0];
          if (n !== rows) problems.push(`${table}: ${n} rows read, ${rows} written`);
        } catch (error) {
          problems.push(`${table}: ${(error as Error).message.split("\n")[0]}`);
        }
        reads++;
      }
      try {
        const all = await connection.runAndReadAll(
          `select count(*)::integer from read_parquet(${lit(path.join(marts, "*.parquet"))})`,
        );
        const total = Object.values(TABLES).reduce((a, b) => a + b, 0);
        if (all.getRowsJson()[0]![0] !== total) problems.push(`glob: ${all.getRowsJson()[0]![0]} rows`);
      } catch (error) {
        problems.push(`glob: ${(error as Error).message.split("\n")[0]}`);
      }
    }
    await exporting;
    connection.closeSync();
    reader.closeSync();
    await writer.close();

    expect(problems).toEqual([]);
    // The reader really raced the writer, and no partial file was left behind.
    expect(reads).toBeGreaterThan(EXPORTS);
    expect(readdirSync(marts).filter((f) => f.endsWith(".partial"))).toEqual([]);
  });
});
