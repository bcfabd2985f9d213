/**
 * Benchmark: the pipeline at 1M, 10M and 100M line items on one machine (issue 18). Per size: three
 * billing periods of every export the generator writes, in its mix (bench/big-month.ts, cached);
 * then, each stage a whole `cco` process with its wall time and peak RSS: ingest, models full
 * build + tests, the next day (ingest, incremental build + tests), ml, recommend, report build; and
 * DuckDB's floors in the same run (bench/scale-floor.ts). DuckDB's memory_limit and temp_directory
 * come from the config file the benchmark writes, so large sizes spill instead of failing.
 * Writes bench/RESULTS.md; prints the README's table. Progress on stderr; --json: the result on stdout.
 *
 *   npx tsx bench/scale.ts [--sizes 1M,10M,100M] [--runs n] [--memory-limit 4GB] [--keep] [--json]
 *   CCO_BENCH_DIR: where inputs are cached and stages run (default .tmp/bench in the checkout)
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createProgress } from "../core/log.ts";
import { buildBigEstate } from "./big-month.ts";
import {
  type Measure,
  parseSize,
  type RunInfo,
  readmeSnippet,
  resultsMarkdown,
  type SizeResult,
  type StageId,
  type StageResult,
  sizeLabel,
  verdicts,
} from "./scale-report.ts";

const USAGE = `usage: npx tsx bench/scale.ts [--sizes 1M,10M,100M] [--runs n] [--memory-limit 4GB] [--keep] [--json]
  --sizes          line items over three billing periods (default 1M,10M,100M)
  --runs           runs per measured stage at sizes up to 1M, medians reported (default 3); larger sizes run once
  --memory-limit   DuckDB's memory_limit in the benchmark's config (default 4GB); it spills beyond it
  --keep           keep each size's warehouse, lake and marts (default: removed after the size)
  --json           the result as JSON on stdout (progress stays on stderr)
environment: CCO_BENCH_DIR (default .tmp/bench in the checkout): cached inputs and the runs' data`;

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      sizes: { type: "string", default: "1M,10M,100M" },
      runs: { type: "string", default: "3" },
      "memory-limit": { type: "string", default: "4GB" },
      keep: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  }).values;
}
try {
  args = parse();
  if (args.help) {
    console.log(USAGE);
    process.exit(0);
  }
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
let sizes: number[];
try {
  sizes = args.sizes.split(",").map(parseSize);
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const runs = Math.max(1, Number.parseInt(args.runs, 10) || 1);
const memoryLimit = args["memory-limit"];
const THREADS = 2;
const ROOT = path.resolve(import.meta.dirname, "..");
const BENCH = path.resolve(process.env.CCO_BENCH_DIR ?? path.join(ROOT, ".tmp", "bench"));
const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");
const progress = createProgress({ quiet: false });
// The children read only the config file the benchmark writes.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("CCO_")));

interface Run extends Measure {
  status: number | null;
  stdout: string;
  error?: string;
}

/** One whole process, timed from outside, with its peak RSS (it and its children, from wait4). */
function measure(argv: string[]): Run {
  const rssFile = path.join(BENCH, `rss-${process.pid}.txt`);
  const t0 = performance.now();
  const r = spawnSync("/usr/bin/time", ["-o", rssFile, "-f", "%M %U %S", ...argv], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env,
  });
  const seconds = (performance.now() - t0) / 1000;
  // The last line: a killed child's first line is "Command terminated by signal …".
  const [rss, user, sys] = existsSync(rssFile)
    ? readFileSync(rssFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number)
    : [0, 0, 0];
  rmSync(rssFile, { force: true });
  const failed = r.status !== 0;
  return {
    seconds,
    runs: [seconds],
    peak_rss_mib: Math.round(rss! / 1024),
    cpu_seconds: user! + sys!,
    status: r.status,
    stdout: r.stdout,
    ...(failed
      ? {
          error: `exit ${r.status ?? r.signal}: ${(r.stderr ?? "").trim().split("\n").slice(-3).join(" / ").slice(0, 400)}`,
        }
      : {}),
  };
}

const cco = (config: string, ...command: string[]) =>
  measure([process.execPath, path.join(ROOT, "bin", "cco.js"), "--config", config, "--quiet", ...command]);
const floor = (...command: string[]) =>
  measure([TSX, path.join(ROOT, "bench", "scale-floor.ts"), ...command]);

