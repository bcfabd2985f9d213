/**
 * The benchmarks' big inputs: a generated month (real CUR 2.0 and legacy CUR columns), its
 * rows repeated with fresh line item ids up to the size asked for.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Progress } from "../core/log.ts";
import { generateEstate } from "../orchestrator/estate-generator/generate.ts";

export interface BigMonth {
  /** CUR 2.0 Parquet of October 2026, `rows` line items. */
  cur2: string;
  /** The generated legacy CUR CSV.gz of October 2026 (one account), to repeat. */
  seedLegacy: string;
}

export async function buildBigCur2Month(dir: string, rows: number, progress: Progress): Promise<BigMonth> {
  const estate = await generateEstate(
    { seed: 1, resources: 1500, days: 31, endDate: "2026-10-31" },
    path.join(dir, "estate"),
    progress,
  );
  const seedCur2 = estate.files.find((f) => /BILLING_PERIOD=2026-10\/.*\.parquet$/.test(f))!;
  const seedLegacy = estate.files.find((f) => /20261001-20261101\/.*\.csv\.gz$/.test(f))!;
  const cur2 = path.join(dir, "BILLING_PERIOD=2026-10", "cur2-00001.snappy.parquet");
  await progress.step(`Building a ${rows.toLocaleString()}-row CUR 2.0 month`, async () => {
    mkdirSync(path.dirname(cur2), { recursive: true });
    await duck(`COPY (${repeated(`read_parquet('${seedCur2}')`, rows, "identity_line_item_id")})
      TO '${cur2}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`);
  });
  return { cur2, seedLegacy };
}

/** A source's rows repeated up to n, each copy with its own ids. */
export function repeated(source: string, n: number, idColumn: string): string {
  return `SELECT * REPLACE (${idColumn} || '-' || i AS ${idColumn}) FROM (SELECT * FROM ${source}) s,
    range(ceil(${n} / (SELECT count(*) FROM ${source}))::BIGINT) t(i) LIMIT ${n}`;
}

/** Run statements on a scratch in-memory DuckDB. */
export async function duck(...statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "2", memory_limit: "4GB" });
  const con = await instance.connect();
  try {
    for (const sql of statements) await con.run(sql);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
