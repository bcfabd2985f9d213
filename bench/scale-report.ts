/**
 * bench/scale.ts's results: what was measured per size, the issue's targets judged on them, and
 * the two texts written from them (bench/RESULTS.md and the README's table).
 */

export interface Measure {
  /** Median wall seconds of the runs (whole process). */
  seconds: number;
  /** Every run's seconds, in the order run. */
  runs: number[];
  /** User + system CPU seconds of the median run: beside wall time, how busy the machine was. */
  cpu_seconds: number;
  /** Largest peak RSS of the runs (the process and anything it started), MiB. */
  peak_rss_mib: number;
}

export interface StageResult extends Measure {
  stage: StageId;
  /** DuckDB's own floor for the same work, in the same run. */
  floor?: Measure;
  /** Models builds: the slowest nodes of the median run. */
  slowest?: string[];
  /** Set when the stage failed: its exit status and last lines. */
  error?: string;
}

export type StageId =
  | "ingest"
  | "models_full"
  | "ingest_day"
  | "models_incremental"
  | "ml"
  | "recommend"
  | "report";

export const STAGES: Record<StageId, string> = {
  ingest: "ingest (3 billing periods, every export)",
  models_full: "models: full build + tests",
  ingest_day: "ingest of the next day",
  models_incremental: "models: incremental build + tests (next day)",
  ml: "ml (forecast, anomalies, utilization)",
  recommend: "recommend",
  report: "report build",
};

export interface SizeResult {
  lineItems: number;
  dayLineItems: number;
  /** Line items per export. */
  byExport: Record<string, number>;
  billingFiles: number;
  billingMiB: number;
  generateSeconds: number;
  generateCached: boolean;
  /** Rows the marts hold after the run (not timed). */
  counts?: { focus_costs: number; resources: number; cost_daily: number };
  stages: StageResult[];
}

export interface Verdict {
  target: string;
  result: string;
  /** null: not measured in this run (a size not run, a stage that failed before it). */
  pass: boolean | null;
}

const GIB = 1024;
/** Run-to-run noise on this VM is about ±15%: growth within it of linear counts as linear. */
const NOISE = 1.15;

export function ratio(m: StageResult | undefined): number | undefined {
  return m?.floor && !m.error ? m.seconds / m.floor.seconds : undefined;
}

const stage = (size: SizeResult, id: StageId) => size.stages.find((s) => s.stage === id);
const ok = (s: StageResult | undefined): s is StageResult => s !== undefined && !s.error;

/** "1M" → 1,000,000; "250k" → 250,000; plain numbers as they are. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text} (expected e.g. 1M, 10M, 250k or 1000000)`);
  const n = Number(m[1]) * ({ k: 1e3, m: 1e6 }[m[2]!.toLowerCase()] ?? 1);
  if (!Number.isInteger(n) || n < 1000) throw new Error(`size ${text}: at least 1000 whole line items`);
  return n;
}

export function sizeLabel(n: number): string {
  if (n % 1e6 === 0) return `${n / 1e6}M`;
  if (n % 1e3 === 0) return `${n / 1e3}k`;
  return n.toLocaleString("en-US");
}

/** The issue's targets, judged on this run's sizes. */
export function verdicts(sizes: SizeResult[]): Verdict[] {
  const out: Verdict[] = [];
  const big = sizes.find((s) => s.lineItems >= 100_000_000);
  if (!big) {
    out.push({
      target: "100M line items ingested and built in < 15 min",
      result: "100M not run",
      pass: null,
    });
    out.push({ target: "100M: peak RSS < 8 GiB", result: "100M not run", pass: null });
  } else {
    const [ingest, build] = [stage(big, "ingest"), stage(big, "models_full")];
    const both = ok(ingest) && ok(build);
    const seconds = both ? ingest.seconds + build.seconds : undefined;
    out.push({
      target: `${sizeLabel(big.lineItems)} line items ingested and built in < 15 min`,
      result: seconds === undefined ? "a stage failed" : `${minutes(seconds)}`,
      pass: seconds === undefined ? false : seconds < 15 * 60,
    });
    const peak = Math.max(...big.stages.map((s) => s.peak_rss_mib));
    out.push({
      target: `${sizeLabel(big.lineItems)}: peak RSS < 8 GiB`,
      result: `${mib(peak)} (${STAGES[big.stages.reduce((a, b) => (b.peak_rss_mib > a.peak_rss_mib ? b : a)).stage]})`,
      pass: peak < 8 * GIB,
    });
  }
  const failed = sizes.flatMap((s) =>
    s.stages.filter((x) => x.error).map((x) => `${sizeLabel(s.lineItems)} ${x.stage}`),
  );
  out.push({
    target: "no stage fails (no out-of-memory failure)",
    result: failed.length ? `failed: ${failed.join(", ")}` : "none failed",
    pass: failed.length === 0,
  });
  for (const size of sizes) {
    const r = ratio(stage(size, "ingest"));
    out.push({
      target: `${sizeLabel(size.lineItems)}: ingest ≤ 1.2× DuckDB's COPY floor`,
      result: r === undefined ? "not measured" : `${r.toFixed(2)}×`,
      pass: r === undefined ? null : r <= 1.2,
    });
  }
  for (const size of sizes) {
    const [full, day] = [stage(size, "models_full"), stage(size, "models_incremental")];
    const share = ok(full) && ok(day) ? (100 * day.seconds) / full.seconds : undefined;
    out.push({
      target: `${sizeLabel(size.lineItems)}: incremental day < 5% of the full build`,
      result: share === undefined ? "not measured" : `${share.toFixed(1)}%`,
      pass: share === undefined ? null : share < 5,
    });
  }
  for (const [id, worst] of Object.entries(growthWorst(sizes))) {
    out.push({
      target: `${STAGES[id as StageId]}: linear or better in time and memory`,
      result: worst.result,
      pass: worst.pass,
    });
  }
  return out;
}

