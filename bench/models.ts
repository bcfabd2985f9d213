/**
 * Benchmark: `cco models build` over a 10-million-line-item CUR 2.0 month, then an
 * incremental build after one more day lands (1 November, a new billing period), each next
 * to one hand-written DuckDB statement mapping the same raw rows to FOCUS's core columns.
 * Targets: full build under 60 s; incremental under 10% of the full build.
 * Each build is run several times and its median reported (this VM's run-to-run noise is about
 * ±15%): the full build and its statement BENCH_RUNS times (default 3), the incremental build
 * and its statement 2 × BENCH_RUNS + 1 times, each incremental run from the same state (the
 * warehouse file and the marts' Parquet restored before every run).
 *   BENCH_ROWS (default 10000000), BENCH_RUNS (default 3), --json
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgress } from "../core/log.ts";
import { buildBigCur2Month, duck } from "./big-month.ts";

const json = process.argv.includes("--json");
if (process.argv.includes("--help")) {
  console.log(
    "usage: npx tsx bench/models.ts [--json]   (BENCH_ROWS=n to change the month's size, BENCH_RUNS=n the runs per full build)",
  );
  process.exit(0);
}
const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const progress = createProgress({ quiet: json });
const dir = mkdtempSync(path.join(os.tmpdir(), "cco-bench-models-"));
const here = path.dirname(new URL(import.meta.url).pathname);
const tsx = path.join(here, "..", "node_modules", ".bin", "tsx");

interface Run {
  seconds: number;
  peak_rss_mib: number;
  failed?: number;
  slowest?: string[];
}

function worker(script: string, args: string[]): Run {
  const out = execFileSync(tsx, [path.join(here, script), ...args], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop()!);
}

/** `times` runs (each after `before`, if given); the median one, with every run's seconds. */
async function median(
  label: string,
  times: number,
  run: () => Run,
  before?: () => void,
): Promise<Run & { runs: number[] }> {
  const done: Run[] = [];
  for (let i = 1; i <= times; i++) {
    before?.();
    done.push(await progress.step(`${label} (run ${i} of ${times})`, async () => run()));
  }
  const sorted = [...done].sort((a, b) => a.seconds - b.seconds);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)]!, runs: done.map((r) => +r.seconds.toFixed(1)) };
}

try {
  const { cur2 } = await buildBigCur2Month(dir, rows, progress);
  const warehouse = path.join(dir, "w.duckdb");
  const lake = path.join(dir, "lake");
  // One more day: the month's last day, moved to 1 November (its own billing period).
  const nextDay = path.join(dir, "BILLING_PERIOD=2026-11", "cur2-00001.snappy.parquet");
  await progress.step("Building the next day's CUR 2.0 file (2026-11-01)", async () => {
    mkdirSync(path.dirname(nextDay), { recursive: true });
    await duck(`COPY (
      SELECT * REPLACE (
        identity_line_item_id || '-nov' AS identity_line_item_id,
        line_item_usage_start_date + INTERVAL 1 DAY AS line_item_usage_start_date,
        line_item_usage_end_date + INTERVAL 1 DAY AS line_item_usage_end_date,
        TIMESTAMP '2026-11-01' AS bill_billing_period_start_date,
        TIMESTAMP '2026-12-01' AS bill_billing_period_end_date)
      FROM read_parquet('${cur2}') WHERE line_item_usage_start_date::DATE = DATE '2026-10-31'
    ) TO '${nextDay}' (FORMAT parquet, COMPRESSION snappy)`);
  });
  await progress.step("cco ingest of the month (not timed here: see bench/ingest.ts)", async () =>
    worker("ingest-worker.ts", [warehouse, lake, cur2]),
  );
  const full = await median("cco models build --full-refresh", runs, () =>
    worker("models-worker.ts", ["build", warehouse, "full"]),
  );
  const unfloor = () => worker("models-worker.ts", ["unfloor", warehouse]);
  const fullFloor = await median(
    "Floor: one SQL statement over the raw month",
    runs,
    () => worker("models-worker.ts", ["floor", warehouse]),
    unfloor,
  );
  const dayLoad = await progress.step("cco ingest of the next day", async () =>
    worker("ingest-worker.ts", [warehouse, lake, nextDay]),
  );
  // Every incremental run starts from the state the day's load left.
  const marts = path.join(dir, "marts");
  const saved = path.join(dir, "saved");
  copyFileSync(warehouse, `${saved}.duckdb`);
  cpSync(marts, path.join(saved, "marts"), { recursive: true });
  const restore = () => {
    copyFileSync(`${saved}.duckdb`, warehouse);
    rmSync(marts, { recursive: true, force: true });
    cpSync(path.join(saved, "marts"), marts, { recursive: true });
  };
  const incremental = await median(
    "cco models build (incremental)",
    2 * runs + 1,
    () => worker("models-worker.ts", ["build", warehouse, "incremental"]),
    restore,
  );
  const incrementalFloor = await median(
    "Floor: the same statement over the new day",
    2 * runs + 1,
    () => worker("models-worker.ts", ["floor", warehouse, "2026-11"]),
    unfloor,
  );
  const report = {
    bench: "models",
    rows,
    next_day_rows: (dayLoad as Run & { rows?: number }).rows,
    full: {
      seconds: +full.seconds.toFixed(1),
      runs: full.runs,
      peak_rss_mib: full.peak_rss_mib,
      failed: full.failed,
      slowest: full.slowest,
    },
    full_floor_seconds: +fullFloor.seconds.toFixed(1),
    full_floor_runs: fullFloor.runs,
    incremental: {
      seconds: +incremental.seconds.toFixed(1),
      runs: incremental.runs,
      peak_rss_mib: incremental.peak_rss_mib,
      share_of_full_pct: +((100 * incremental.seconds) / full.seconds).toFixed(1),
      slowest: incremental.slowest,
    },
    incremental_floor_seconds: +incrementalFloor.seconds.toFixed(1),
    incremental_floor_runs: incrementalFloor.runs,
    targets: "full < 60 s, incremental < 10% of full (medians)",
  };
  const ok =
    full.failed === 0 &&
    incremental.failed === 0 &&
    full.seconds < 60 &&
    report.incremental.share_of_full_pct < 10;
  console.log(
    json
      ? JSON.stringify({ ...report, ok })
      : [
          `Full build over ${rows.toLocaleString()} CUR 2.0 line items: median ${report.full.seconds} s of ${report.full.runs.join(", ")} (target < 60), peak RSS ${report.full.peak_rss_mib} MiB; one hand-written statement: ${report.full_floor_seconds} s`,
          `  slowest: ${report.full.slowest?.join(", ")}`,
          `Incremental build after one more day (${report.next_day_rows?.toLocaleString()} line items): median ${report.incremental.seconds} s of ${report.incremental.runs.join(", ")} = ${report.incremental.share_of_full_pct}% of the full build (target < 10%); one hand-written statement: ${report.incremental_floor_seconds} s`,
          `  slowest: ${report.incremental.slowest?.join(", ")}`,
          ok ? "targets met" : "TARGETS MISSED",
        ].join("\n"),
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
