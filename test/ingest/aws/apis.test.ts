/**
 * cloudwatch:// and costexplorer:// through the real AWS SDK clients against a local
 * server that replays GetMetricData and GetCostAndUsage in their documented shapes.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { type AwsJsonStub, startAwsJsonStub } from "../../helpers/aws-json-stub.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

let stub: AwsJsonStub;
const HOUR = 3600;
const t0 = Date.UTC(2026, 9, 1) / 1000; // 2026-10-01T00:00:00Z

beforeAll(async () => {
  stub = await startAwsJsonStub({
    GetMetricData: (body) => {
      const queries = body.MetricDataQueries as {
        Id: string;
        MetricStat: { Metric: { MetricName: string }; Stat: string };
      }[];
      return {
        MetricDataResults: queries
          // The agent's memory metric is absent, as on an instance without the CloudWatch agent.
          .filter((q) => q.MetricStat.Metric.MetricName !== "mem_used_percent")
          .map((q) => ({
            Id: q.Id,
            Label: q.MetricStat.Metric.MetricName,
            StatusCode: "Complete",
            Timestamps: [t0, t0 + HOUR, t0 + 2 * HOUR],
            Values: q.MetricStat.Stat === "Maximum" ? [9.5, 12, 7.25] : [3.5, 4, 2.25],
          })),
      };
    },
    GetCostAndUsage: () => ({
      ResultsByTime: [
        {
          TimePeriod: { Start: "2026-10-01", End: "2026-10-02" },
          Estimated: false,
          Groups: [
            {
              Keys: ["111111111111", "Amazon Elastic Compute Cloud - Compute"],
              Metrics: {
                UnblendedCost: { Amount: "123.4567891", Unit: "USD" },
                AmortizedCost: { Amount: "100.00", Unit: "USD" },
                UsageQuantity: { Amount: "240", Unit: "N/A" },
              },
            },
            {
              Keys: ["111111111111", "Amazon Simple Storage Service"],
              Metrics: {
                UnblendedCost: { Amount: "1.2E-3", Unit: "USD" },
                AmortizedCost: { Amount: "0.0012", Unit: "USD" },
                UsageQuantity: { Amount: "5", Unit: "N/A" },
              },
            },
          ],
        },
        {
          TimePeriod: { Start: "2026-10-02", End: "2026-10-03" },
          Estimated: true,
          Groups: [
            {
              Keys: ["222222222222", "AWS Lambda"],
              Metrics: {
                UnblendedCost: { Amount: "0.5", Unit: "USD" },
                AmortizedCost: { Amount: "0.5", Unit: "USD" },
                UsageQuantity: { Amount: "1000", Unit: "N/A" },
              },
            },
          ],
        },
      ],
    }),
  });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_REGION: "us-east-1",
    AWS_ENDPOINT_URL_CLOUDWATCH: stub.url,
    AWS_ENDPOINT_URL_COST_EXPLORER: stub.url,
  });
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_CLOUDWATCH;
  delete process.env.AWS_ENDPOINT_URL_COST_EXPLORER;
  await stub?.close();
});

describe("AWS API sources", () => {
  it("cloudwatch:// writes hourly samples in the metrics layout and they load", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    const [local] = await resolveTargets(["cloudwatch://us-east-1?instance=i-0abc&instance=i-0def"], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
      since: "2026-10",
    });
    const request = stub.requests.find((r) => r.target.endsWith("GetMetricData"))!;
    expect((request.body.MetricDataQueries as unknown[]).length).toBe(16);
    const csv = readFileSync(`${local}/cloudwatch-metrics-2026-10.csv`, "utf8").trim().split("\n");
    expect(csv[0]).toBe(
      "timestamp,provider,resource_id,source,cpu_avg_pct,cpu_max_pct,memory_avg_pct,memory_max_pct,network_in_bytes,network_out_bytes,disk_read_bytes,disk_write_bytes",
    );
    expect(csv[1]).toBe("2026-10-01T00:00:00.000Z,aws,i-0abc,cloudwatch,3.5,9.5,,,3.5,3.5,3.5,3.5");
    expect(csv).toHaveLength(1 + 2 * 3);
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    expect(result).toMatchObject({ format: "metrics_hourly", status: "loaded", rows: 6 });
    await w.close();
  });

  it("cloudwatch:// without instances pulls the region's VMs the landed billing shows on its last days", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    const w = await Warehouse.open({ path: ":memory:" });
    // A CUR 2.0 CSV as Data Exports writes it: instance-hours of three VMs and one EBS volume.
    const cur = path.join(tempDir(), "cur2-2026-10.csv");
    const line = (id: string, usageType: string, region: string, day: string) =>
      `111111111111,2026-10-01T00:00:00Z,222222222222,Usage,${day}T00:00:00Z,${usageType},${id},${region},0.0832,USD`;
    writeFileSync(
      cur,
      [
        "bill_payer_account_id,bill_billing_period_start_date,line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,line_item_usage_type,line_item_resource_id,product_region_code,line_item_unblended_cost,line_item_currency_code",
        line("i-0known", "BoxUsage:m5.large", "us-east-1", "2026-10-30"),
        line("i-0known", "BoxUsage:m5.large", "us-east-1", "2026-10-31"),
        line("i-0spot", "USE1-SpotUsage:c5.xlarge", "us-east-1", "2026-10-31"),
        line("i-0gone", "BoxUsage:m5.large", "us-east-1", "2026-10-20"),
        line("i-0elsewhere", "EU-BoxUsage:m5.large", "eu-west-1", "2026-10-31"),
        line("vol-0disk", "EBS:VolumeUsage.gp3", "us-east-1", "2026-10-31"),
      ].join("\n"),
    );
    await ingestPaths(w, [cur], { lakeDir: config.paths.lake }, quiet);
    const before = stub.requests.length;
    await resolveTargets(["cloudwatch://us-east-1"], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
      since: "2026-10",
      warehouse: w,
    });
    const queries = stub.requests
      .slice(before)
      .flatMap(
        (r) => r.body.MetricDataQueries as { MetricStat: { Metric: { Dimensions: { Value: string }[] } } }[],
      );
    expect(new Set(queries.map((q) => q.MetricStat.Metric.Dimensions[0]!.Value))).toEqual(
      new Set(["i-0known", "i-0spot"]),
    );
    await w.close();
  });

  it("costexplorer:// lands daily service-level cost, marked as Cost Explorer data", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    const [local] = await resolveTargets(["costexplorer://"], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
      since: "2026-10",
    });
    const request = stub.requests.find((r) => r.target.endsWith("GetCostAndUsage"))!;
    expect(request.body).toMatchObject({ Granularity: "DAILY", TimePeriod: { Start: "2026-10-01" } });
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    expect(result).toMatchObject({
      format: "aws_cost_explorer",
      status: "loaded",
      rows: 3,
      totals: { USD: "123.9579891000" },
    });
    const marked = await w.all<{ source: string; estimated: string }>(
      "select distinct source, estimated from raw.aws_cost_explorer_daily order by 2",
    );
    expect(marked).toEqual([
      { source: "aws_cost_explorer", estimated: "false" },
      { source: "aws_cost_explorer", estimated: "true" },
    ]);
    await w.close();
  });
});