/** Growth of each later stage's time and peak RSS between consecutive sizes, against the bill's growth. */
export function growth(
  sizes: SizeResult[],
): { stage: StageId; from: number; to: number; bill: number; time?: number; rss?: number }[] {
  const sorted = [...sizes].sort((a, b) => a.lineItems - b.lineItems);
  const rows = [];
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1]!, sorted[i]!];
    for (const id of ["ml", "recommend", "report"] as const) {
      const [x, y] = [stage(a, id), stage(b, id)];
      rows.push({
        stage: id,
        from: a.lineItems,
        to: b.lineItems,
        bill: b.lineItems / a.lineItems,
        ...(ok(x) && ok(y) ? { time: y.seconds / x.seconds, rss: y.peak_rss_mib / x.peak_rss_mib } : {}),
      });
    }
  }
  return rows;
}

function growthWorst(sizes: SizeResult[]): Record<string, { result: string; pass: boolean | null }> {
  const out: Record<string, { result: string; pass: boolean | null }> = {};
  for (const g of growth(sizes)) {
    const step = `${sizeLabel(g.from)}→${sizeLabel(g.to)}`;
    const seen = out[g.stage];
    if (g.time === undefined || g.rss === undefined) {
      out[g.stage] = { result: `${step}: not measured`, pass: seen?.pass === false ? false : null };
      continue;
    }
    const pass = g.time <= g.bill * NOISE && g.rss <= g.bill * NOISE;
    const result = `${step}: bill ×${fmt(g.bill)}, time ×${fmt(g.time)}, RSS ×${fmt(g.rss)}`;
    out[g.stage] = seen
      ? { result: `${seen.result}; ${result}`, pass: seen.pass === false ? false : pass }
      : { result, pass };
  }
  return out;
}

const fmt = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));
export const mib = (n: number) => (n >= GIB ? `${(n / GIB).toFixed(1)} GiB` : `${Math.round(n)} MiB`);
export const secs = (n: number) => (n >= 100 ? `${n.toFixed(0)} s` : `${n.toFixed(1)} s`);
const minutes = (n: number) => `${Math.floor(n / 60)} min ${Math.round(n % 60)} s`;
const mark = (pass: boolean | null) => (pass === null ? "not run" : pass ? "pass" : "**FAIL**");

export interface RunInfo {
  date: string;
  command: string;
  machine: string;
  memoryLimit: string;
  threads: number;
  /** Runs per stage at sizes up to 1M (medians reported); larger sizes run once. */
  runs: number;
}

