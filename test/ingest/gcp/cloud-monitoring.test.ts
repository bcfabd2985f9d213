/**
 * cloudmonitoring:// through the real @google-cloud/monitoring client (REST transport)
 * against a local server replaying timeSeries.list in its documented JSON shape.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

let server: Server;
let endpoint: string;
const filters: string[] = [];

const VALUES: Record<string, [number, number]> = {
  "compute.googleapis.com/instance/cpu/utilization": [0.04, 0.06],
  "compute.googleapis.com/instance/network/received_bytes_count": [1000, 2000],
  "compute.googleapis.com/instance/network/sent_bytes_count": [500, 700],
  "compute.googleapis.com/instance/disk/read_bytes_count": [10, 20],
  "compute.googleapis.com/instance/disk/write_bytes_count": [30, 40],
};

beforeAll(async () => {
  process.env.GOOGLE_OAUTH_ACCESS_TOKEN = "test-token";
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const filter = url.searchParams.get("filter") ?? "";
    filters.push(filter);
    const type = filter.match(/metric\.type = "([^"]+)"/)?.[1] ?? "";
    const values = VALUES[type];
    const point = (hour: number, v: number) => ({
      interval: { startTime: `2026-10-01T0${hour}:00:00Z`, endTime: `2026-10-01T0${hour + 1}:00:00Z` },
      value: type.includes("bytes") ? { int64Value: String(v) } : { doubleValue: v },
    });
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        timeSeries: values
          ? [
              {
                metric: { type, labels: {} },
                resource: {
                  type: "gce_instance",
                  labels: { project_id: "acme", instance_id: "123", zone: "us-central1-a" },
                },
                metadata: { systemLabels: { name: "web-1" } },
                metricKind: type.includes("bytes") ? "DELTA" : "GAUGE",
                valueType: type.includes("bytes") ? "INT64" : "DOUBLE",
                points: [point(1, values[1]), point(0, values[0])],
              },
            ]
          : [],
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  delete process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  await new Promise((resolve) => server.close(resolve));
});

describe("cloudmonitoring://", () => {
  it("writes hourly Compute Engine samples under the instances' billing ids and they load", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    config.sources.cloudMonitoring = { apiEndpoint: endpoint };
    const [local] = await resolveTargets(["cloudmonitoring://acme"], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
      since: "2026-10",
    });
    expect(filters.some((f) => f.includes('metric.labels.state = "used"'))).toBe(true);
    const csv = readFileSync(`${local}/cloud_monitoring-metrics-2026-10.csv`, "utf8").trim().split("\n");
    expect(csv.slice(1)).toEqual([
      "2026-10-01T00:00:00.000Z,gcp,//compute.googleapis.com/projects/acme/zones/us-central1-a/instances/web-1,cloud_monitoring,4,4,,,1000,500,10,30",
      "2026-10-01T01:00:00.000Z,gcp,//compute.googleapis.com/projects/acme/zones/us-central1-a/instances/web-1,cloud_monitoring,6,6,,,2000,700,20,40",
    ]);
    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    expect(result).toMatchObject({ format: "metrics_hourly", status: "loaded", rows: 2 });
    await w.close();
  });
});
