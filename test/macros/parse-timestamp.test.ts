/**
 * The parse_timestamp macro's DuckDB parse: a zone-less value is UTC and a zoned one is moved to
 * UTC, whatever the session's TimeZone, and the fast path (a TIMESTAMP cast) gives what the full
 * TIMESTAMPTZ parse gives in a UTC session: a property over timestamps in every form exports write.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../core/dbt/project.ts";
import { renderMacro } from "../../core/dbt/render.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { lit } from "../../core/sql.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** A timestamp as some export writes it: ISO with T or space, seconds or not, fractions, Z, offsets, " UTC", zone names, US dates. */
const timestampText = fc
  .tuple(
    fc.integer({ min: 2019, max: 2031 }),
    fc.integer({ min: 1, max: 12 }),
    fc.integer({ min: 1, max: 28 }),
    fc.integer({ min: 0, max: 23 }),
    fc.integer({ min: 0, max: 59 }),
    fc.integer({ min: 0, max: 59 }),
    fc.constantFrom("iso", "iso-minutes", "date", "us-date", "us-datetime"),
    fc.constantFrom("T", " "),
    fc.option(fc.integer({ min: 0, max: 999_999 })),
    fc.constantFrom(
      "",
      "Z",
      " UTC",
      "+00:00",
      "+0000",
      "+02:00",
      "-05:30",
      "+05:45",
      "+01",
      " America/New_York",
      " Europe/Berlin",
    ),
  )
  .map(([y, mo, d, h, mi, s, form, sep, micros, zone]) => {
    if (form === "date") return `${y}-${pad(mo)}-${pad(d)}`;
    if (form === "us-date") return `${pad(mo)}/${pad(d)}/${y}`;
    if (form === "us-datetime") return `${pad(mo)}/${pad(d)}/${y} ${pad(h)}:${pad(mi)}:${pad(s)}`;
    const time = form === "iso-minutes" ? `${pad(h)}:${pad(mi)}` : `${pad(h)}:${pad(mi)}:${pad(s)}`;
    const fraction = form === "iso" && micros !== null ? `.${pad(micros, 6)}` : "";
    return `${y}-${pad(mo)}-${pad(d)}${sep}${time}${fraction}${zone}`;
  });

describe("parse_timestamp (DuckDB)", () => {
  it("reads every form as the same UTC instant, whatever the session's TimeZone", async () => {
    const project = loadProject(PROJECT_ROOT);
    const parsed = renderMacro(project, "parse_timestamp", "s");
    // The reference: ISO through a TIMESTAMPTZ cast in a UTC session, else the US formats.
    const reference = `coalesce(try_cast(s AS TIMESTAMPTZ) AT TIME ZONE 'UTC',
      try_strptime(s, ['%m/%d/%Y', '%m/%d/%Y %H:%M:%S', '%Y-%m-%dT%H:%MZ']))`;
    const w = await Warehouse.open({ path: ":memory:" });
    const samples = fc.sample(timestampText, { numRuns: 2000, seed: 20261201 });
    samples.push("2026-08-31T23:00:00Z", "2026-09-01", "2026-09-01T07:00Z", "not a date", "");
    try {
      await w.run(`CREATE TABLE t AS SELECT unnest([${samples.map(lit).join(", ")}]) AS s`);
      // Each value alone: DuckDB 1.5's TIMESTAMPTZ cast keeps the last zone name it met in a
      // vector for the zone-less values after it (asserted below), so the reference is a query a value.
      await w.run("SET TimeZone = 'UTC'");
      const expected: { s: string; v: string | null }[] = [];
      for (const value of [...new Set(samples)].sort()) {
        const [row] = await w.all<{ v: string | null }>(
          `SELECT (${reference})::VARCHAR AS v FROM (SELECT ${lit(value)} AS s)`,
        );
        expected.push({ s: value, v: row!.v });
      }
      expect(expected.filter((r) => r.v !== null).length).toBeGreaterThan(1500);
      for (const zone of ["UTC", "Europe/Berlin", "America/Los_Angeles", "Asia/Kathmandu"]) {
        await w.run(`SET TimeZone = ${lit(zone)}`);
        const got = await w.all<{ s: string; v: string | null }>(
          `SELECT DISTINCT s, (${parsed})::VARCHAR AS v FROM t ORDER BY s`,
        );
        expect(got, zone).toEqual(expected);
      }
      // What the old parse (a TIMESTAMPTZ cast of every value) did: a zone-less day in the
      // session's zone, and in the zone of a value before it in the same vector.
      await w.run("SET TimeZone = 'Europe/Berlin'");
      const [alone] = await w.all<{ v: string }>(
        `SELECT (try_cast('2026-09-01' AS TIMESTAMPTZ) AT TIME ZONE 'UTC')::VARCHAR AS v`,
      );
      expect(alone!.v).toBe("2026-08-31 22:00:00");
      await w.run("SET TimeZone = 'UTC'");
      const afterZone = await w.all<{ v: string; parsed: string }>(
        `SELECT (try_cast(s AS TIMESTAMPTZ) AT TIME ZONE 'UTC')::VARCHAR AS v, (${parsed})::VARCHAR AS parsed
         FROM (SELECT unnest(['2019-01-05 10:00:00 America/New_York', '2019-01-09']) AS s)`,
      );
      expect(afterZone.map((r) => r.v)).toEqual(["2019-01-05 15:00:00", "2019-01-09 05:00:00"]);
      expect(afterZone.map((r) => r.parsed)).toEqual(["2019-01-05 15:00:00", "2019-01-09 00:00:00"]);
    } finally {
      await w.close();
    }
  });
});