/** Median of runs (the middle one), every run's seconds, the largest peak RSS. */
function median(all: Run[]): Measure & { error?: string; middle: Run } {
  const failed = all.find((r) => r.error);
  const sorted = [...all].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return {
    middle,
    seconds: middle.seconds,
    cpu_seconds: middle.cpu_seconds,
    runs: all.map((r) => +r.seconds.toFixed(2)),
    peak_rss_mib: Math.max(...all.map((r) => r.peak_rss_mib)),
    ...(failed ? { error: failed.error } : {}),
  };
}

/** `n` runs of a stage, each followed by its floor (A B A B …: a drift of the machine hits both). */
async function interleaved(
  label: string,
  n: number,
  stage: (i: number) => Run,
  floorRun?: (i: number) => Run,
): Promise<{ stage: Run[]; floor: Run[] }> {
  const out: { stage: Run[]; floor: Run[] } = { stage: [], floor: [] };
  for (let i = 1; i <= n; i++) {
    const of = n > 1 ? ` (run ${i} of ${n})` : "";
    const run = await progress.step(`${label}${of}`, async () => stage(i));
    out.stage.push(run);
    if (run.error) break;
    if (floorRun) out.floor.push(await progress.step(`  its floor${of}`, async () => floorRun(i)));
  }
  return out;
}

function result(id: StageId, measured: { stage: Run[]; floor: Run[] }): StageResult {
  const { error, middle, ...m } = median(measured.stage);
  const floor = measured.floor.length ? median(measured.floor) : undefined;
  const slowest = id.startsWith("models") && !error ? slowestNodes(middle.stdout) : undefined;
  return {
    stage: id,
    ...m,
    ...(slowest ? { slowest } : {}),
    ...(floor && !floor.error
      ? {
          floor: {
            seconds: floor.seconds,
            cpu_seconds: floor.cpu_seconds,
            runs: floor.runs,
            peak_rss_mib: floor.peak_rss_mib,
          },
        }
      : {}),
    ...(error ? { error } : floor?.error ? { error: `floor: ${floor.error}` } : {}),
  };
}

/** A build's node count and total node time, then its five slowest nodes, from `cco --json models build`. */
function slowestNodes(stdout: string): string[] {
  const results = JSON.parse(stdout) as { unique_id: string; execution_time: number }[];
  const total = results.reduce((s, r) => s + r.execution_time, 0);
  return [
    `${results.length} nodes, ${total.toFixed(1)} s in all (2 threads)`,
    ...results
      .sort((a, b) => b.execution_time - a.execution_time)
      .slice(0, 5)
      .map((r) => `${r.unique_id.replace(/^(\w+)\.cco\./, "$1 ")} ${r.execution_time.toFixed(1)} s`),
  ];
}

/** The billing files ingest reads (its floor copies the same ones). */
function billingFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.(parquet|csv|csv\.gz|json)$/.test(f) && !/manifest\.json$/i.test(f))
    .map((f) => path.join(dir, f))
    .sort();
}

