/**
 * A real DuckDB warehouse holding a hand-made marts.focus_costs (the columns the ML jobs read)
 * and marts.cost_daily summed from it as the model does, for the forecast and anomaly jobs' tests.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type Config, loadConfig } from "../../../core/config.ts";
import { lit } from "../../../core/sql.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { datesOf, weekly } from "./series-fixture.ts";

export interface Charge {
  day: string;
  provider: string;
  billingAccount: string;
  subAccount: string;
  service: string;
  region: string | null;
  sku: string | null;
  resource: string | null;
  category?: "Usage" | "Purchase" | "Tax" | "Credit" | "Adjustment";
  currency: string;
  cost: number;
}

export async function fixtureWarehouse(
  charges: Charge[],
  configYaml = "",
): Promise<{ warehouse: Warehouse; config: Config; dataDir: string }> {
  const dataDir = tempDir("cco-ml-");
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, configYaml);
  const config = loadConfig({ configFile, dataDir, env: {} });
  const warehouse = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
  await loadCharges(warehouse, dataDir, charges);
  return { warehouse, config, dataDir };
}

/** Replaces the marts' charges. */
export async function loadCharges(warehouse: Warehouse, dir: string, charges: Charge[]): Promise<void> {
  const file = path.join(dir, "charges.ndjson");
  writeFileSync(
    file,
    charges
      .map((c) => JSON.stringify({ ...c, category: c.category ?? "Usage", cost: c.cost.toFixed(4) }))
      .join("\n"),
  );
  await warehouse.run(`create or replace table marts.focus_costs as
    select day::date as x_ChargeDate, strftime(day::date, '%Y-%m') as x_BillingPeriod, provider as x_Provider,
      billingAccount as BillingAccountId, subAccount as SubAccountId, subAccount || ' name' as SubAccountName,
      service as ServiceName, region as RegionId, sku as SkuMeter, resource as ResourceId, category as ChargeCategory,
      currency as BillingCurrency, cost::decimal(38, 10) as EffectiveCost
    from read_json(${lit(file)}, format = 'newline_delimited', columns = {day: 'varchar', provider: 'varchar',
      billingAccount: 'varchar', subAccount: 'varchar', service: 'varchar', region: 'varchar', sku: 'varchar',
      resource: 'varchar', category: 'varchar', currency: 'varchar', cost: 'varchar'})`);
  await warehouse.run(`create or replace table marts.cost_daily as
    select x_ChargeDate as charge_date, x_BillingPeriod as billing_period, x_Provider as provider,
      BillingAccountId as billing_account_id, SubAccountId as sub_account_id, any_value(SubAccountName) as sub_account_name,
      ServiceName as service_name, RegionId as region, ResourceId as resource_id, ChargeCategory as charge_category,
      BillingCurrency as currency, sum(EffectiveCost)::decimal(38, 10) as effective_cost
    from marts.focus_costs group by all`);
}

/** Days of the small estate: 2026-03-02 to 2026-06-29. */
export const SMALL_DAYS = 120;

/** The bucket whose egress jumps on days 100-102 (2026-06-10 to 06-12), the small estate's one anomaly. */
export const PLANTED = { resource: "bucket-b", from: 100, to: 102, extra: 300 };

/**
 * Two currencies. USD (aws): Lambda growing with a weekly pattern, five flat EC2 instances, two
 * S3 buckets (one with the planted anomaly of egress), a marketplace purchase, monthly tax and a
 * service ten days old. EUR (azure): flat VMs and Functions with a weekly pattern.
 */
export function smallEstate(): Charge[] {
  const dates = datesOf(SMALL_DAYS);
  const aws = { provider: "aws", billingAccount: "111111111111", currency: "USD" };
  const azure = { provider: "azure", billingAccount: "ba-eu", subAccount: "sub-eu", currency: "EUR" };
  const charges: Charge[] = [];
  const lambda = weekly(SMALL_DAYS, { level: 200, seed: 21 });
  const functions = weekly(SMALL_DAYS, { level: 80, seed: 22, growth: 0.002 });
  const bucketA = weekly(SMALL_DAYS, { level: 20, seed: 23, weekend: 1, growth: 0 });
  const bucketB = weekly(SMALL_DAYS, { level: 30, seed: 24, weekend: 1, growth: 0.001 });
  dates.forEach((day, t) => {
    const usage = (
      c: Omit<Charge, "day" | "provider" | "billingAccount" | "currency" | "subAccount"> & {
        subAccount?: string;
      },
      on: { provider: string; billingAccount: string; currency: string; subAccount?: string } = aws,
    ) => charges.push({ day, subAccount: "", ...on, ...c } as Charge);
    usage({
      subAccount: "222222222222",
      service: "AWS Lambda",
      region: "us-east-1",
      sku: "Request",
      resource: null,
      cost: lambda[t]!,
    });
    for (let i = 1; i <= 5; i++)
      usage({
        subAccount: "111111111111",
        service: "Amazon EC2",
        region: "us-east-1",
        sku: "BoxUsage:m5.large",
        resource: `i-${i}`,
        cost: 48,
      });
    usage({
      subAccount: "111111111111",
      service: "Amazon S3",
      region: "us-east-1",
      sku: "TimedStorage-ByteHrs",
      resource: "bucket-a",
      cost: bucketA[t]!,
    });
    usage({
      subAccount: "111111111111",
      service: "Amazon S3",
      region: "eu-west-1",
      sku: "TimedStorage-ByteHrs",
      resource: "bucket-b",
      cost: bucketB[t]!,
    });
    usage({
      subAccount: "111111111111",
      service: "Amazon S3",
      region: "eu-west-1",
      sku: "EU-DataTransfer-Out-Bytes",
      resource: "bucket-b",
      cost: t >= PLANTED.from && t <= PLANTED.to ? PLANTED.extra : 2,
    });
    if (t >= SMALL_DAYS - 10)
      usage({
        subAccount: "222222222222",
        service: "Amazon Bedrock",
        region: "us-east-1",
        sku: "Input tokens",
        resource: null,
        cost: 40,
      });
    if (t === 90)
      usage({
        subAccount: "111111111111",
        service: "AWS Marketplace",
        region: null,
        sku: null,
        resource: null,
        category: "Purchase",
        cost: 5000,
      });
    if (day.endsWith("-01"))
      usage({
        subAccount: "111111111111",
        service: "Tax",
        region: null,
        sku: null,
        resource: null,
        category: "Tax",
        cost: 900,
      });
    usage(
      { service: "Virtual Machines", region: "westeurope", sku: "D4s v5", resource: "vm-eu-1", cost: 300 },
      azure,
    );
    usage(
      { service: "Functions", region: "westeurope", sku: "serverless", resource: null, cost: functions[t]! },
      azure,
    );
  });
  return charges;
}
