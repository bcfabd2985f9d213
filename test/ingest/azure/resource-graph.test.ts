/**
 * azureinventory:// through the real @azure/arm-resourcegraph client against a local HTTPS server
 * replaying Resource Graph's `resources` responses in their documented shape (objectArray data,
 * $skipToken paging), then loaded as an inventory snapshot.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { type HttpsJsonStub, startHttpsJsonStub } from "../../helpers/https-json-stub.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

const SUB = "00000000-1111-2222-3333-444444444444";
const RG = `/subscriptions/${SUB}/resourceGroups/RG-Web/providers`;
const VM1 = `${RG}/Microsoft.Compute/virtualMachines/web-1`;
const VM2 = `${RG}/Microsoft.Compute/virtualMachines/batch-2`;
const NIC = `${RG}/Microsoft.Network/networkInterfaces/web-1-nic`;

const page = (data: unknown[], skipToken?: string) => ({
  totalRecords: data.length,
  count: data.length,
  resultTruncated: "false",
  ...(skipToken ? { $skipToken: skipToken } : {}),
  data,
});

const ANSWERS: [RegExp, (skipToken?: string) => unknown][] = [
  [/networkinterfaces/, () => page([{ id: NIC, vm: VM1 }])],
  [
    /virtualmachines/,
    (skipToken) =>
      skipToken
        ? page([
            {
              id: VM2,
              location: "westeurope",
              tags: null,
              size: "Standard_D2s_v5",
              powerState: "PowerState/deallocated",
              timeCreated: "2025-03-04T05:06:07.1234567+00:00",
              imageId: "",
            },
          ])
        : page(
            [
              {
                id: VM1,
                location: "westeurope",
                tags: { team: "web", env: "prod" },
                size: "Standard_D4s_v5",
                powerState: "PowerState/running",
                timeCreated: "2025-01-02T03:04:05.0000000+00:00",
                imageId: `${RG}/Microsoft.Compute/images/golden`,
              },
            ],
            "vm-page-2",
          ),
  ],
  [
    /microsoft\.compute\/disks/,
    () =>
      page([
        {
          id: `${RG}/Microsoft.Compute/disks/web-1-os`,
          location: "westeurope",
          tags: {},
          managedBy: VM1,
          sku: "Premium_LRS",
          diskState: "Attached",
          diskSizeGB: 128,
          timeCreated: "2025-01-02T03:04:05.0000000+00:00",
          sourceResourceId: "",
          imageId:
            "/Subscriptions/x/Providers/Microsoft.Compute/Locations/westeurope/Publishers/Canonical/ArtifactTypes/VMImage/Offers/ubuntu/Skus/22_04/Versions/latest",
        },
        {
          id: `${RG}/Microsoft.Compute/disks/old-data`,
          location: "westeurope",
          tags: { team: "web" },
          managedBy: "",
          sku: "StandardSSD_LRS",
          diskState: "Unattached",
          diskSizeGB: 256,
          timeCreated: "2024-05-06T00:00:00.0000000+00:00",
          sourceResourceId: `${RG}/Microsoft.Compute/snapshots/nightly`,
          imageId: "",
        },
      ]),
  ],
  [
    /microsoft\.compute\/snapshots/,
    () =>
      page([
        {
          id: `${RG}/Microsoft.Compute/snapshots/nightly`,
          location: "westeurope",
          tags: null,
          sku: "Standard_LRS",
          provisioningState: "Succeeded",
          diskSizeGB: 256,
          timeCreated: "2024-04-01T00:00:00.0000000+00:00",
          sourceResourceId: `${RG}/Microsoft.Compute/disks/old-data`,
        },
      ]),
  ],
  [
    /publicipaddresses/,
    () =>
      page([
        {
          id: `${RG}/Microsoft.Network/publicIPAddresses/web-1-ip`,
          location: "westeurope",
          tags: {},
          sku: "Standard",
          ipConfiguration: `${NIC}/ipConfigurations/ipconfig1`,
          natGateway: "",
        },
        {
          id: `${RG}/Microsoft.Network/publicIPAddresses/spare-ip`,
          location: "westeurope",
          tags: {},
          sku: "Basic",
          ipConfiguration: "",
          natGateway: "",
        },
      ]),
  ],
];

let stub: HttpsJsonStub;

beforeAll(async () => {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  process.env.AZURE_ACCESS_TOKEN = "test-token";
  stub = await startHttpsJsonStub(tempDir(), [
    {
      method: "POST",
      path: /^\/providers\/Microsoft\.ResourceGraph\/resources$/,
      reply: (body) => {
        const query = String(body.query).toLowerCase();
        const options = (body.options ?? {}) as Record<string, string | undefined>;
        const answer = ANSWERS.find(([pattern]) => pattern.test(query));
        return answer ? answer[1](options.$skipToken) : page([]);
      },
    },
  ]);
});

afterAll(async () => {
  delete process.env.AZURE_ACCESS_TOKEN;
  await stub?.close();
});

describe("azureinventory://", () => {
  it("queries Resource Graph page by page and writes the subscription's snapshot, which loads", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    config.sources.azure = { armEndpoint: stub.url };
    const [local] = await resolveTargets([`azureinventory://${SUB}`], {
      cacheDir: config.paths.cache,
      config,
      progress: quiet,
    });

    expect(stub.requests.map((r) => r.url.searchParams.get("api-version"))).toEqual(
      Array(6).fill("2021-03-01"),
    );
    expect(stub.requests.every((r) => JSON.stringify(r.body.subscriptions) === JSON.stringify([SUB]))).toBe(
      true,
    );
    const vmCalls = stub.requests.filter((r) => /virtualmachines/.test(String(r.body.query)));
    expect(vmCalls.map((r) => r.body.options)).toEqual([
      { $top: 1000, resultFormat: "objectArray" },
      { $top: 1000, $skipToken: "vm-page-2", resultFormat: "objectArray" },
    ]);
    expect(String(vmCalls[0]!.body.query)).toContain("properties.extended.instanceView.powerState.code");

    const [file] = readdirSync(local!);
    expect(file).toMatch(/^resourcegraph-inventory-\d{4}-\d{2}\.csv$/);
    const lines = readFileSync(path.join(local!, file!), "utf8").trim().split("\n");
    const at = lines[1]!.split(",")[0]!;
    const rg = `/subscriptions/${SUB}/resourcegroups/rg-web/providers`;
    const row = (s: string) => `azure,${SUB},westeurope,${s},resourcegraph,`;
    expect(lines.slice(1).map((l) => l.slice(at.length + 1))).toEqual([
      row(`${rg}/microsoft.network/publicipaddresses/spare-ip,public_ip,unassociated,,Basic,,,,{}`),
      row(
        `${rg}/microsoft.network/publicipaddresses/web-1-ip,public_ip,associated,${rg}/microsoft.compute/virtualmachines/web-1,Standard,,,,{}`,
      ),
      row(
        `${rg}/microsoft.compute/snapshots/nightly,snapshot,succeeded,,Standard_LRS,256,2024-04-01T00:00:00.0000000+00:00,${rg}/microsoft.compute/disks/old-data,{}`,
      ),
      row(
        `${rg}/microsoft.compute/virtualmachines/batch-2,virtual_machine,deallocated,,Standard_D2s_v5,,2025-03-04T05:06:07.1234567+00:00,,{}`,
      ),
      row(
        `${rg}/microsoft.compute/virtualmachines/web-1,virtual_machine,running,,Standard_D4s_v5,,2025-01-02T03:04:05.0000000+00:00,${rg}/microsoft.compute/images/golden,"{""env"":""prod"",""team"":""web""}"`,
      ),
      row(
        `${rg}/microsoft.compute/disks/old-data,volume,unattached,,StandardSSD_LRS,256,2024-05-06T00:00:00.0000000+00:00,${rg}/microsoft.compute/snapshots/nightly,"{""team"":""web""}"`,
      ),
      row(
        `${rg}/microsoft.compute/disks/web-1-os,volume,attached,${rg}/microsoft.compute/virtualmachines/web-1,Premium_LRS,128,2025-01-02T03:04:05.0000000+00:00,/subscriptions/x/providers/microsoft.compute/locations/westeurope/publishers/canonical/artifacttypes/vmimage/offers/ubuntu/skus/22_04/versions/latest,{}`,
      ),
    ]);

    const w = await Warehouse.open({ path: ":memory:" });
    const [result] = await ingestPaths(w, [local!], { lakeDir: config.paths.lake }, quiet);
    expect(result).toMatchObject({ format: "inventory_resources", status: "loaded", rows: 7 });
    const ledger = await w.all<{ account: string }>(
      "select distinct billing_account as account from ops.load_parts where raw_table = 'raw.inventory_resources'",
    );
    expect(ledger).toEqual([{ account: `azure:${SUB}:resourcegraph` }]);
    await w.close();
  });
});
