import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { type BigEstate, buildBigEstate } from "../../bench/big-month.ts";
import {
  growth,
  parseSize,
  readmeSnippet,
  resultsMarkdown,
  type SizeResult,
  type StageId,
  type StageResult,
  sizeLabel,
  verdicts,
} from "../../bench/scale-report.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const stage = (id: StageId, seconds: number, extra: Partial<StageResult> = {}): StageResult => ({
  stage: id,
  seconds,
  cpu_seconds: seconds,
  runs: [seconds],
  peak_rss_mib: 500,
  ...extra,
});
const floorOf = (seconds: number) => ({ seconds, cpu_seconds: seconds, runs: [seconds], peak_rss_mib: 400 });

function size(
  lineItems: number,
  scale: number,
  overrides: Partial<Record<StageId, Partial<StageResult>>> = {},
) {
  const stages = (
    [
      ["ingest", 10, { floor: floorOf(9) }],
      ["models_full", 30, { floor: floorOf(10) }],
      ["ingest_day", 1, {}],
      ["models_incremental", 1, {}],
      ["ml", 5, {}],
      ["recommend", 4, {}],
      ["report", 3, {}],
    ] as const
  ).map(([id, s, extra]) => stage(id, s * scale, { ...extra, ...overrides[id] }));
  return {
    lineItems,
    dayLineItems: lineItems / 100,
    byExport: { aws_cur2: lineItems / 2, azure: lineItems / 2 },
    billingFiles: 10,
    billingMiB: 20,
    generateSeconds: 30,
    generateCached: true,
    stages,
  } satisfies SizeResult;
}

describe("scale benchmark: sizes, targets and results", () => {
  it("reads sizes as people write them and refuses what is not one", () => {
    expect(parseSize("1M")).toBe(1_000_000);
    expect(parseSize("250k")).toBe(250_000);
    expect(parseSize("1.5M")).toBe(1_500_000);
    expect(parseSize("20000")).toBe(20_000);
    expect(() => parseSize("ten")).toThrow(/not a size/);
    expect(() => parseSize("10")).toThrow(/at least 1000/);
    expect(sizeLabel(100_000_000)).toBe("100M");
    expect(sizeLabel(250_000)).toBe("250k");
  });

  it("judges ingest against 1.2x its floor and the incremental day against 5% of the full build", () => {
    const good = verdicts([size(1_000_000, 1)]);
    expect(good.find((v) => v.target.includes("COPY floor"))).toMatchObject({ result: "1.11×", pass: true });
    expect(good.find((v) => v.target.includes("incremental day"))).toMatchObject({
      result: "3.3%",
      pass: true,
    });
    const bad = verdicts([
      size(1_000_000, 1, { ingest: { floor: floorOf(8) }, models_incremental: { seconds: 2 } }),
    ]);
    expect(bad.find((v) => v.target.includes("COPY floor"))).toMatchObject({ result: "1.25×", pass: false });
    expect(bad.find((v) => v.target.includes("incremental day"))).toMatchObject({ pass: false });
  });

  it("judges 100M on 15 minutes and 8 GiB, and says so when 100M was not run", () => {
    expect(
      verdicts([size(1_000_000, 1)])
        .filter((v) => v.pass === null)
        .map((v) => v.result),
    ).toEqual(["100M not run", "100M not run"]);
    const fast = verdicts([size(100_000_000, 10)]);
    expect(fast.find((v) => v.target.includes("15 min"))).toMatchObject({ result: "6 min 40 s", pass: true });
    const slow = verdicts([size(100_000_000, 25, { models_full: { peak_rss_mib: 9000 } })]);
    expect(slow.find((v) => v.target.includes("15 min"))).toMatchObject({ pass: false });
    expect(slow.find((v) => v.target.includes("8 GiB"))).toMatchObject({
      result: "8.8 GiB (models: full build + tests)",
      pass: false,
    });
  });

  it("calls a failed stage a failure, never a pass", () => {
    const failed = size(100_000_000, 1, { models_full: { error: "exit 137: Killed" } });
    const judged = verdicts([failed]);
    expect(judged.find((v) => v.target.includes("15 min"))).toMatchObject({ pass: false });
    expect(judged.find((v) => v.target.includes("no stage fails"))).toMatchObject({
      result: "failed: 100M models_full",
      pass: false,
    });
    expect(judged.find((v) => v.target.includes("incremental"))?.pass).toBeNull();
  });

  it("judges the later stages' growth against the bill's, within the VM's noise", () => {
    const linear = [size(1_000_000, 1), size(10_000_000, 10)];
    expect(growth(linear).every((g) => g.time === 10 && g.bill === 10)).toBe(true);
    expect(
      verdicts(linear)
        .filter((v) => v.target.includes("linear"))
        .every((v) => v.pass),
    ).toBe(true);
    const worse = [size(1_000_000, 1), size(10_000_000, 10, { ml: { seconds: 5 * 12 } })];
    const ml = verdicts(worse).find((v) => v.target.startsWith("ml"));
    expect(ml).toMatchObject({ pass: false });
    expect(ml?.result).toContain("time ×12");
  });

  it("writes RESULTS.md with a table per size and the README's table with a row per size", () => {
    const sizes = [
      size(1_000_000, 1, { models_full: { slowest: ["model focus_costs 20.0 s"] } }),
      size(10_000_000, 10, { ingest: { floor: floorOf(70) } }),
    ];
    const md = resultsMarkdown(
      {
        date: "2026-11-30",
        command: "npx tsx bench/scale.ts",
        machine: "2 cores",
        memoryLimit: "4GB",
        threads: 2,
        runs: 3,
      },
      sizes,
    );
    expect(md).toContain("## 1,000,000 line items");
    expect(md).toContain("## 10,000,000 line items");
    expect(md).toMatch(/\| ingest \(3 billing periods, every export\) \| 100 s \|.*\| 1\.43× \|/);
    expect(md).toContain("| 10M: ingest ≤ 1.2× DuckDB's COPY floor | 1.43× | **FAIL** |");
    expect(md).toContain("Slowest nodes, models: full build + tests: model focus_costs 20.0 s.");
    const readme = readmeSnippet(sizes).split("\n");
    expect(readme).toHaveLength(4);
    expect(readme[2]).toMatch(/^\| 1,000,000 \| 10\.0 s \(1\.11× COPY\) \| 30\.0 s \|/);
  });
});

