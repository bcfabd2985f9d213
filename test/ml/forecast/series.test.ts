/** The series the forecast reads: scopes per currency, the largest other scopes, the window's end. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { readSeries } from "../../../ml/forecast/series.ts";
import { datesOf } from "./series-fixture.ts";
import { type Charge, fixtureWarehouse } from "./warehouse-fixture.ts";

let warehouse: Warehouse;
const dates = datesOf(30);

beforeAll(async () => {
  const charges: Charge[] = [];
  dates.forEach((day, t) => {
    const aws = { day, provider: "aws", billingAccount: "111", currency: "USD", sku: "x", resource: null };
    charges.push({ ...aws, subAccount: "A", service: "Lambda", region: "us-east-1", cost: 100 });
    charges.push({ ...aws, subAccount: "B", service: "Lambda", region: "eu-west-1", cost: 10 });
    charges.push({ ...aws, subAccount: "B", service: "S3", region: "eu-west-1", cost: 1 });
    if (t === 3)
      charges.push({ ...aws, subAccount: "A", service: "Support", region: null, category: "Tax", cost: 50 });
    // Azure's export is a day behind: its last day is not in yet.
    if (t < dates.length - 1)
      charges.push({
        day,
        provider: "azure",
        billingAccount: "eu",
        subAccount: "C",
        service: "VMs",
        region: "westeurope",
        sku: "x",
        resource: null,
        currency: "EUR",
        cost: 70,
      });
  });
  ({ warehouse } = await fixtureWarehouse(charges));
});
afterAll(() => warehouse.close());

describe("the forecast's series", () => {
  it("end on the last day every provider has billed", async () => {
    const { dates: window } = await readSeries(warehouse, 10);
    expect(window[0]).toBe(dates[0]);
    expect(window.at(-1)).toBe(dates.at(-2));
  });

  it("are per scope and currency, usage apart from one-off charges", async () => {
    const { series } = await readSeries(warehouse, 10);
    const by = (type: string, scope: string, currency: string) =>
      series.find((s) => s.scopeType === type && s.scope === scope && s.currency === currency);
    expect(by("total", "total", "USD")!.usage[0]).toBe(111);
    expect(by("total", "total", "EUR")!.usage[0]).toBe(70);
    expect(by("total", "total", "USD")!.oneOff[3]).toBe(50);
    expect(by("total", "total", "USD")!.usage[3]).toBe(111);
    expect(by("service", "aws/Support", "USD")!.usage.every((v) => v === 0)).toBe(true);
    expect(by("billing_account", "aws/111", "USD")).toBeDefined();
  });

  it("add the largest sub-accounts and regions, leaving out those that repeat a scope already kept", async () => {
    const { series } = await readSeries(warehouse, 10);
    const others = series
      .filter((s) => s.scopeType === "sub_account" || s.scopeType === "region")
      .map((s) => s.scope);
    // aws/A and aws/us-east-1 are the same series (Lambda in A), as are aws/B and aws/eu-west-1;
    // Azure's only sub-account and region repeat its provider.
    expect(others).toEqual(["aws/A", "aws/B"]);
    expect(
      (await readSeries(warehouse, 1)).series
        .filter((s) => s.scopeType === "sub_account")
        .map((s) => s.scope),
    ).toEqual(["aws/A"]);
  });
});
