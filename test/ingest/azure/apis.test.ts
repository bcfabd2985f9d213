/**
 * azuremonitor:// and azurecost:// through the real Azure SDK clients against a local
 * HTTPS server replaying Azure Monitor metrics and Cost Management Query responses
 * in their documented shapes.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { type HttpsJsonStub, startHttpsJsonStub } from "../../helpers/https-json-stub.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

const SUB = "00000000-1111-2222-3333-444444444444";
const VM = `/subscriptions/${SUB}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-1`;
let stub: HttpsJsonStub;

const point = (hour: number, v: number) => ({
  timeStamp: new Date(Date.UTC(2026, 9, 1, hour)).toISOString(),
  average: v,
  maximum: v * 2,
  minimum: v / 2,
  total: v * 1000,
});

beforeAll(async () => {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  process.env.AZURE_ACCESS_TOKEN = "test-token";
  stub = await startHttpsJsonStub(tempDir(), [
    {
      method: "GET",
      path: /\/providers\/microsoft\.insights\/metrics$/i,
      reply: (_body, url) => ({
        cost: 0,
        timespan: url.searchParams.get("timespan"),
        interval: "PT1H",
        namespace: "Microsoft.Compute/virtualMachines",
        resourceregion: "westeurope",
        value: (url.searchParams.get("metricnames") ?? "").split(",").map((name) => ({
          id: `${VM}/providers/Microsoft.Insights/metrics/${name}`,
          type: "Microsoft.Insights/metrics",
          name: { value: name, localizedValue: name },
          unit: name.includes("Percent") ? "Percent" : "Bytes",
          timeseries: [
            {
              metadatavalues: [],
              data: [
                point(0, name === "Available Memory Percentage" ? 80 : 4),
                point(1, name === "Available Memory Percentage" ? 70 : 6),
              ],
            },
          ],
        })),
      }),
    },
    {
      method: "POST",
      path: /\/providers\/Microsoft\.CostManagement\/query$/,
      reply: (body) => ({
        id: "query-1",
        properties: {
          nextLink: null,
          columns: [
            { name: "Cost", type: "Number" },
            { name: "UsageDate", type: "Number" },
            { name: "SubscriptionId", type: "String" },
            { name: "ServiceName", type: "String" },
            { name: "Currency", type: "String" },
          ],
          rows:
            body.type === "ActualCost"
              ? [
                  [12.5, 20261001, SUB, "Virtual Machines", "EUR"],
                  [3.25, 20261001, SUB, "Storage", "EUR"],
                ]
              : [
                  [10.75, 20261001, SUB, "Virtual Machines", "EUR"],
                  [3.25, 20261001, SUB, "Storage", "EUR"],
                ],
        },
      }),
    },
  ]);
});

afterAll(async () => {
  delete process.env.AZURE_ACCESS_TOKEN;
  await stub?.close();
});

describe("Azure API sources", () => {
  it("azuremonitor:// writes hourly VM samples in the metrics layout, memory as used percent", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    config.sources.azure = { armEndpoint: stub.url };
    const [local] = await resolveTargets([`azuremonitor://${SUB}?resource=${encodeURIComponent(VM)}`], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
      since: "2026-10",
    });
    const csv = readFileSync(`${local}/azure_monitor-metrics-2026-10.csv`, "utf8").trim().split("\n");
    expect(csv[1]).toBe(`2026-10-01T00:00:00.000Z,azure,${VM},azure_monitor,4,8,20,60,4000,4000,4000,4000`);
    expect(csv).toHaveLength(3);
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    expect(result).toMatchObject({ format: "metrics_hourly", status: "loaded", rows: 2 });
    await w.close();
  });

  it("azurecost:// lands daily actual and amortized cost by subscription and service", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    config.sources.azure = { armEndpoint: stub.url };
    const [local] = await resolveTargets([`azurecost://subscriptions/${SUB}`], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
      since: "2026-10",
    });
    const queries = stub.requests.filter((r) => r.method === "POST").map((r) => r.body.type);
    expect(queries).toEqual(["ActualCost", "AmortizedCost"]);
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    expect(result).toMatchObject({
      format: "azure_cost_management",
      status: "loaded",
      rows: 2,
      totals: { EUR: "15.7500000000" },
    });
    const rows = await w.all<{ service_name: string; amortized_cost: string }>(
      "select service_name, amortized_cost from raw.azure_cost_management_daily order by 1",
    );
    expect(rows).toEqual([
      { service_name: "Storage", amortized_cost: "3.25" },
      { service_name: "Virtual Machines", amortized_cost: "10.75" },
    ]);
    await w.close();
  });
});