async function runSize(lineItems: number): Promise<SizeResult> {
  const label = sizeLabel(lineItems);
  const estate = await buildBigEstate(
    path.join(BENCH, "inputs", String(lineItems)),
    path.join(BENCH, "inputs", "seed"),
    lineItems,
    progress,
  );
  const sizeRuns = lineItems <= 1_000_000 ? runs : 1;
  const work = path.join(BENCH, "runs", String(lineItems));
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const config = path.join(work, "cco.config.yaml");
  writeFileSync(
    config,
    [
      "# Written by bench/scale.ts",
      "data_dir: data",
      "warehouse:",
      `  memory_limit: ${memoryLimit}`,
      `  threads: ${THREADS}`,
      "  temp_directory: spill",
      "",
    ].join("\n"),
  );
  const data = path.join(work, "data");
  const stages: StageResult[] = [];
  const size: SizeResult = {
    lineItems,
    dayLineItems: estate.dayLineItems,
    byExport: estate.byExport,
    billingFiles: estate.billingFiles,
    billingMiB: estate.billingBytes / 2 ** 20,
    generateSeconds: estate.buildSeconds,
    generateCached: estate.cached,
    stages,
  };
  const files = billingFiles(estate.billing);
  const floorOut = path.join(work, "floor");
  const add = (s: StageResult) => {
    stages.push(s);
    if (s.error) progress.warn(`${label} ${s.stage} failed: ${s.error}`);
    return !s.error;
  };

  // Ingest: a fresh warehouse and lake each run; the last run's stay for the stages after it.
  const ingest = await interleaved(
    `${label}: cco ingest, ${files.length} files`,
    sizeRuns,
    () => {
      rmSync(data, { recursive: true, force: true });
      return cco(config, "ingest", estate.billing);
    },
    () => {
      const run = floor("ingest", config, floorOut, ...files);
      rmSync(floorOut, { recursive: true, force: true });
      return run;
    },
  );
  if (!add(result("ingest", ingest))) return size;
  const support = await progress.step(`${label}: cco ingest of metrics and inventory (not timed)`, async () =>
    cco(config, "ingest", estate.support),
  );
  if (support.error) throw new Error(`metrics and inventory did not load: ${support.error}`);

  const full = await interleaved(
    `${label}: cco models build --full-refresh`,
    sizeRuns,
    () => cco(config, "--json", "models", "build", "--full-refresh"),
    () => {
      const run = floor("models", config);
      floor("unfloor", config);
      return run;
    },
  );
  if (!add(result("models_full", full))) return size;

  const day = await interleaved(`${label}: cco ingest of the next day`, 1, () =>
    cco(config, "ingest", estate.day),
  );
  if (!add(result("ingest_day", day))) return size;
  // Every incremental run starts from the state the day's load left.
  const saved = path.join(work, "saved");
  const keep = ["warehouse.duckdb", "warehouse.duckdb.wal", "marts"].filter((f) =>
    existsSync(path.join(data, f)),
  );
  if (sizeRuns > 1)
    for (const f of keep) cpSync(path.join(data, f), path.join(saved, f), { recursive: true });
  const incremental = await interleaved(`${label}: cco models build (incremental)`, sizeRuns, (i) => {
    if (i > 1)
      for (const f of keep) {
        rmSync(path.join(data, f), { recursive: true, force: true });
        cpSync(path.join(saved, f), path.join(data, f), { recursive: true });
      }
    return cco(config, "--json", "models", "build");
  });
  rmSync(saved, { recursive: true, force: true });
  if (!add(result("models_incremental", incremental))) return size;

  for (const [id, command] of [
    ["ml", ["ml"]],
    ["recommend", ["recommend"]],
    ["report", ["report", "build"]],
  ] as const) {
    const measured = await interleaved(`${label}: cco ${command.join(" ")}`, 1, () =>
      cco(config, ...command),
    );
    if (!add(result(id, measured))) return size;
  }
  const counts = cco(
    config,
    "--json",
    "sql",
    "SELECT (SELECT count(*) FROM marts.focus_costs)::BIGINT AS focus_costs, (SELECT count(*) FROM marts.resources)::BIGINT AS resources, (SELECT count(*) FROM marts.cost_daily)::BIGINT AS cost_daily",
  );
  if (!counts.error) {
    const row = JSON.parse(counts.stdout)[0] as Record<string, string | number>;
    size.counts = {
      focus_costs: Number(row.focus_costs),
      resources: Number(row.resources),
      cost_daily: Number(row.cost_daily),
    };
  }
  return size;
}

mkdirSync(BENCH, { recursive: true });
const results: SizeResult[] = [];
try {
  for (const n of sizes) {
    results.push(await runSize(n));
    if (!args.keep) rmSync(path.join(BENCH, "runs", String(n)), { recursive: true, force: true });
  }
} finally {
  if (results.length) {
    const info: RunInfo = {
      date: new Date().toISOString().slice(0, 10),
      command: `npx tsx bench/scale.ts --sizes ${sizes.map(sizeLabel).join(",")}`,
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`,
      memoryLimit,
      threads: THREADS,
      runs,
    };
    writeFileSync(path.join(ROOT, "bench", "RESULTS.md"), resultsMarkdown(info, results));
    progress.info(`Wrote bench/RESULTS.md`);
  }
}
const judged = verdicts(results);
const passed = judged.every((v) => v.pass !== false);
if (args.json) {
  console.log(
    JSON.stringify({
      bench: "scale",
      sizes: results,
      verdicts: judged,
      passed,
      readme: readmeSnippet(results),
    }),
  );
} else {
  for (const v of judged)
    console.log(`${v.pass === null ? "-   " : v.pass ? "ok  " : "FAIL"}  ${v.target}: ${v.result}`);
  console.log(`\nREADME table (bench/RESULTS.md has the rest):\n\n${readmeSnippet(results)}`);
}
process.exitCode = passed ? 0 : 1;
