/**
 * Two cco writers on one warehouse: DuckDB lets one process open the file, so the other fails at
 * once and clearly (exit 1, naming the process that holds it) or runs after it; never a corrupt
 * warehouse. After the race (and a retry of whoever lost), the ledger is consistent (each
 * current part's lake file exists, nothing else is in the lake, nothing is left in scratch) and
 * every total reconciles with the same files loaded one after the other.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../core/paths.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { FIXTURES, quiet, tempDir } from "../../helpers/tmp.ts";

interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** The CLI, not blocking this process. */
function cco(args: string[], dataDir: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(PROJECT_ROOT, "bin/cco.js"), "--data-dir", dataDir, ...args],
      { env: { ...process.env, CCO_DEBUG: "" }, cwd: dataDir, timeout: 300_000, maxBuffer: 1 << 26 },
      (error, stdout, stderr) =>
        resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A run that lost the race: exit 1, one line, saying the warehouse is in use and by which process. */
const IN_USE = /^cco: .*warehouse\.duckdb: the warehouse is in use by another process \(PID \d+\)/;

function expectWonOrLostClearly(run: Run, what: string): void {
  if (run.status === 0) return;
  expect(run.status, `${what}: ${run.stderr}`).toBe(1);
  expect(run.stderr, what).toMatch(IN_USE);
  expect(run.stderr.trim().split("\n"), what).toHaveLength(1);
}

/** What the warehouse says was loaded, per raw table: rows and cost per currency of the current loads. */
async function ledger(warehousePath: string) {
  const w = await Warehouse.open({ path: warehousePath });
  try {
    const loads = await w.all<{ raw_table: string; file: string; rows: string; totals: string }>(
      `select raw_table, file_key as file, rows::varchar as rows, cost_totals::varchar as totals
       from ops.loads l where status <> 'failed'
         and exists (select 1 from ops.load_parts p where p.load_id = l.load_id and p.superseded_by is null)
       order by raw_table, file_key`,
    );
    const parts = await w.all<{ lake_file: string }>(
      "select lake_file from ops.load_parts where superseded_by is null",
    );
    const views: Record<string, string> = {};
    for (const { raw_table } of loads) {
      const [r] = await w.all<{ n: string }>(`select count(*)::varchar as n from ${raw_table}`);
      views[raw_table] = r!.n;
    }
    return { loads, lakeFiles: parts.map((p) => p.lake_file).sort(), views };
  } finally {
    await w.close();
  }
}

/** Every Parquet file in the lake (scratch excluded, which must be empty). */
function lakeParquet(lake: string): string[] {
  const staging = path.join(lake, ".staging");
  if (existsSync(staging)) expect(readdirSync(staging, { recursive: true }), "scratch left").toEqual([]);
  return (readdirSync(lake, { recursive: true }) as string[])
    .map((f) => path.join(lake, f))
    .filter((f) => f.endsWith(".parquet") && !f.startsWith(staging) && statSync(f).isFile())
    .sort();
}

const INPUTS = {
  focus: "focus/focus10_multicloud_sample_1000.csv",
  cur: "aws/cur_legacy_anon_focusconv.csv",
  azure: "azure/ea_amortizedcost_small_ftk.csv",
};

describe("two writers on one warehouse", () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    holder?.kill();
    holder = undefined;
  });

  it("a writer finding the warehouse held fails at once, naming the holder's PID (exit 1)", async () => {
    const dataDir = tempDir();
    const warehousePath = path.join(dataDir, "warehouse.duckdb");
    await (await Warehouse.open({ path: warehousePath })).close();
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { DuckDBInstance } from "@duckdb/node-api";
         await DuckDBInstance.create(${JSON.stringify(warehousePath)});
         console.log("held");
         setInterval(() => {}, 1000);`,
      ],
      { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "inherit"] },
    );
    holder = child;
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once("data", () => resolve());
      child.once("exit", (code) => reject(new Error(`the holder exited ${code}`)));
    });
    const started = Date.now();
    const run = await cco(["ingest", path.join(FIXTURES, INPUTS.focus)], dataDir);
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(IN_USE);
    expect(run.stderr).toContain(`(PID ${child.pid})`);
    // It did not wait for the holder: well under a minute (the CLI's start-up included).
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("two ingests started together: each runs or fails clearly, and the warehouse reconciles", async () => {
    const reference = tempDir();
    const refWarehouse = await Warehouse.open({ path: path.join(reference, "warehouse.duckdb") });
    for (const input of Object.values(INPUTS)) {
      await ingestPaths(
        refWarehouse,
        [path.join(FIXTURES, input)],
        { lakeDir: path.join(reference, "lake") },
        quiet,
      );
    }
    await refWarehouse.close();
    const expected = await ledger(path.join(reference, "warehouse.duckdb"));

    for (let round = 0; round < 2; round++) {
      const dataDir = tempDir();
      const inputs = Object.values(INPUTS).map((f) => path.join(FIXTURES, f));
      const runs = await Promise.all(inputs.map((input) => cco(["--json", "ingest", input], dataDir)));
      for (const [i, run] of runs.entries()) expectWonOrLostClearly(run, `round ${round}, ${inputs[i]}`);
      expect(runs.some((r) => r.status === 0)).toBe(true);
      // Whoever lost runs again, alone.
      for (const [i, run] of runs.entries()) {
        if (run.status !== 0) {
          const again = await cco(["--json", "ingest", inputs[i]!], dataDir);
          expect(again.status, again.stderr).toBe(0);
        }
      }
      const got = await ledger(path.join(dataDir, "warehouse.duckdb"));
      expect(got.loads.map(({ file, ...l }) => ({ ...l, file: path.basename(file) }))).toEqual(
        expected.loads.map(({ file, ...l }) => ({ ...l, file: path.basename(file) })),
      );
      expect(got.views).toEqual(expected.views);
      expect(got.lakeFiles).toEqual(lakeParquet(path.join(dataDir, "lake")));
      for (const file of got.lakeFiles) expect(existsSync(file), file).toBe(true);
    }
  });

  it("an ingest while cco models build runs: one waits or fails clearly, and both complete after", async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    const generated = await cco(["generate", "--resources", "20", "--days", "20"], dataDir);
    expect(generated.status, generated.stderr).toBe(0);
    const first = await cco(["ingest", path.join(dataDir, "estate")], dataDir);
    expect(first.status, first.stderr).toBe(0);
    const [build, ingest] = await Promise.all([
      cco(["models", "build"], dataDir),
      // Started a moment later, so that the build holds the warehouse.
      new Promise<Run>((resolve) =>
        setTimeout(() => resolve(cco(["ingest", path.join(FIXTURES, INPUTS.focus)], dataDir)), 300),
      ),
    ]);
    expectWonOrLostClearly(build, "models build");
    expectWonOrLostClearly(ingest, "ingest");
    for (const [args, run] of [
      [["ingest", path.join(FIXTURES, INPUTS.focus)], ingest],
      [["models", "build"], build],
    ] as const) {
      if (run.status !== 0) {
        const again = await cco([...args], dataDir);
        expect(again.status, again.stderr).toBe(0);
      }
    }
    // Built on everything landed: the models' tests pass on a final build.
    const final = await cco(["models", "build"], dataDir);
    expect(final.status, final.stderr).toBe(0);
    const got = await ledger(path.join(dataDir, "warehouse.duckdb"));
    expect(got.lakeFiles).toEqual(lakeParquet(path.join(dataDir, "lake")));
    expect(got.loads.some((l) => l.file.endsWith(path.basename(INPUTS.focus)))).toBe(true);
  });
});
