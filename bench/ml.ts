/**
 * Benchmark: the three ML jobs (forecast, anomalies, utilization) over a generated estate of
 * 1,000 resources × 120 days (target: under 2 minutes in all, this 2-core machine), whole
 * processes, median of BENCH_RUNS (default 3) with peak RSS; and the demo pipeline end to end
 * (`cco run --demo`, target under 3 minutes). The estate is generated, ingested and built first
 * (not timed); the jobs' scores against the truth are printed beside the times.
 *
 *   npx tsx bench/ml.ts [--json]   (BENCH_RESOURCES=1000, BENCH_DAYS=120, BENCH_RUNS=3)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgress } from "../core/log.ts";

if (process.argv.includes("--help")) {
  console.log("usage: npx tsx bench/ml.ts [--json]   (BENCH_RESOURCES=1000, BENCH_DAYS=120, BENCH_RUNS=3)");
  process.exit(0);
}
const json = process.argv.includes("--json");
const resources = Number(process.env.BENCH_RESOURCES ?? 1000);
const days = Number(process.env.BENCH_DAYS ?? 120);
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const progress = createProgress({ quiet: json });
const ROOT = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "cco-bench-ml-"));

function cco(
  dataDir: string,
  args: string[],
  allowFail = false,
): { seconds: number; peak_rss_mib: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "%M", process.execPath, path.join(ROOT, "bin/cco.js"), "--data-dir", dataDir, ...args],
    {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const lines = r.stderr.trim().split("\n");
  if (r.status !== 0 && !allowFail)
    throw new Error(`cco ${args.join(" ")} exited ${r.status}: ${lines.slice(-5).join("\n")}`);
  return { seconds, peak_rss_mib: Math.round(Number(lines.at(-1)) / 1024), stdout: r.stdout };
}

try {
  const data = path.join(dir, "estate");
  await progress.step(
    `Generating, ingesting and building ${resources} resources × ${days} days (not timed)`,
    async () => {
      cco(data, ["generate", "--resources", String(resources), "--days", String(days)]);
      cco(data, ["ingest", path.join(data, "estate")]);
      return cco(data, ["models", "build"]);
    },
  );
  const times: { seconds: number; peak_rss_mib: number }[] = [];
  for (let i = 1; i <= runs; i++)
    times.push(
      await progress.step(`cco ml, all three jobs (run ${i} of ${runs})`, async () =>
        cco(data, ["--quiet", "ml"]),
      ),
    );
  const sorted = [...times].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const evaluation = JSON.parse(
    cco(data, ["--json", "ml", "evaluate", "--truth", path.join(data, "estate", "truth.json")], true).stdout,
  ) as { passed: boolean; summary: string };
  const demo = await progress.step("npm run demo's pipeline (cco run --demo)", async () =>
    cco(path.join(dir, "demo"), ["--quiet", "run", "--demo"]),
  );
  const result = {
    bench: "ml",
    resources,
    days,
    ml_seconds: +median.seconds.toFixed(1),
    runs: times.map((t) => +t.seconds.toFixed(1)),
    peak_rss_mib: Math.max(...times.map((t) => t.peak_rss_mib)),
    evaluation: evaluation.summary,
    demo_seconds: +demo.seconds.toFixed(1),
    demo_peak_rss_mib: demo.peak_rss_mib,
    targets: "ml < 120 s at 1,000 resources × 120 days; demo < 180 s",
  };
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(
      `cco ml over ${resources} resources × ${days} days: median ${result.ml_seconds} s (runs ${result.runs.join(", ")}), peak RSS ${result.peak_rss_mib} MiB; target < 120 s`,
    );
    console.log(`  scored against the truth: ${evaluation.summary}`);
    console.log(
      `cco run --demo (300 resources × 120 days, every stage): ${result.demo_seconds} s, peak RSS ${result.demo_peak_rss_mib} MiB; target < 180 s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
