/**
 * gcpinventory:// through the real @google-cloud/compute clients (REST transport) against a local
 * server replaying projects.get, the aggregated lists of instances, disks and addresses, and the
 * snapshots list in their documented JSON shapes, over two pages where the list pages.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

const API = "https://www.googleapis.com/compute/v1/projects/acme-prod";
const ZONE = `${API}/zones/europe-west4-a`;
const noResults = (scope: string) => ({
  warning: {
    code: "NO_RESULTS_ON_PAGE",
    message: "There are no results for scope 'zones/x' on this page.",
    data: [{ key: "scope", value: scope }],
  },
});

const instance = (id: string, name: string, status: string, machine: string, bootDisk: string) => ({
  kind: "compute#instance",
  id,
  creationTimestamp: "2025-02-03T04:05:06.789-08:00",
  name,
  machineType: `${ZONE}/machineTypes/${machine}`,
  status,
  zone: ZONE,
  disks: [
    {
      kind: "compute#attachedDisk",
      type: "PERSISTENT",
      mode: "READ_WRITE",
      source: `${ZONE}/disks/${bootDisk}`,
      deviceName: "persistent-disk-0",
      index: 0,
      boot: true,
      autoDelete: true,
    },
  ],
  labels: { team: "search", env: "prod" },
  selfLink: `${ZONE}/instances/${name}`,
});

const ROUTES: Record<string, (q: URLSearchParams) => unknown> = {
  "/compute/v1/projects/acme-prod": () => ({
    kind: "compute#project",
    id: "8000000000000000001",
    name: "acme-prod",
    defaultServiceAccount: "441570621172-compute@developer.gserviceaccount.com",
    selfLink: API,
  }),
  "/compute/v1/projects/acme-prod/aggregated/instances": (q) =>
    q.get("pageToken")
      ? {
          kind: "compute#instanceAggregatedList",
          id: "projects/acme-prod/aggregated/instances",
          items: {
            "zones/europe-west4-a": {
              instances: [
                instance("2222222222222222222", "batch-1", "TERMINATED", "e2-standard-2", "batch-1"),
              ],
            },
          },
          selfLink: `${API}/aggregated/instances`,
        }
      : {
          kind: "compute#instanceAggregatedList",
          id: "projects/acme-prod/aggregated/instances",
          items: {
            "zones/europe-west4-a": {
              instances: [instance("1111111111111111111", "web-1", "RUNNING", "n2-standard-4", "web-1")],
            },
            "zones/us-central1-b": noResults("zones/us-central1-b"),
          },
          nextPageToken: "instances-page-2",
          selfLink: `${API}/aggregated/instances`,
        },
  "/compute/v1/projects/acme-prod/aggregated/disks": () => ({
    kind: "compute#diskAggregatedList",
    items: {
      "zones/europe-west4-a": {
        disks: [
          {
            kind: "compute#disk",
            id: "3333333333333333333",
            creationTimestamp: "2025-02-03T04:05:00.000-08:00",
            name: "web-1",
            sizeGb: "20",
            zone: ZONE,
            status: "READY",
            sourceImage:
              "https://www.googleapis.com/compute/v1/projects/debian-cloud/global/images/debian-12-bookworm-v20250110",
            sourceImageId: "5555555555555555555",
            type: `${ZONE}/diskTypes/pd-balanced`,
            users: [`${ZONE}/instances/web-1`],
            selfLink: `${ZONE}/disks/web-1`,
          },
          {
            kind: "compute#disk",
            id: "5731447681477044785",
            creationTimestamp: "2024-06-01T00:00:00.000-07:00",
            name: "orphan-data",
            sizeGb: "500",
            zone: ZONE,
            status: "READY",
            sourceSnapshot: `${API}/global/snapshots/nightly`,
            sourceSnapshotId: "4444444444444444444",
            type: `${ZONE}/diskTypes/pd-ssd`,
            labels: { team: "data" },
            selfLink: `${ZONE}/disks/orphan-data`,
          },
        ],
      },
    },
  }),
  "/compute/v1/projects/acme-prod/global/snapshots": () => ({
    kind: "compute#snapshotList",
    items: [
      {
        kind: "compute#snapshot",
        id: "4444444444444444444",
        creationTimestamp: "2024-05-01T00:00:00.000-07:00",
        name: "nightly",
        status: "READY",
        sourceDisk: `${ZONE}/disks/orphan-data`,
        sourceDiskId: "5731447681477044785",
        diskSizeGb: "500",
        storageBytes: "1073741824",
        storageLocations: ["eu"],
        snapshotType: "STANDARD",
        selfLink: `${API}/global/snapshots/nightly`,
      },
    ],
  }),
  "/compute/v1/projects/acme-prod/aggregated/addresses": () => ({
    kind: "compute#addressAggregatedList",
    items: {
      "regions/europe-west4": {
        addresses: [
          {
            kind: "compute#address",
            id: "6666666666666666666",
            name: "web-ip",
            address: "34.90.0.1",
            status: "IN_USE",
            region: `${API}/regions/europe-west4`,
            users: [`${ZONE}/instances/web-1`],
            networkTier: "PREMIUM",
            addressType: "EXTERNAL",
            creationTimestamp: "2025-02-03T04:00:00.000-08:00",
          },
          {
            kind: "compute#address",
            id: "7777777777777777777",
            name: "spare-ip",
            address: "34.90.0.2",
            status: "RESERVED",
            region: `${API}/regions/europe-west4`,
            networkTier: "STANDARD",
            addressType: "EXTERNAL",
            creationTimestamp: "2024-01-01T00:00:00.000-08:00",
          },
        ],
      },
      global: noResults("global"),
    },
  }),
};

let server: Server;
let endpoint: string;
const requests: URL[] = [];

beforeAll(async () => {
  process.env.GOOGLE_OAUTH_ACCESS_TOKEN = "test-token";
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    requests.push(url);
    const route = ROUTES[url.pathname];
    res.writeHead(route ? 200 : 404, { "content-type": "application/json" });
    res.end(
      JSON.stringify(
        route ? route(url.searchParams) : { error: { code: 404, message: `stub: ${url.pathname}` } },
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  delete process.env.GOOGLE_OAUTH_ACCESS_TOKEN;
  await new Promise((resolve) => server.close(resolve));
});

describe("gcpinventory://", () => {
  it("reads the aggregated lists page by page and writes the project's snapshot under billing's ids, which loads", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    config.sources.compute = { apiEndpoint: endpoint };
    const [local] = await resolveTargets(["gcpinventory://acme-prod"], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
    });
    const calls = requests.map((u) =>
      `${u.pathname.replace("/compute/v1/projects/acme-prod", "")} ${u.searchParams.get("pageToken") ?? ""}`.trim(),
    );
    expect(calls).toEqual([
      "", // projects.get, for the project's number
      "/aggregated/instances",
      "/aggregated/instances instances-page-2",
      "/aggregated/disks",
      "/global/snapshots",
      "/aggregated/addresses",
    ]);
    const instances = requests.find((u) => u.pathname.endsWith("/aggregated/instances"))!;
    expect(instances.searchParams.get("maxResults")).toBe("500");
    expect(instances.searchParams.get("returnPartialSuccess")).toBe("true");
    const addresses = requests.find((u) => u.pathname.endsWith("/aggregated/addresses"))!;
    expect(addresses.searchParams.get("filter")).toBe('addressType = "EXTERNAL"');

    const [file] = readdirSync(local!);
    expect(file).toMatch(/^computeapi-inventory-\d{4}-\d{2}\.csv$/);
    const lines = readFileSync(path.join(local!, file!), "utf8").trim().split("\n");
    const at = lines[1]!.split(",")[0]!;
    const id = (p: string) => `//compute.googleapis.com/projects/441570621172/${p}`;
    const row = (region: string, s: string) => `gcp,acme-prod,${region},${s},computeapi,`;
    expect(lines.slice(1).map((l) => l.slice(at.length + 1))).toEqual([
      row(
        "europe-west4",
        `${id("regions/europe-west4/addresses/6666666666666666666")},public_ip,in_use,${id("zones/europe-west4-a/instances/1111111111111111111")},PREMIUM,,2025-02-03T04:00:00.000-08:00,,{}`,
      ),
      row(
        "europe-west4",
        `${id("regions/europe-west4/addresses/7777777777777777777")},public_ip,reserved,,STANDARD,,2024-01-01T00:00:00.000-08:00,,{}`,
      ),
      row(
        "eu",
        `${id("global/snapshots/4444444444444444444")},snapshot,ready,,STANDARD,500,2024-05-01T00:00:00.000-07:00,${id("zones/europe-west4-a/disk/5731447681477044785")},{}`,
      ),
      row(
        "europe-west4",
        `${id("zones/europe-west4-a/instances/1111111111111111111")},virtual_machine,running,,n2-standard-4,,2025-02-03T04:05:06.789-08:00,//compute.googleapis.com/projects/debian-cloud/global/images/5555555555555555555,"{""env"":""prod"",""team"":""search""}"`,
      ),
      row(
        "europe-west4",
        `${id("zones/europe-west4-a/instances/2222222222222222222")},virtual_machine,terminated,,e2-standard-2,,2025-02-03T04:05:06.789-08:00,,"{""env"":""prod"",""team"":""search""}"`,
      ),
      row(
        "europe-west4",
        `${id("zones/europe-west4-a/disk/3333333333333333333")},volume,ready,${id("zones/europe-west4-a/instances/1111111111111111111")},pd-balanced,20,2025-02-03T04:05:00.000-08:00,//compute.googleapis.com/projects/debian-cloud/global/images/5555555555555555555,{}`,
      ),
      row(
        "europe-west4",
        `${id("zones/europe-west4-a/disk/5731447681477044785")},volume,ready,,pd-ssd,500,2024-06-01T00:00:00.000-07:00,${id("global/snapshots/4444444444444444444")},"{""team"":""data""}"`,
      ),
    ]);

    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    expect(result).toMatchObject({ format: "inventory_resources", status: "loaded", rows: 7 });
    await w.close();
  });
});
