/**
 * Benchmark: `cco recommend` over a generated estate of 10,000 resources with 90 days of hourly
 * metrics (target: under 30 s), whole process: the detector models, the risk job,
 * marts.recommendations and its tests, the history, the marts' snapshots and the approval table.
 * The estate is generated, ingested and built first (not timed); then `cco recommend` runs
 * BENCH_RUNS times (default 3, median reported, peak RSS by /usr/bin/time), and the result is
 * scored against the estate's truth (`cco recommend evaluate`).
 *
 *   npx tsx bench/recommend.ts [--json]   (BENCH_RESOURCES, BENCH_DAYS, BENCH_RUNS)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgress } from "../core/log.ts";

if (process.argv.includes("--help")) {
  console.log(
    "usage: npx tsx bench/recommend.ts [--json]   (BENCH_RESOURCES=10000, BENCH_DAYS=90, BENCH_RUNS=3)",
  );
  process.exit(0);
}
const json = process.argv.includes("--json");
const resources = Number(process.env.BENCH_RESOURCES ?? 10_000);
const days = Number(process.env.BENCH_DAYS ?? 90);
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const progress = createProgress({ quiet: json });
const ROOT = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "cco-bench-recommend-"));

/** One cco command, timed, with its peak RSS; throws on a non-zero exit. */
function cco(args: string[]): { seconds: number; peak_rss_mib: number; stdout: string; status: number } {
  const t0 = performance.now();
  const r = spawnSync(
    "/usr/bin/time",
    ["-f", "%M", process.execPath, path.join(ROOT, "bin/cco.js"), "--data-dir", dir, ...args],
    {
      encoding: "utf8",
      maxBuffer: 1 << 28,
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  const lines = r.stderr.trim().split("\n");
  const peak = Number(lines.at(-1)) / 1024;
  if (r.status !== 0 && !(args.includes("evaluate") && r.status === 1))
    throw new Error(`cco ${args.join(" ")} exited ${r.status}: ${lines.slice(-5).join("\n")}`);
  return { seconds, peak_rss_mib: Math.round(peak), stdout: r.stdout, status: r.status ?? -1 };
}

try {
  await progress.step(`Generating ${resources} resources × ${days} days`, async () =>
    cco(["generate", "--resources", String(resources), "--days", String(days)]),
  );
  const estate = path.join(dir, "estate");
  await progress.step("Ingesting", async () => cco(["ingest", estate]));
  await progress.step("Building the models", async () => cco(["models", "build"]));
  const counts = JSON.parse(
    cco([
      "--json",
      "sql",
      "select (select count(*) from marts.resources where resource_type = 'virtual_machine')::integer as vms, (select count(*) from raw.metrics_hourly)::integer as metric_rows",
    ]).stdout,
  )[0] as { vms: number; metric_rows: number };
  const times: { seconds: number; peak_rss_mib: number }[] = [];
  for (let i = 1; i <= runs; i++)
    times.push(
      await progress.step(`cco recommend (run ${i} of ${runs})`, async () => cco(["--json", "recommend"])),
    );
  const sorted = [...times].sort((a, b) => a.seconds - b.seconds);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  const evaluation = JSON.parse(
    cco(["--json", "recommend", "evaluate", "--truth", path.join(estate, "truth.json")]).stdout,
  ) as {
    passed: boolean;
    detectors: {
      detector: string;
      expected: number;
      found: number;
      precision: number | null;
      recall: number | null;
    }[];
    violations: unknown[];
  };
  const result = {
    resources,
    days,
    vms: counts.vms,
    metric_rows: counts.metric_rows,
    recommend_seconds: +median.seconds.toFixed(1),
    runs: times.map((t) => +t.seconds.toFixed(1)),
    peak_rss_mib: Math.max(...times.map((t) => t.peak_rss_mib)),
    target_seconds: 30,
    evaluation_passed: evaluation.passed,
    violations: evaluation.violations.length,
    detectors: evaluation.detectors.map(({ detector, expected, found, precision, recall }) => ({
      detector,
      expected,
      found,
      precision,
      recall,
    })),
  };
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(
      `cco recommend over ${resources} resources (${counts.vms} VMs, ${counts.metric_rows} hourly metric rows, ${days} days): ` +
        `median ${result.recommend_seconds} s (runs ${result.runs.join(", ")}), peak RSS ${result.peak_rss_mib} MiB; target < 30 s`,
    );
    console.log(
      `evaluation against the truth: ${evaluation.passed ? "passed" : "FAILED"}, ${result.violations} must-not violations`,
    );
    for (const d of result.detectors)
      console.log(
        `  ${d.detector.padEnd(20)} truth ${String(d.expected).padStart(5)}  found ${String(d.found).padStart(5)}  precision ${d.precision?.toFixed(3) ?? "-"}  recall ${d.recall?.toFixed(3) ?? "-"}`,
      );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