/** bench/RESULTS.md. */
export function resultsMarkdown(info: RunInfo, sizes: SizeResult[]): string {
  const lines = [
    "# Scale benchmark results",
    "",
    `Written by \`${info.command}\` on ${info.date}: ${info.machine}; DuckDB memory_limit ${info.memoryLimit}, ${info.threads} threads, spilling to a temp_directory (both from the config file the benchmark writes). Do not edit: run the command again.`,
    "",
    `Every stage is a whole \`cco\` process (\`node bin/cco.js\`), timed from outside, with its peak RSS (the largest of the process and what it started, from \`/usr/bin/time\`). Sizes up to 1M: the median of ${info.runs} runs, each stage interleaved with its floor; larger sizes: one run each (noise on this VM is about ±15%). Input generation is cached and not counted.`,
    "",
    "## Targets",
    "",
    "| target | result | |",
    "|---|---|---|",
    ...verdicts(sizes).map((v) => `| ${v.target} | ${v.result} | ${mark(v.pass)} |`),
  ];
  for (const size of sizes) {
    const mix = Object.entries(size.byExport)
      .map(([id, n]) => `${id} ${((100 * n) / size.lineItems).toFixed(1)}%`)
      .join(", ");
    lines.push(
      "",
      `## ${size.lineItems.toLocaleString("en-US")} line items`,
      "",
      `Three billing periods (August to October 2026), ${size.billingFiles} files, ${mib(size.billingMiB)}: ${mix}. The next day: ${size.dayLineItems.toLocaleString("en-US")} line items. Input built in ${secs(size.generateSeconds)}${size.generateCached ? " (cached from an earlier run)" : ""}.${size.counts ? ` After the run: ${size.counts.focus_costs.toLocaleString("en-US")} focus_costs rows, ${size.counts.cost_daily.toLocaleString("en-US")} cost_daily rows, ${size.counts.resources.toLocaleString("en-US")} resources.` : ""}`,
      "",
      "| stage | wall | CPU | runs (wall s) | peak RSS | floor wall | floor CPU | floor peak RSS | wall ÷ floor |",
      "|---|---|---|---|---|---|---|---|---|",
      ...size.stages.map((s) => {
        if (s.error)
          return `| ${STAGES[s.stage]} | **failed** | | | ${mib(s.peak_rss_mib)} | | | | ${s.error.replaceAll("|", "\\|").replaceAll("\n", " ")} |`;
        const r = ratio(s);
        const f = s.floor;
        return `| ${STAGES[s.stage]} | ${secs(s.seconds)} | ${secs(s.cpu_seconds)} | ${s.runs.map((x) => x.toFixed(1)).join(", ")} | ${mib(s.peak_rss_mib)} | ${f ? secs(f.seconds) : ""} | ${f ? secs(f.cpu_seconds) : ""} | ${f ? mib(f.peak_rss_mib) : ""} | ${r === undefined ? "" : `${r.toFixed(2)}×`} |`;
      }),
      ...size.stages
        .filter((s) => s.slowest?.length)
        .flatMap((s) => ["", `Slowest nodes, ${STAGES[s.stage]}: ${s.slowest!.join("; ")}.`]),
    );
  }
  const rows = growth(sizes);
  if (rows.length) {
    lines.push(
      "",
      "## Growth between sizes",
      "",
      "| stage | sizes | bill | time | peak RSS |",
      "|---|---|---|---|---|",
      ...rows.map(
        (g) =>
          `| ${STAGES[g.stage]} | ${sizeLabel(g.from)} → ${sizeLabel(g.to)} | ×${fmt(g.bill)} | ${g.time === undefined ? "" : `×${fmt(g.time)}`} | ${g.rss === undefined ? "" : `×${fmt(g.rss)}`} |`,
      ),
    );
  }
  lines.push(
    "",
    "## Floors",
    "",
    "- Ingest: DuckDB's own `COPY (SELECT * FROM read_parquet|read_csv|read_json(<file>)) TO … (FORMAT parquet, COMPRESSION zstd)` of each billing file, one process, the same memory settings. Ingest does that and more: detection, validation, the lake's columns, reconciliation to the cent, the ledger.",
    "- Models: one hand-written `CREATE TABLE … AS SELECT` mapping every raw billing table to 17 core FOCUS columns (bench/scale-floor-sql.ts). The build does that and more: every model, the marts' Parquet snapshots and every test.",
    "",
  );
  return lines.join("\n");
}

/** The README's table: one row per size. */
export function readmeSnippet(sizes: SizeResult[]): string {
  const cell = (s: StageResult | undefined, withRatio = false) => {
    if (!s) return "";
    if (s.error) return "failed";
    const r = ratio(s);
    return `${secs(s.seconds)}${withRatio && r !== undefined ? ` (${r.toFixed(2)}× COPY)` : ""}`;
  };
  return [
    "| line items (3 months, every provider) | ingest | models build + tests | next day, incremental | ml | recommend | report | peak RSS |",
    "|---|---|---|---|---|---|---|---|",
    ...sizes.map((size) => {
      const peak = Math.max(...size.stages.map((s) => s.peak_rss_mib));
      return `| ${size.lineItems.toLocaleString("en-US")} | ${cell(stage(size, "ingest"), true)} | ${cell(stage(size, "models_full"))} | ${cell(stage(size, "models_incremental"))} | ${cell(stage(size, "ml"))} | ${cell(stage(size, "recommend"))} | ${cell(stage(size, "report"))} | ${mib(peak)} |`;
    }),
  ].join("\n");
}
