/**
 * The check functions as SQL, one small hand-built dataset each: rows that pass, rows the
 * rule's condition leaves out, and a row that must fail, checked through the rules of the
 * model that use the function (with every applicability criterion met).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkConformance } from "../../../core/focus/conformance.ts";
import { loadModel } from "../../../core/focus/model.ts";
import { fitsDecimal38, predicate } from "../../../core/focus/predicates.ts";
import type { RuleResult } from "../../../core/focus/report.ts";
import { ident, lit } from "../../../core/sql.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";

const ALL_CRITERIA = Object.keys(loadModel().ApplicabilityCriteria);

let w: Warehouse;
beforeAll(async () => {
  w = await Warehouse.open({ path: ":memory:" });
});
afterAll(() => w.close());

let tables = 0;
type Value = string | number | null;

/** A table of these typed columns and rows, in the warehouse. */
async function table(columns: Record<string, string>, rows: Value[][]): Promise<string> {
  const name = `t${++tables}`;
  const defs = Object.entries(columns).map(([c, type]) => `${ident(c)} ${type}`);
  await w.run(`CREATE TABLE ${name} (${defs.join(", ")})`);
  for (const row of rows) await w.run(`INSERT INTO ${name} VALUES (${row.map((v) => lit(v)).join(", ")})`);
  return name;
}

/** The conformance check of such a table: each rule's status and failing count, by id. */
async function check(
  columns: Record<string, string>,
  rows: Value[][],
): Promise<(id: string) => Pick<RuleResult, "status" | "failing" | "reason">> {
  const report = await checkConformance(w, await table(columns, rows), { criteria: ALL_CRITERIA });
  expect(report.rowsChecked).toBe(rows.length);
  const byId = new Map(report.rules.map((r) => [r.id, r]));
  return (id) => {
    const r = byId.get(id);
    if (!r) throw new Error(`no rule ${id} in the report`);
    return {
      status: r.status,
      ...(r.failing !== undefined ? { failing: r.failing } : {}),
      ...(r.reason ? { reason: r.reason } : {}),
    };
  };
}

const failsOn = (failing: number) => ({ status: "fail", failing });
const PASS = { status: "pass" };

