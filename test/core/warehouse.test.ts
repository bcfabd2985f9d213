import path from "node:path";
import { describe, expect, it } from "vitest";
import { SCHEMAS, Warehouse } from "../../core/warehouse/warehouse.ts";
import { migrations } from "../../core/warehouse/migrations.ts";
import { tempDir } from "../helpers/tmp.ts";

describe("warehouse", () => {
  it("creates schemas and applies migrations once, however often it is opened", async () => {
    const file = path.join(tempDir(), "w.duckdb");
    for (let i = 0; i < 3; i++) {
      const w = await Warehouse.open({ path: file });
      const schemas = await w.all<{ name: string }>(
        "select schema_name as name from information_schema.schemata",
      );
      expect(schemas.map((s) => s.name)).toEqual(expect.arrayContaining([...SCHEMAS]));
      const applied = await w.all<{ version: number }>(
        "select version from ops.schema_migrations order by version",
      );
      expect(applied.map((r) => Number(r.version))).toEqual(migrations.map((m) => m.version));
      await w.close();
    }
  });

  it("runs typed Kysely queries on DuckDB with exact decimals", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const inserted = await w.db
      .insertInto("ops.loads")
      .values({
        source: "test",
        raw_table: "raw.t",
        billing_account: "001",
        billing_period: "2026-10",
        file_path: "/f",
        file_bytes: 10,
        file_sha256: "abc",
        rows: 2,
        cost_totals: '{"USD":"0.1000000001"}',
        status: "loaded",
        error: null,
        started_at: "2026-11-01T00:00:00Z",
        finished_at: null,
      })
      .returning(["load_id", "billing_account"])
      .executeTakeFirstOrThrow();
    expect(inserted.billing_account).toBe("001");
    const row = await w.db
      .selectFrom("ops.loads")
      .select(["file_sha256", "status"])
      .where("load_id", "=", inserted.load_id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ file_sha256: "abc", status: "loaded" });
    const [money] = await w.all<{ x: string }>("select (0.1::decimal(38,10) + 0.2::decimal(38,10)) as x");
    expect(money!.x).toBe("0.3000000000");
    await w.close();
  });

  it("rolls a failed transaction back whole", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    await w.run("create table raw.t (x integer)");
    await expect(
      w.transaction(async (tx) => {
        await tx.run("insert into raw.t values (1)");
        await tx.run("insert into raw.t values ('not a number')");
      }),
    ).rejects.toThrow();
    expect(await w.all("select * from raw.t")).toEqual([]);
    await w.close();
  });
});
