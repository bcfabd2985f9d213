/**
 * Benchmark: load a 10-million-line-item CUR 2.0 month (Parquet) into lake and
 * warehouse, next to DuckDB's own COPY of the same file (the floor), and a
 * 1-million-row legacy CUR CSV.gz. Targets: within 2x of the floor and under
 * 4 GiB peak RSS; CSV.gz under 10 s. The big files are built from a generated
 * month (real CUR 2.0 columns), its rows repeated with fresh line item ids.
 *   BENCH_ROWS (default 10000000), BENCH_CSV_ROWS (default 1000000), --json
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgress } from "../core/log.ts";
import { buildBigCur2Month, duck, repeated } from "./big-month.ts";

const json = process.argv.includes("--json");
const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const csvRows = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const progress = createProgress({ quiet: json });
const dir = mkdtempSync(path.join(os.tmpdir(), "cco-bench-ingest-"));
const here = path.dirname(new URL(import.meta.url).pathname);
const tsx = path.join(here, "..", "node_modules", ".bin", "tsx");

function worker(script: string, args: string[]): { seconds: number; peak_rss_mib: number; rows?: number } {
  return JSON.parse(
    execFileSync(tsx, [path.join(here, script), ...args], { encoding: "utf8", maxBuffer: 1 << 24 })
      .trim()
      .split("\n")
      .pop()!,
  );
}

try {
  const { cur2: big, seedLegacy } = await buildBigCur2Month(dir, rows, progress);
  const bigCsv = path.join(dir, "legacy", "cur-1.csv.gz");
  await progress.step(`Building a ${csvRows.toLocaleString()}-row legacy CUR CSV.gz`, async () => {
    mkdirSync(path.dirname(bigCsv), { recursive: true });
    await duck(
      `COPY (${repeated(`read_csv('${seedLegacy}', all_varchar = true)`, csvRows, '"identity/LineItemId"')}) TO '${bigCsv}' (FORMAT csv, HEADER, COMPRESSION gzip)`,
    );
  });
  const floor = await progress.step("Floor: DuckDB COPY of the CUR 2.0 month to zstd Parquet", async () =>
    worker("floor-worker.ts", [big, path.join(dir, "floor.parquet"), "read_parquet"]),
  );
  const load = await progress.step("cco ingest of the CUR 2.0 month (lake + warehouse)", async () =>
    worker("ingest-worker.ts", [path.join(dir, "w1.duckdb"), path.join(dir, "lake1"), big]),
  );
  const csvFloor = await progress.step("Floor: DuckDB COPY of the CSV.gz", async () =>
    worker("floor-worker.ts", [bigCsv, path.join(dir, "floor-csv.parquet"), "read_csv"]),
  );
  const csv = await progress.step("cco ingest of the legacy CUR CSV.gz", async () =>
    worker("ingest-worker.ts", [path.join(dir, "w2.duckdb"), path.join(dir, "lake2"), bigCsv]),
  );
  const report = {
    bench: "ingest",
    cur2: {
      rows,
      file_mib: Math.round(statSync(big).size / 2 ** 20),
      seconds: +load.seconds.toFixed(1),
      floor_seconds: +floor.seconds.toFixed(1),
      ratio_to_floor: +(load.seconds / floor.seconds).toFixed(2),
      peak_rss_mib: load.peak_rss_mib,
      floor_peak_rss_mib: floor.peak_rss_mib,
      targets: "ratio <= 2, peak RSS < 4096 MiB",
    },
    csv_gz: {
      rows: csvRows,
      file_mib: Math.round(statSync(bigCsv).size / 2 ** 20),
      seconds: +csv.seconds.toFixed(1),
      floor_seconds: +csvFloor.seconds.toFixed(1),
      peak_rss_mib: csv.peak_rss_mib,
      target: "seconds < 10",
    },
  };
  const ok = report.cur2.ratio_to_floor <= 2 && report.cur2.peak_rss_mib < 4096 && report.csv_gz.seconds < 10;
  console.log(
    json
      ? JSON.stringify({ ...report, ok })
      : [
          `CUR 2.0 Parquet, ${rows.toLocaleString()} rows (${report.cur2.file_mib} MiB): ${report.cur2.seconds} s, floor ${report.cur2.floor_seconds} s (x${report.cur2.ratio_to_floor}, target <= 2), peak RSS ${report.cur2.peak_rss_mib} MiB (target < 4096; floor ${report.cur2.floor_peak_rss_mib})`,
          `Legacy CUR CSV.gz, ${csvRows.toLocaleString()} rows (${report.csv_gz.file_mib} MiB): ${report.csv_gz.seconds} s (target < 10), floor ${report.csv_gz.floor_seconds} s, peak RSS ${report.csv_gz.peak_rss_mib} MiB`,
          ok ? "targets met" : "TARGETS MISSED",
        ].join("\n"),
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
