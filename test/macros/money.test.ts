/**
 * The money macro's DuckDB parse of text: narrow first (DECIMAL(18, 10), then whole numbers as
 * BIGINT), DECIMAL(38, 10) only for the rest. Whatever path a value takes, it must equal the plain
 * DECIMAL(38, 10) cast: a property over any decimal text an export may write.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadProject } from "../../core/dbt/project.ts";
import { renderMacro } from "../../core/dbt/render.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { lit } from "../../core/sql.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });

/** Decimal text as exports write it: signs, leading zeros, 0 to 20 integer digits, 0 to 14 decimals, exponents. */
const decimalText = fc
  .tuple(
    fc.constantFrom("", "-", "+"),
    digits(0, 20),
    fc.option(digits(0, 14)),
    fc.option(fc.integer({ min: -12, max: 12 })),
  )
  .filter(([, int, frac]) => int.length > 0 || (frac ?? "").length > 0)
  .map(
    ([sign, int, frac, exp]) =>
      `${sign}${int}${frac === null ? "" : `.${frac}`}${exp === null ? "" : `e${exp}`}`,
  );

describe("money (DuckDB)", () => {
  it("parses decimal text exactly as a DECIMAL(38, 10) cast does, on every path", async () => {
    const project = loadProject(PROJECT_ROOT);
    const money = renderMacro(project, "money", "s", "null");
    const w = await Warehouse.open({ path: ":memory:" });
    const samples = fc.sample(decimalText, { numRuns: 3000, seed: 20261201 });
    samples.push(
      "18554258718645784.0",
      "99999999.99999999995",
      "123456789012345678",
      "1234567890123456789",
      "0",
      "-0.0",
    );
    const rows = await w.all<{ s: string; got: string | null; want: string | null }>(
      `SELECT s, (${money})::VARCHAR AS got, TRY_CAST(s AS DECIMAL(38, 10))::VARCHAR AS want
       FROM unnest([${samples.map(lit).join(", ")}]) AS t(s)`,
    );
    expect(rows.filter((r) => r.got !== r.want)).toEqual([]);
    // Every path was taken: narrow, whole numbers past 1e8, and wide.
    expect(rows.some((r) => /^-?\d{9,18}\.0+$/.test(r.want ?? ""))).toBe(true);
    expect(rows.some((r) => /^-?\d{19,}\./.test(r.want ?? ""))).toBe(true);
    await w.close();
  });
});
