import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "../../../helpers/tmp.ts";
import { cco, ROOT, STACK_FRAME } from "../run-cli.ts";

let wh: string;
let dir: string;
const sql = (...args: string[]) => cco(["--warehouse", wh, "--data-dir", dir, "sql", ...args]);

beforeAll(() => {
  dir = tempDir();
  wh = path.join(dir, "w.duckdb");
  const made = sql("--write", "create table marts.cost_daily as select 1 as n, 'a' as label");
  expect(made.status, made.stderr).toBe(0);
});

describe("cco sql", () => {
  it("runs in UTC, read-only or writing, whatever the host's zone: billing days are UTC days", () => {
    const q =
      "select current_setting('TimeZone') as zone, ('2026-08-31T23:00:00Z'::timestamptz)::date::varchar as day";
    for (const write of [[], ["--write"]]) {
      const out = cco(["--warehouse", wh, "--json", "sql", ...write, q], {
        env: { TZ: "America/Los_Angeles" },
      });
      expect(out.status, out.stderr).toBe(0);
      expect(JSON.parse(out.stdout)).toEqual([{ zone: "UTC", day: "2026-08-31" }]);
    }
  });

  it("prints SQL results as an aligned table, JSON rows or CSV", () => {
    const q = "select 1 as n, 'a,b' as label, 12.50::decimal(10,2) as cost";
    const table = sql(q);
    expect(table.status).toBe(0);
    expect(table.stdout.split("\n").slice(0, 3)).toEqual([
      "n  label   cost",
      "-  -----  -----",
      "1  a,b    12.50",
    ]);
    const json = cco(["--warehouse", wh, "--json", "sql", q]);
    expect(JSON.parse(json.stdout)).toEqual([{ n: 1, label: "a,b", cost: "12.50" }]);
    expect(sql("--csv", q).stdout).toBe('n,label,cost\n1,"a,b",12.50\n');
    const bad = sql("select * from nowhere");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^cco: sql: Catalog Error: Table with name nowhere does not exist/);
  });

  it("runs queries and query-like statements without --write", () => {
    for (const q of [
      "select * from marts.cost_daily",
      "from marts.cost_daily",
      "with x as (select 1) select * from x",
      "describe marts.cost_daily",
      "show tables",
      "summarize marts.cost_daily",
      "pragma table_info('marts.cost_daily')",
      "explain select * from marts.cost_daily",
      "explain analyze select * from marts.cost_daily",
    ]) {
      const r = sql(q);
      expect(r.stderr, q).toBe("");
      expect(r.status, q).toBe(0);
    }
  });

  it.each([
    ["drop table marts.cost_daily", "DROP"],
    ["delete from marts.cost_daily", "DELETE"],
    ["update marts.cost_daily set n = 2", "UPDATE"],
    ["insert into marts.cost_daily values (2, 'b')", "INSERT"],
    ["with x as (select 2, 'b') insert into marts.cost_daily select * from x", "INSERT"],
    ["create table marts.x (a int)", "CREATE"],
    ["alter table marts.cost_daily add column b int", "ALTER"],
    ["copy marts.cost_daily to 'OUT'", "COPY"],
    ["export database 'OUT'", "EXPORT"],
    ["attach 'OUT' as scratch", "ATTACH"],
    ["install httpfs", "INSTALL"],
    ["load json", "LOAD"],
    ["set threads = 1", "SET"],
    ["pragma enable_profiling", "PRAGMA"],
    ["checkpoint", "CHECKPOINT"],
    ["begin transaction", "BEGIN"],
    ["explain analyze copy (select 1) to 'OUT'", "EXPLAIN ANALYZE COPY"],
    ["select 1; drop table marts.cost_daily", "statement 2: DROP"],
  ])("refuses %j without --write (exit 2), running nothing", (statement, kind) => {
    const out = path.join(tempDir(), "out.csv");
    const r = sql(statement.replaceAll("OUT", out));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      new RegExp(`^cco: sql: ${kind.replace(/[()/]/g, "\\$&")}.* refused: .*--write allows`),
    );
    expect(existsSync(out)).toBe(false);
    // The warehouse is as it was.
    expect(
      JSON.parse(cco(["--warehouse", wh, "--json", "sql", "select * from marts.cost_daily"]).stdout),
    ).toEqual([{ n: 1, label: "a" }]);
  });

  it("writes with --write", () => {
    const out = path.join(tempDir(), "out.csv");
    const r = sql(
      "--write",
      `create table main.scratch as select 41 as n; update main.scratch set n = n + 1; copy main.scratch to '${out}'`,
    );
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(
      JSON.parse(cco(["--warehouse", wh, "--json", "sql", "select n from main.scratch"]).stdout),
    ).toEqual([{ n: 42 }]);
    expect(sql("--write", "drop table main.scratch").status).toBe(0);
  });

  it("prints one result per statement: tables in turn, an array of row arrays with --json, CSV blocks", () => {
    const q = "select 1 as a; select 'x' as b, 2 as c;";
    const table = sql(q);
    expect(table.status).toBe(0);
    expect(table.stdout).toBe("a\n-\n1\n(1 row)\n\nb  c\n-  -\nx  2\n(1 row)\n");
    const json = cco(["--warehouse", wh, "--json", "sql", q]);
    expect(JSON.parse(json.stdout)).toEqual([[{ a: 1 }], [{ b: "x", c: 2 }]]);
    expect(sql("--csv", q).stdout).toBe("a\n1\n\nb,c\nx,2\n");
  });

  it("prints what ran before a failing statement with --write, then the error naming the statement", () => {
    const r = sql("--write", "select 1 as a; select * from nowhere; select 3 as c");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("a\n-\n1\n(1 row)\n");
    expect(r.stderr).toMatch(/^cco: sql: statement 2: Catalog Error: Table with name nowhere/);
  });

  describe("while another process holds the warehouse", () => {
    let holder: ChildProcess | undefined;
    afterEach(() => {
      holder?.kill();
    });

    it("says only that the warehouse is in use (exit 1)", async () => {
      const child = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { DuckDBInstance } from "@duckdb/node-api";
           await DuckDBInstance.create(${JSON.stringify(wh)});
           console.log("held");
           setInterval(() => {}, 1000);`,
        ],
        { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] },
      );
      holder = child;
      await new Promise<void>((resolve, reject) => {
        child.stdout!.once("data", () => resolve());
        child.once("exit", (code) => reject(new Error(`the holder exited ${code}`)));
      });
      for (const args of [["select 1"], ["--write", "select 1"]]) {
        const r = sql(...args);
        expect(r.status).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(
          `cco: ${wh}: the warehouse is in use by another process (PID ${child.pid}), and DuckDB lets no other process open it meanwhile, not even to read. Try again when it has finished; until then the marts' Parquet snapshots in ${path.join(dir, "marts")} can be read.\n`,
        );
        expect(r.stderr).not.toMatch(STACK_FRAME);
      }
    });
  });

  it("runs on an empty in-memory database, saying so, when the warehouse does not exist yet", () => {
    const missing = path.join(tempDir(), "none.duckdb");
    const r = cco(["--warehouse", missing, "sql", "select 1 as n"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("n\n-\n1\n(1 row)\n");
    expect(r.stderr).toMatch(
      /no warehouse at .*none\.duckdb yet: the SQL runs on an empty in-memory database/,
    );
    expect(existsSync(missing)).toBe(false);
  });
});