describe("scale benchmark: the big estate", () => {
  const dir = tempDir("cco-bench-scale-");
  const seedDir = path.join(dir, "seed");
  let estate: BigEstate;
  let seedMonths: number;

  beforeAll(async () => {
    estate = await buildBigEstate(path.join(dir, "big"), seedDir, 50_000, quiet, 40);
    const marker = JSON.parse(readFileSync(path.join(seedDir, "seed.json"), "utf8")) as {
      rows: Record<string, number>;
    };
    seedMonths = Object.entries(marker.rows)
      .filter(([f]) => !/2026-11|202611|2026\/11\/|20261101-/.test(f))
      .reduce((s, [, n]) => s + n, 0);
  });

  async function query<T>(sql: string): Promise<T[]> {
    const instance = await DuckDBInstance.create(":memory:");
    const con = await instance.connect();
    try {
      return (await con.runAndReadAll(sql)).getRowObjectsJson() as T[];
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  }

  it("holds exactly the line items asked for, in the generator's mix, with the next day apart", async () => {
    expect(seedMonths).toBeLessThan(50_000);
    expect(Object.values(estate.byExport).reduce((a, b) => a + b, 0)).toBe(50_000);
    expect(Object.keys(estate.byExport).sort()).toEqual([
      "aws_cur2",
      "aws_cur_legacy",
      "azure",
      "focus",
      "gcp",
    ]);
    const day = readdirSync(estate.day, { recursive: true }) as string[];
    expect(day.filter((f) => /\.(parquet|csv\.gz)$/.test(f)).length).toBe(6);
    expect(estate.dayLineItems).toBeGreaterThan(0);
    const billing = readdirSync(estate.billing, { recursive: true }) as string[];
    expect(billing.some((f) => /2026-11|invoice_month=202611|2026\/11\//.test(f))).toBe(false);
    expect(billing.filter((f) => f.endsWith(".csv") || (f.endsWith(".json") && !/anifest/.test(f)))).toEqual(
      [],
    );
  });

  it("makes each copy its own resources with its own line item ids, and adds no column", async () => {
    const cur2 = `read_parquet('${estate.billing}/aws/cur2/**/*.parquet')`;
    const [ids] = await query<{ n: string; lines: string; resources: string; seed_resources: string }>(
      `SELECT count(*) AS n, count(DISTINCT identity_line_item_id) AS lines,
         count(DISTINCT line_item_resource_id) AS resources,
         count(DISTINCT line_item_resource_id) FILTER (WHERE NOT regexp_matches(line_item_resource_id, '-\\d+$')) AS seed_resources
       FROM ${cur2}`,
    );
    expect(ids!.lines).toBe(ids!.n);
    expect(Number(ids!.resources)).toBeGreaterThan(2 * Number(ids!.seed_resources));
    const columns = await query<{ column_name: string }>(
      `SELECT column_name FROM (DESCRIBE SELECT * FROM ${cur2})`,
    );
    expect(columns.map((c) => c.column_name)).not.toContain("i");
  });

  it("loads whole: every file detected and reconciled, the line items all landed", async () => {
    const warehouse = await Warehouse.open({ path: path.join(dir, "w.duckdb") });
    try {
      const results = await ingestPaths(
        warehouse,
        [estate.billing],
        { lakeDir: path.join(dir, "lake") },
        quiet,
      );
      expect(results.filter((r) => r.status !== "loaded")).toEqual([]);
      expect(new Set(results.map((r) => r.format))).toEqual(
        new Set(["aws_cur2", "aws_cur_legacy", "azure_actual", "azure_amortized", "gcp_bq_parquet", "focus"]),
      );
      expect(results.reduce((s, r) => s + r.rows, 0)).toBe(50_000);
      const day = await ingestPaths(warehouse, [estate.day], { lakeDir: path.join(dir, "lake") }, quiet);
      expect(day.every((r) => r.status === "loaded" && r.billingPeriods.join() === "2026-11")).toBe(true);
    } finally {
      await warehouse.close();
    }
  });

  it("is cached: the same size again is not built again", async () => {
    const again = await buildBigEstate(path.join(dir, "big"), seedDir, 50_000, quiet, 40);
    expect(again.cached).toBe(true);
    expect(again.byExport).toEqual(estate.byExport);
  });
});
