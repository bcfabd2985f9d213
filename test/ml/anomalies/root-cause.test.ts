/** Root cause on a hand-built deviation: each dimension's top contributors and their shares of it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../core/config.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { type Contributor, rootCauses } from "../../../ml/anomalies/root-cause.ts";
import { datesOf } from "../forecast/series-fixture.ts";
import { type Charge, fixtureWarehouse } from "../forecast/warehouse-fixture.ts";

const dates = datesOf(42);
const D = 40;
let warehouse: Warehouse;
let config: Config;

beforeAll(async () => {
  const charges: Charge[] = [];
  const base = { provider: "aws", billingAccount: "111", currency: "USD" };
  dates.forEach((day, t) => {
    // Steady usage, except on day D: bucket-b sends 300 of egress, bucket-a stores 100 more.
    charges.push({
      day,
      ...base,
      subAccount: "A",
      service: "Amazon S3",
      region: "eu-west-1",
      sku: "TimedStorage",
      resource: "bucket-a",
      cost: 10 + (t === D ? 100 : 0) + (t === D - 7 ? 1000 : 0),
    });
    charges.push({
      day,
      ...base,
      subAccount: "A",
      service: "Amazon S3",
      region: "eu-west-1",
      sku: "TimedStorage",
      resource: "bucket-b",
      cost: 20,
    });
    if (t === D)
      charges.push({
        day,
        ...base,
        subAccount: "A",
        service: "Amazon S3",
        region: "eu-west-1",
        sku: "DataTransfer-Out",
        resource: "bucket-b",
        cost: 300,
      });
    charges.push({
      day,
      ...base,
      subAccount: "B",
      service: "AWS Lambda",
      region: "us-east-1",
      sku: "Request",
      resource: null,
      cost: 50,
    });
    // A purchase on the day is not usage: it takes no part.
    if (t === D)
      charges.push({
        day,
        ...base,
        subAccount: "B",
        service: "AWS Marketplace",
        region: null,
        sku: null,
        resource: null,
        category: "Purchase",
        cost: 9000,
      });
    // Another currency's spend on the day is not this anomaly's.
    charges.push({
      day,
      provider: "azure",
      billingAccount: "eu",
      subAccount: "C",
      service: "Functions",
      region: "westeurope",
      sku: "serverless",
      resource: null,
      currency: "EUR",
      cost: t === D ? 500 : 5,
    });
  });
  ({ warehouse, config } = await fixtureWarehouse(charges));
});
afterAll(() => warehouse.close());

const top = (list: Contributor[], dimension: string) =>
  list
    .filter((c) => c.dimension === dimension)
    .map((c) => [c.value, Math.round(c.impact * 100) / 100, c.share]);

describe("root cause", () => {
  it("ranks each dimension's values by their deviation from their own same-weekday median, with shares", async () => {
    const causes = await rootCauses(warehouse, config.paths.cache, [
      {
        key: "x",
        currency: "USD",
        provider: null,
        billing_account_id: null,
        sub_account_id: null,
        service_name: null,
        region: null,
        start_date: dates[D]!,
        end_date: dates[D]!,
      },
    ]);
    const list = causes.get("x")!;
    expect(top(list, "resource")).toEqual([
      ["bucket-b", 300, 0.75],
      ["bucket-a", 100, 0.25],
      ["(none)", 0, 0],
    ]);
    expect(top(list, "usage_type")).toEqual([
      ["DataTransfer-Out", 300, 0.75],
      ["TimedStorage", 100, 0.25],
      ["Request", 0, 0],
    ]);
    expect(top(list, "account")).toEqual([
      ["A", 400, 1],
      ["B", 0, 0],
    ]);
    expect(top(list, "service")[0]).toEqual(["Amazon S3", 400, 1]);
    expect(top(list, "region")[0]).toEqual(["eu-west-1", 400, 1]);
    expect(top(list, "billing_account")).toEqual([["111", 400, 1]]);
    // Dimensions in a fixed order: billing account, account, service, region, usage type, resource.
    expect([...new Set(list.map((c) => c.dimension))]).toEqual([
      "billing_account",
      "account",
      "service",
      "region",
      "usage_type",
      "resource",
    ]);
  });

  it("looks only inside the anomaly's scope", async () => {
    const causes = await rootCauses(warehouse, config.paths.cache, [
      {
        key: "lambda",
        currency: "USD",
        provider: "aws",
        billing_account_id: null,
        sub_account_id: null,
        service_name: "AWS Lambda",
        region: null,
        start_date: dates[D]!,
        end_date: dates[D]!,
      },
      {
        key: "eur",
        currency: "EUR",
        provider: null,
        billing_account_id: null,
        sub_account_id: null,
        service_name: null,
        region: null,
        start_date: dates[D]!,
        end_date: dates[D]!,
      },
    ]);
    // Lambda did not move: no deviation, so no share.
    expect(top(causes.get("lambda")!, "service")).toEqual([["AWS Lambda", 0, null]]);
    expect(top(causes.get("eur")!, "service")).toEqual([["Functions", 495, 1]]);
  });
});
