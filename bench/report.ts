/**
 * Benchmark: the report site's budgets. On the demo estate (300 resources × 120 days): `cco
 * report build` time (target < 60 s), the whole site's size without DuckDB-wasm (< 10 MB), and
 * the executive page in Chromium: bytes transferred (< 1 MB) and time until its figures are
 * rendered (< 1 s, served locally). Then `cco report build` over a 10,000,000-line-item CUR 2.0
 * month (target < 3 min). Builds run BENCH_RUNS times (default 3), medians reported.
 *
 *   npx tsx bench/report.ts [--json]   (BENCH_ROWS=10000000, BENCH_RUNS=3, CHROMIUM_PATH)
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { createProgress } from "../core/log.ts";
import { serveSite } from "../reports/serve.ts";
import { buildBigCur2Month } from "./big-month.ts";

if (process.argv.includes("--help")) {
  console.log(
    "usage: npx tsx bench/report.ts [--json]   (BENCH_ROWS=10000000, BENCH_RUNS=3, CHROMIUM_PATH=/usr/bin/chromium)",
  );
  process.exit(0);
}
const json = process.argv.includes("--json");
const rows = Number(process.env.BENCH_ROWS ?? 10_000_000);
const runs = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const progress = createProgress({ quiet: json });
const ROOT = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(os.tmpdir(), "cco-bench-report-"));

function cco(dataDir: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, "bin/cco.js"), "--data-dir", dataDir, "--quiet", ...args],
    {
      encoding: "utf8",
      maxBuffer: 1 << 26,
    },
  );
  if (r.status !== 0) throw new Error(`cco ${args.join(" ")} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return (performance.now() - t0) / 1000;
}

async function medianBuild(dataDir: string, label: string): Promise<{ seconds: number; runs: number[] }> {
  const times: number[] = [];
  for (let i = 1; i <= runs; i++)
    times.push(
      await progress.step(`${label} (run ${i} of ${runs})`, async () => cco(dataDir, ["report", "build"])),
    );
  const sorted = [...times].sort((a, b) => a - b);
  return {
    seconds: +sorted[Math.floor((sorted.length - 1) / 2)]!.toFixed(1),
    runs: times.map((t) => +t.toFixed(1)),
  };
}

function folderBytes(root: string, skip: RegExp): number {
  let total = 0;
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !skip.test(full)) total += statSync(full).size;
  }
  return total;
}

/** The executive page: bytes over the wire and ms until its first figure is on screen (median of 5). */
async function executivePage(siteDir: string): Promise<{ bytes: number; render_ms: number }> {
  const site = await serveSite(siteDir);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu"],
  });
  try {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send("Network.enable");
      let transferred = 0;
      cdp.on("Network.loadingFinished", (e) => (transferred += e.encodedDataLength));
      const t0 = Date.now();
      await page.goto(`${site.url}/`);
      await page.waitForSelector(".cco-figure .big");
      times.push(Date.now() - t0);
      await page.waitForLoadState("networkidle");
      bytes = transferred;
      await context.close();
    }
    return { bytes, render_ms: times.sort((a, b) => a - b)[2]! };
  } finally {
    await browser.close();
    await site.close();
  }
}

try {
  const demo = path.join(dir, "demo");
  await progress.step("The demo pipeline (cco run --demo, not timed)", async () =>
    cco(demo, ["run", "--demo"]),
  );
  const demoBuild = await medianBuild(demo, "cco report build, demo estate");
  const site = path.join(demo, "site");
  const siteBytes = folderBytes(site, /duckdb/);
  const executive = await progress.step("The executive page in Chromium", () => executivePage(site));

  const big = path.join(dir, "big");
  const { cur2 } = await buildBigCur2Month(path.join(dir, "month"), rows, progress);
  await progress.step(
    `cco ingest + models build + recommend, ${rows.toLocaleString()} line items (not timed)`,
    async () => {
      cco(big, ["ingest", path.dirname(cur2)]);
      cco(big, ["models", "build"]);
      return cco(big, ["recommend"]);
    },
  );
  const bigBuild = await medianBuild(big, `cco report build, ${rows.toLocaleString()} line items`);

  const result = {
    bench: "report",
    demo_build: demoBuild,
    site_bytes_without_duckdb: siteBytes,
    executive_page: executive,
    big_rows: rows,
    big_build: bigBuild,
    targets: "demo build < 60 s; site < 10 MB; executive page < 1 MB and < 1,000 ms; 10M-line build < 180 s",
  };
  if (json) console.log(JSON.stringify(result));
  else {
    console.log(
      `cco report build, demo estate: median ${demoBuild.seconds} s (runs ${demoBuild.runs.join(", ")}); target < 60 s`,
    );
    console.log(`site without DuckDB-wasm: ${(siteBytes / 1048576).toFixed(2)} MiB; target < 10 MB`);
    console.log(
      `executive page: ${(executive.bytes / 1024).toFixed(0)} KiB transferred, figures on screen in ${executive.render_ms} ms (median of 5); targets < 1 MB, < 1,000 ms`,
    );
    console.log(
      `cco report build, ${rows.toLocaleString()} line items: median ${bigBuild.seconds} s (runs ${bigBuild.runs.join(", ")}); target < 180 s`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
