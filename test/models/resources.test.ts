/**
 * marts.resources knows every volume's kind and type from the lines the exports really carry:
 * AWS's io1 storage line ends in ".piops" and its provisioned IOPS come on a line of their own;
 * a magnetic volume's usage type has no suffix; OCI names boot volumes "Boot Volume".
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, modelVars } from "../../core/config.ts";
import { buildProject } from "../../core/dbt/runner.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");

/** A warehouse with the exports in `dir` ingested and the models built (no tests). */
async function built(dir: string): Promise<Warehouse> {
  const w = await Warehouse.open({ path: ":memory:" });
  await ingestPaths(w, [dir], { lakeDir: tempDir() }, quiet);
  await buildProject(
    w,
    ROOT,
    {
      runModels: true,
      runTests: false,
      vars: modelVars(loadConfig({ cwd: tempDir(), env: {} })),
      externalRoot: tempDir(),
    },
    quiet,
  );
  return w;
}

describe("marts.resources", () => {
  it("types AWS volumes by their usage type's suffix, IOPS lines included, and OCI boot volumes as volumes", async () => {
    const dir = tempDir();
    const cur = (id: string, usageType: string, cost: string) =>
      `111111111111,2026-10-01T00:00:00Z,222222222222,Usage,2026-10-31T00:00:00Z,2026-11-01T00:00:00Z,AmazonEC2,${usageType},${id},us-east-1,1,${cost},USD`;
    writeFileSync(
      path.join(dir, "cur2-2026-10.csv"),
      [
        "bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,line_item_usage_type,line_item_resource_id,product_region_code,line_item_usage_amount,line_item_unblended_cost,line_item_currency_code",
        cur("vol-io1", "EBS:VolumeUsage.piops", "4.16"),
        cur("vol-io1", "EBS:VolumeP-IOPS.piops", "2.16"),
        cur("vol-gp3", "EBS:VolumeUsage.gp3", "0.26"),
        cur("vol-gp3", "EBS:VolumeP-Throughput.gp3", "0.01"),
        cur("vol-magnetic", "EBS:VolumeUsage", "0.16"),
      ].join("\n"),
    );
    writeFileSync(
      path.join(dir, "focus-oci-2026-10.csv"),
      [
        "BilledCost,BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,EffectiveCost,ListCost,ContractedCost,ProviderName,ServiceName,ResourceId,ResourceType,SkuMeter",
        "0.85,ocid1.tenancy.oc1..t,USD,2026-10-01T00:00Z,2026-11-01T00:00Z,2026-10-31T00:00Z,2026-11-01T00:00Z,Usage,0.85,0.85,0.85,Oracle Cloud Infrastructure,Block Storage,ocid1.bootvolume.oc1.iad.b1,Boot Volume,Block Volume Storage",
      ].join("\n"),
    );
    const w = await built(dir);
    const rows = await w.all<{
      id: string;
      provider: string;
      kind: string;
      sku: string | null;
      cost: string;
    }>(
      `select resource_id as id, provider, resource_type as kind, sku
       from marts.resources order by 1`,
    );
    expect(rows).toEqual([
      { id: "ocid1.bootvolume.oc1.iad.b1", provider: "oci", kind: "volume", sku: "Block Volume Storage" },
      { id: "vol-gp3", provider: "aws", kind: "volume", sku: "gp3" },
      { id: "vol-io1", provider: "aws", kind: "volume", sku: "io1" },
      { id: "vol-magnetic", provider: "aws", kind: "volume", sku: "standard" },
    ]);
    await w.close();
  });

  it("describes a resource billed two ways as it was billed last, and then by what cost most", async () => {
    const dir = tempDir();
    const line = (day: string, product: string, usageType: string, id: string, type: string, cost: string) =>
      `111111111111,2026-10-01T00:00:00Z,222222222222,Usage,2026-10-${day}T00:00:00Z,2026-10-${day}T01:00:00Z,${product},${usageType},${id},${type},us-east-1,1,${cost},USD`;
    writeFileSync(
      path.join(dir, "cur2-2026-10.csv"),
      [
        "bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_usage_end_date,line_item_product_code,line_item_usage_type,line_item_resource_id,product_instance_type,product_region_code,line_item_usage_amount,line_item_unblended_cost,line_item_currency_code",
        // Resized on the 10th: the size it runs at now is the one to act on, not the bigger one before.
        line("02", "AmazonEC2", "BoxUsage:m5.xlarge", "i-resized", "m5.xlarge", "9.00"),
        line("12", "AmazonEC2", "BoxUsage:m5.large", "i-resized", "m5.large", "2.00"),
        // A bucket's storage and its data transfer, billed the same day: storage cost most.
        line("12", "AmazonS3", "TimedStorage-ByteHrs", "my-bucket", "", "3.00"),
        line("12", "AWSDataTransfer", "DataTransfer-Out-Bytes", "my-bucket", "", "0.40"),
      ].join("\n"),
    );
    const w = await built(dir);
    const rows = await w.all<{
      id: string;
      service: string;
      sku: string | null;
      first: string;
      last: string;
    }>(
      `select resource_id as id, service_name as service, sku, first_seen::varchar as first, last_seen::varchar as last
       from marts.resources order by 1`,
    );
    expect(rows).toEqual([
      {
        id: "i-resized",
        service: "Amazon Elastic Compute Cloud",
        sku: "m5.large",
        first: "2026-10-02",
        last: "2026-10-12",
      },
      {
        id: "my-bucket",
        service: "Amazon Simple Storage Service",
        sku: null,
        first: "2026-10-12",
        last: "2026-10-12",
      },
    ]);
    await w.close();
  });
});
