/**
 * `cco sql` without --write cannot write, in any way, and reads only the warehouse and the files
 * its own views read (the lake and the marts): every statement kind that writes or changes the
 * session is refused before it runs, and file access outside those folders is refused by DuckDB
 * itself, with the configuration locked so no statement can lift it. The warehouse file's bytes
 * and a watched folder are unchanged afterwards. (Statement kinds are also covered, through the
 * CLI, by test/orchestrator/cli/commands/sql.test.ts.)
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../../core/config.ts";
import { UsageError } from "../../../core/errors.ts";
import { exportMarts } from "../../../core/warehouse/snapshots.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { runSql } from "../../../orchestrator/cli/sql-runner.ts";
import { FIXTURES, quiet, tempDir } from "../../helpers/tmp.ts";
import { cco } from "../../orchestrator/cli/run-cli.ts";

let config: Config;
/** A folder outside the data dir: nothing may appear in it, and its file may not be read. */
let outside: string;
const secretFile = () => path.join(outside, "secret.csv");

const digest = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
/** The results, and the refusal whether thrown (before anything ran) or returned (by a statement). */
const sql = (query: string) =>
  runSql(config, query, { write: false, note: () => undefined }).catch((error: unknown) => ({
    statements: 0,
    results: [],
    error: error as Error,
  }));

beforeAll(async () => {
  const dataDir = tempDir();
  outside = tempDir();
  writeFileSync(secretFile(), "secret\nhunter2\n");
  config = loadConfig({ cwd: dataDir, dataDir, env: {} });
  const warehouse = await Warehouse.open(config.warehouse);
  await ingestPaths(
    warehouse,
    [path.join(FIXTURES, "focus/focus13_multi_provider_fdt_consolidated.csv")],
    { lakeDir: config.paths.lake },
    quiet,
  );
  await warehouse.run("create table marts.cost_daily as select 1 as n, 'a' as label");
  await exportMarts(warehouse, config.paths.marts);
  await warehouse.close();
});

describe("cco sql without --write", () => {
  it("reads the warehouse, the raw views over the lake, and the marts' Parquet", async () => {
    const { results, error } = await sql(
      `select count(*) as n from raw.focus_cost_lines;
       select n from marts.cost_daily;
       select count(*) as n from read_parquet('${path.join(config.paths.marts, "cost_daily.parquet")}');
       select count(*) as n from ops.loads`,
    );
    expect(error).toBeUndefined();
    const [lakeRows, mart, snapshot, loads] = results.map((r) => Number(r.rows[0]![0]));
    expect(lakeRows).toBeGreaterThan(0);
    expect([mart, snapshot, loads]).toEqual([1, 1, 1]);
  });

  const OUT = () => path.join(outside, "out");
  const writes = () => [
    `copy marts.cost_daily to '${OUT()}.csv'`,
    `copy (select 1) to '${OUT()}.parquet' (format parquet)`,
    `export database '${OUT()}'`,
    `attach '${OUT()}.duckdb' as scratch`,
    "install httpfs",
    "load json",
    "set threads = 1",
    "set enable_external_access = true",
    "reset threads",
    "set variable x = 1",
    "pragma enable_profiling",
    `pragma profiling_output = '${OUT()}.json'`,
    "call pragma_version()",
    "create secret s3secret (type s3, key_id 'a', secret 'b')",
    "create temp table t as select 1",
    "create macro m(a) as a",
    "insert into marts.cost_daily values (2, 'b')",
    "use ops",
    "detach warehouse",
    "vacuum",
    "checkpoint",
    "begin transaction",
    `explain analyze copy (select 1) to '${OUT()}.csv'`,
    "select nextval('ops.loads_seq')",
  ];

  it("refuses every statement that writes or changes the session, and nothing changes", async () => {
    const before = digest(config.warehouse.path);
    for (const statement of writes()) {
      const { results, error } = await sql(statement);
      expect(error, statement).toBeInstanceOf(UsageError);
      expect(results, statement).toEqual([]);
    }
    expect(readdirSync(outside)).toEqual(["secret.csv"]);
    expect(digest(config.warehouse.path)).toBe(before);
    expect((await sql("select count(*) as n from marts.cost_daily")).results[0]!.rows).toEqual([["1"]]);
  });

  it("refuses reading files outside the lake and the marts, however they are named", async () => {
    const secret = secretFile();
    for (const query of [
      `select * from read_text('${secret}')`,
      `select * from read_blob('${secret}')`,
      `select * from read_csv('${secret}')`,
      `select * from '${secret}'`,
      `select * from read_csv('${config.paths.lake}/../../${path.basename(outside)}/secret.csv')`,
      `select * from glob('${outside}/*')`,
      "select * from read_text('/etc/passwd')",
      "select * from read_json_auto('/proc/self/environ')",
      "select * from duckdb_secrets()",
      "select * from read_parquet('s3://bucket/x.parquet')",
    ]) {
      const { results, error } = await sql(query);
      expect(error, query).toBeInstanceOf(UsageError);
      expect(error!.message, query).not.toContain("hunter2");
      expect(results, query).toEqual([]);
    }
  });

  it("exits 2 through the CLI, saying what the read-only user may read", () => {
    const r = cco(["--data-dir", config.dataDir, "sql", `select * from read_text('${secretFile()}')`]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /file system operations are disabled by configuration \(without --write, cco sql reads the warehouse and files under .*lake and .*marts only\)/,
    );
    expect(r.stderr).not.toContain("hunter2");
  });

  it("with --write, the same statements run (the lock is the read-only mode's alone)", async () => {
    mkdirSync(outside, { recursive: true });
    const { error } = await runSql(config, `copy marts.cost_daily to '${OUT()}.csv'`, {
      write: true,
      note: () => undefined,
    });
    expect(error).toBeUndefined();
    expect(existsSync(`${OUT()}.csv`)).toBe(true);
  });
});
