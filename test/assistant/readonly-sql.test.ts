/**
 * The assistant's SQL connection: queries over marts and ml run, with a row and a time limit;
 * writes, other schemas and file reads are refused, on the warehouse file opened read-only (the
 * CLI) and on the in-memory views over the snapshots (the service), and nothing changes on disk.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReadOnlySql } from "../../assistant/readonly-sql.ts";
import { FailedQuery, RefusedQuery } from "../../assistant/sql-guard.ts";
import { type Config, loadConfig } from "../../core/config.ts";
import { UsageError } from "../../core/errors.ts";
import { tempDir } from "../helpers/tmp.ts";
import { smallWarehouse, sqlText } from "./small-warehouse.ts";

let config: Config;
const limits = { maxRows: 5, timeoutMs: 10_000 };
const copyTarget = () => path.join(config.paths.marts, "stolen.csv");

beforeAll(async () => {
  config = await smallWarehouse();
});

const REFUSED = [
  "insert into marts.cost_daily values (date '2026-11-01', 'USD', 1)",
  "delete from marts.cost_daily",
  "create table marts.x as select 1",
  "drop table marts.cost_daily",
  "update marts.cost_daily set effective_cost = 0",
  () => `copy marts.cost_daily to ${sqlText(copyTarget())}`,
  () => `copy (select 1) to ${sqlText(copyTarget())}`,
  () => `export database ${sqlText(path.join(config.paths.marts, "export"))}`,
  "attach ':memory:' as other",
  "set enable_external_access = true",
  "pragma enable_checkpoint_on_shutdown",
  "install httpfs",
  "select * from read_csv('/etc/passwd')",
  "select * from read_text('/etc/hostname')",
  () => `select * from read_parquet(${sqlText(path.join(config.paths.marts, "cost_daily.parquet"))})`,
  "select * from glob('/etc/*')",
  "select * from query('select * from ops.secrets')",
  "select * from ops.secrets",
  "select (select max(secret) from ops.secrets) as s",
  "select * from main.ops.secrets",
  "select * from checkpoint()",
  "show tables",
  "select 1; select 2",
];

describe.each([
  ["the warehouse file, read-only (CLI)", () => ReadOnlySql.overWarehouseFile(config), "warehouse"],
  ["views over the snapshots (service)", () => ReadOnlySql.overSnapshots(config), "snapshots"],
] as const)("%s", (_name, open, kind) => {
  let db: ReadOnlySql;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(() => db.close());

  it("runs queries over marts and ml, unqualified names included, and limits the rows", async () => {
    expect(db.source.kind).toBe(kind);
    const all = await db.query(
      "select count(*) as n, sum(effective_cost) as total from marts.cost_daily",
      limits,
    );
    expect(all.rows).toEqual([["20", "285.00"]]);
    const some = await db.query("select charge_date from cost_daily order by 1", limits);
    expect(some.rows).toHaveLength(5);
    expect(some.truncated).toBe(true);
    const exact = await db.query("select * from ml.cost_forecasts", limits);
    expect(exact).toMatchObject({ rows: [["total", "10.00"]], truncated: false });
    expect((await db.query("select provider, cost from marts.focus_costs", limits)).rows).toEqual([
      ["aws", "1.0"],
    ]);
    const described = await db.query("describe marts.cost_daily", limits);
    expect(described.rows.map((r) => r[0])).toEqual(["charge_date", "currency", "effective_cost"]);
  });

  it.each(REFUSED.map((q) => [typeof q === "string" ? q : q.toString().replace(/^\(\) => /, ""), q]))(
    "refuses %s",
    async (_label, q) => {
      const sql = typeof q === "string" ? q : q();
      await expect(db.query(sql, limits)).rejects.toBeInstanceOf(RefusedQuery);
    },
  );

  it("changed nothing: no file written, every row as it was, and the connection locked down under the guard", async () => {
    expect(existsSync(copyTarget())).toBe(false);
    expect(existsSync(path.join(config.paths.marts, "export"))).toBe(false);
    expect((await db.query("select count(*) from marts.cost_daily", limits)).rows).toEqual([["20"]]);
    const settings = await db.query(
      "select current_setting('enable_external_access'), current_setting('lock_configuration'), current_setting('search_path')",
      limits,
    );
    expect(settings.rows).toEqual([[false, true, "marts,ml"]]);
  });

  it("stops a query at the time limit, and a wrong query is an error, not a refusal", async () => {
    const slow = db.query("select sum(a.range * b.range) from range(200000) a, range(200000) b", {
      maxRows: 5,
      timeoutMs: 200,
    });
    await expect(slow).rejects.toThrow(/stopped after 200 ms \(assistant.statement_timeout_ms\)/);
    await expect(slow).rejects.toBeInstanceOf(FailedQuery);
    await expect(db.query("select no_such_column from marts.cost_daily", limits)).rejects.toBeInstanceOf(
      FailedQuery,
    );
    // The connection still answers after the interrupt.
    expect((await db.query("select 42", limits)).rows).toEqual([[42]]);
  });
});

describe("choosing the source", () => {
  it("reads the file when free, the snapshots when the caller holds the warehouse (busy)", async () => {
    const free = await ReadOnlySql.open(config);
    expect(free.source.kind).toBe("warehouse");
    free.close();
    const busy = await ReadOnlySql.open(config, { busy: true });
    expect(busy.source.kind).toBe("snapshots");
    busy.close();
  });

  it("falls back to the snapshots while another process writes the warehouse", async () => {
    const before = statSync(config.warehouse.path).mtimeMs;
    const holder = await holdWarehouse(config.warehouse.path);
    try {
      const db = await ReadOnlySql.open(config);
      expect(db.source.kind).toBe("snapshots");
      expect((await db.query("select count(*) from marts.cost_daily", limits)).rows).toEqual([["20"]]);
      db.close();
    } finally {
      holder.kill();
    }
    expect(statSync(config.warehouse.path).mtimeMs).toBe(before);
  });

  it("says to run the pipeline when there is neither a warehouse nor snapshots", async () => {
    const empty = loadConfig({ dataDir: tempDir(), env: {} });
    await expect(ReadOnlySql.open(empty)).rejects.toBeInstanceOf(UsageError);
    await expect(ReadOnlySql.open(empty)).rejects.toThrow(/run the pipeline first/);
  });
});

/** A child process holding the warehouse open for writing (as cco serve would), until killed. */
async function holdWarehouse(file: string): Promise<ChildProcess> {
  const script = `const { DuckDBInstance } = await import("@duckdb/node-api");
    const i = await DuckDBInstance.create(${JSON.stringify(file)});
    await i.connect();
    process.stdout.write("ready\\n");
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      if (d.toString().includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the holder exited (${code})`)));
  });
  return child;
}
