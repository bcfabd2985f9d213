/**
 * Benchmark: generate 5,000 resources x 120 days (target: under 60 s on 2 cores).
 * Prints wall time, peak RSS and sizes; --json for a machine-readable line.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createProgress } from "../core/log.ts";
import { generateEstate } from "../orchestrator/estate-generator/generate.ts";

const json = process.argv.includes("--json");
const resources = Number(process.env.BENCH_RESOURCES ?? 5000);
const days = Number(process.env.BENCH_DAYS ?? 120);
const out = mkdtempSync(path.join(os.tmpdir(), "cco-bench-"));
const t0 = performance.now();
const result = await generateEstate(
  { seed: 42, resources, days, endDate: "2026-10-31" },
  out,
  createProgress({ quiet: json }),
);
const seconds = (performance.now() - t0) / 1000;
const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
rmSync(out, { recursive: true, force: true });
const report = {
  bench: "generate",
  resources,
  days,
  seconds: Number(seconds.toFixed(1)),
  target_seconds: 60,
  peak_rss_mib: peakRssMiB,
  line_items: result.lineItems,
  metric_rows: result.metricRows,
};
console.log(
  json
    ? JSON.stringify(report)
    : `generate ${resources} x ${days}: ${report.seconds} s (target < 60 s), peak RSS ${peakRssMiB} MiB, ${result.lineItems} line items, ${result.metricRows} metric rows`,
);
process.exitCode = seconds < 60 ? 0 : 1;