describe("check functions compiled to SQL, on hand-built rows", () => {
  it("CheckValue null: RegionName MUST be null when RegionId is null", async () => {
    const rule = await check({ RegionId: "VARCHAR", RegionName: "VARCHAR" }, [
      ["eu-west-1", "Ireland"], // RegionId set: the condition leaves it out
      [null, null], // passes
      [null, "Ireland"], // fails
    ]);
    expect(rule("RegionName-C-004-C")).toEqual(failsOn(1));
  });

  it("CheckValue with a value: ChargeClass MUST be 'Correction' when it is not null", async () => {
    const rule = await check({ ChargeClass: "VARCHAR" }, [["Correction"], [null], ["Refund"]]);
    expect(rule("ChargeClass-C-005-C")).toEqual(failsOn(1));
  });

  it("CheckValue with a number: EffectiveCost MUST be 0 on a Purchase", async () => {
    const rule = await check({ ChargeCategory: "VARCHAR", EffectiveCost: "DECIMAL(12,2)" }, [
      ["Purchase", 0], // passes
      ["Usage", 12], // not a purchase
      ["Purchase", 12], // fails
    ]);
    expect(rule("EffectiveCost-C-005-C")).toEqual(failsOn(1));
  });

  it("CheckNotValue null: ConsumedUnit MUST NOT be null when ConsumedQuantity is not null", async () => {
    const rule = await check({ ConsumedQuantity: "DECIMAL(12,2)", ConsumedUnit: "VARCHAR" }, [
      [10, "Hours"], // passes
      [null, null], // no quantity: left out
      [10, null], // fails
    ]);
    expect(rule("ConsumedUnit-C-006-C")).toEqual(failsOn(1));
  });

  it("CheckNotValue with a value: ChargeFrequency MUST NOT be 'Usage-Based' on a Purchase", async () => {
    const rule = await check({ ChargeCategory: "VARCHAR", ChargeFrequency: "VARCHAR" }, [
      ["Purchase", "One-Time"], // passes
      ["Usage", "Usage-Based"], // not a purchase
      ["Purchase", "Usage-Based"], // fails
    ]);
    expect(rule("ChargeFrequency-C-004-C")).toEqual(failsOn(1));
  });

  it("CheckNotSameValue (a condition): BilledCost MUST be 0 when the invoice issuer is not the provider", async () => {
    const rule = await check(
      { ProviderName: "VARCHAR", InvoiceIssuerName: "VARCHAR", BilledCost: "DECIMAL(12,2)" },
      [
        ["Acme Cloud", "Acme Cloud", 10], // billed by the provider itself: left out
        ["Acme Cloud", "Marketplace Inc", 0], // passes
        ["Acme Cloud", "Marketplace Inc", 10], // fails
      ],
    );
    expect(rule("BilledCost-C-005-C")).toEqual(failsOn(1));
  });

  it("CheckSameValue: only a permission uses it (SkuPriceId MAY equal SkuId), so it is compiled but never fails a rule", async () => {
    const name = await table({ SkuPriceId: "VARCHAR", SkuId: "VARCHAR" }, [
      ["p1", "p1"],
      [null, null],
      ["p1", "s1"],
    ]);
    const ds = {
      relation: name,
      columns: new Map([
        ["SkuPriceId", "VARCHAR"],
        ["SkuId", "VARCHAR"],
      ]),
    };
    const same = predicate(
      { CheckFunction: "CheckSameValue", ColumnAName: "SkuPriceId", ColumnBName: "SkuId" },
      ds,
      new Set(),
    );
    const [row] = await w.all<{ n: string }>(
      `SELECT count(*) FILTER (WHERE NOT (${same}))::VARCHAR AS n FROM ${name}`,
    );
    expect(row!.n).toBe("1"); // (p1, s1); two nulls are the same value
    const report = await checkConformance(w, name, { criteria: ALL_CRITERIA });
    expect(report.rules.find((r) => r.id === "SkuPriceId-C-011-O")).toMatchObject({
      status: "skipped",
      reason: "a permission (MAY), not a requirement",
    });
  });

  it("CheckGreaterOrEqualThanValue: ListUnitPrice MUST be non-negative", async () => {
    const rule = await check({ ListUnitPrice: "DECIMAL(12,4)" }, [[0.5], [null], [-1]]);
    expect(rule("ListUnitPrice-C-008-M")).toEqual(failsOn(1));
  });

  it("CheckDecimalValue: BilledCost MUST be a valid decimal value (text column)", async () => {
    const rule = await check({ BilledCost: "VARCHAR" }, [["1.50"], ["n/a"]]);
    expect(rule("BilledCost-C-004-M")).toEqual(failsOn(1));
  });

  it("numbers in a column that holds DECIMAL(38,10) as it is compare without a text parse, with the same counts", async () => {
    const rows: Value[][] = [
      ["Purchase", 0, 1.5],
      ["Purchase", 12, 2],
      ["Usage", 0, -3],
    ];
    const typed = await check(
      { ChargeCategory: "VARCHAR", EffectiveCost: "DECIMAL(38,10)", BilledCost: "DECIMAL(38,10)" },
      rows,
    );
    const text = await check(
      { ChargeCategory: "VARCHAR", EffectiveCost: "VARCHAR", BilledCost: "VARCHAR" },
      rows,
    );
    for (const id of ["EffectiveCost-C-005-C", "BilledCost-C-004-M"]) expect(typed(id)).toEqual(text(id));
    expect(typed("EffectiveCost-C-005-C")).toEqual(failsOn(1));
    const columns = new Map([["EffectiveCost", "DECIMAL(38,10)"]]);
    const sql = predicate(
      { CheckFunction: "CheckValue", ColumnName: "EffectiveCost", Value: 0 },
      { relation: "t", columns },
      new Set(),
    );
    expect(sql).toBe('"EffectiveCost" = 0');
    expect(fitsDecimal38("DECIMAL(18,2)")).toBe(true);
    expect(fitsDecimal38("BIGINT")).toBe(true);
    expect(fitsDecimal38("DECIMAL(38,12)")).toBe(false); // more decimals than it keeps
    expect(fitsDecimal38("HUGEINT")).toBe(false); // 39 digits
    expect(fitsDecimal38("DOUBLE")).toBe(false);
  });

  it("TypeDecimal and FormatNumeric: ListCost as text must read as a number; a numeric column passes as it is", async () => {
    const text = await check({ ListCost: "VARCHAR" }, [["12.5"], [" -3e2 "], ["12,5"]]);
    expect(text("ListCost-C-001-M")).toEqual(failsOn(1)); // TypeDecimal
    expect(text("ListCost-C-002-M")).toEqual(failsOn(1)); // FormatNumeric
    const typed = await check({ ListCost: "DECIMAL(12,2)" }, [[12.5]]);
    expect(typed("ListCost-C-001-M")).toEqual(PASS);
    expect(typed("ListCost-C-002-M")).toEqual(PASS);
  });

  it("TypeDateTime reads a date/time; FormatDateTime wants ISO 8601 in UTC ('…T…Z')", async () => {
    const rule = await check({ ChargePeriodStart: "VARCHAR" }, [
      ["2024-09-01T00:00:00Z"], // passes both
      ["2024-09-01 00:00:00"], // a date/time, not in the format
      ["yesterday"], // neither
    ]);
    expect(rule("ChargePeriodStart-C-001-M")).toEqual(failsOn(1));
    expect(rule("ChargePeriodStart-C-002-M")).toEqual(failsOn(2));
    const typed = await check({ ChargePeriodStart: "TIMESTAMPTZ" }, [["2024-09-01 00:00:00+00"]]);
    expect(typed("ChargePeriodStart-C-002-M")).toEqual(PASS);
  });

  it("FormatString: ServiceName MUST NOT carry leading or trailing whitespace", async () => {
    const rule = await check({ ServiceName: "VARCHAR" }, [["Compute Engine"], ["Compute Engine "]]);
    expect(rule("ServiceName-C-002-M")).toEqual(failsOn(1));
  });

  it("FormatUnit: ConsumedUnit SHOULD be a unit ('GB-Hours'), and a SHOULD still reports its count", async () => {
    const rule = await check({ ConsumedUnit: "VARCHAR" }, [["GB-Hours"], ["GB_Hours"]]);
    expect(rule("ConsumedUnit-C-003-O")).toEqual(failsOn(1));
  });

  it("FormatKeyValue: Tags MUST be a JSON object", async () => {
    const rule = await check({ Tags: "VARCHAR" }, [['{"env": "prod"}'], [null], ['["prod"]'], ["env=prod"]]);
    expect(rule("Tags-C-001-M")).toEqual(failsOn(2));
  });

  it("FormatCurrency and CheckNationalCurrency: BillingCurrency MUST be an ISO 4217 code", async () => {
    const rule = await check({ BillingCurrency: "VARCHAR" }, [["USD"], ["usd"]]);
    expect(rule("BillingCurrency-C-003-M")).toEqual(failsOn(1)); // FormatCurrency
    expect(rule("BillingCurrency-C-006-M")).toEqual(failsOn(1)); // CheckNationalCurrency
  });

  it("ColumnByColumnEqualsColumnValue: ListUnitPrice × PricingQuantity MUST match ListCost, except corrections", async () => {
    const rule = await check(
      {
        ListUnitPrice: "DECIMAL(12,4)",
        PricingQuantity: "DECIMAL(12,4)",
        ListCost: "DECIMAL(12,4)",
        ChargeClass: "VARCHAR",
      },
      [
        [2, 3, 6, null], // passes
        [2, 3, 7, "Correction"], // a correction: left out
        [2, 3, 7, null], // fails
      ],
    );
    expect(rule("ListCost-C-009-C")).toEqual(failsOn(1));
  });

  it("CheckDistinctCount: a SkuPriceId MUST have one SkuId (counted in groups)", async () => {
    const rule = await check({ SkuPriceId: "VARCHAR", SkuId: "VARCHAR" }, [
      ["p1", "s1"],
      ["p1", "s1"], // p1: one SkuId
      ["p2", "s1"],
      ["p2", "s2"], // p2: two
      [null, "s3"], // no SkuPriceId: not a group
    ]);
    expect(rule("SkuPriceId-C-008-M")).toEqual(failsOn(1));
  });

  it("allowed values (an OR of CheckValue): ChargeCategory values; absence is the nullability rule's", async () => {
    const rule = await check({ ChargeCategory: "VARCHAR" }, [["Usage"], [null], ["Usages"]]);
    expect(rule("ChargeCategory-C-003-M")).toEqual(failsOn(1)); // 'Usages'
    expect(rule("ChargeCategory-C-002-M")).toEqual(failsOn(1)); // MUST NOT be null
  });

  it("ColumnPresent: decided by the columns, without counting rows", async () => {
    const rule = await check({ ChargeCategory: "VARCHAR" }, [["Usage"]]);
    expect(rule("CostAndUsage-D-008-M")).toEqual(PASS); // ChargeCategory is present
    expect(rule("CostAndUsage-D-035-M")).toEqual({ status: "fail" }); // BillingCurrency is not
    // Rules about an absent column are left to its presence rule.
    expect(rule("BillingCurrency-C-003-M")).toEqual({
      status: "skipped",
      reason: "column BillingCurrency is not present",
    });
  });

  it("TypeString: any value has a text form, so it passes without counting", async () => {
    const rule = await check({ InvoiceId: "INTEGER" }, [[42]]);
    expect(rule("InvoiceId-C-001-M")).toEqual(PASS);
  });
});
