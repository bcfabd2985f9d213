/**
 * ec2inventory:// through the real @aws-sdk/client-ec2 against a local server that replays
 * DescribeInstances, DescribeVolumes, DescribeSnapshots and DescribeAddresses in the EC2 Query
 * protocol's documented XML, over two pages where EC2 pages.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { type Ec2QueryStub, startEc2QueryStub } from "../../helpers/ec2-query-stub.ts";
import { quiet, tempDir } from "../../helpers/tmp.ts";

const tags = (t: Record<string, string>) => Object.entries(t).map(([key, value]) => ({ key, value }));

const instance = (id: string, state: string, type: string, rootVolume: string, attached: string) => ({
  instanceId: id,
  imageId: "ami-0abcdef1234567890",
  instanceState: { code: state === "running" ? 16 : 80, name: state },
  privateDnsName: "ip-10-0-0-12.ec2.internal",
  instanceType: type,
  launchTime: "2026-10-20T08:00:00.000Z",
  placement: { availabilityZone: "us-east-1a", tenancy: "default" },
  rootDeviceType: "ebs",
  rootDeviceName: "/dev/xvda",
  blockDeviceMapping: [
    {
      deviceName: "/dev/xvda",
      ebs: { volumeId: rootVolume, status: "attached", attachTime: attached, deleteOnTermination: true },
    },
  ],
  tagSet: tags({ team: "data", Name: id }),
});

let stub: Ec2QueryStub;
/** What the account holds: the second read finds the data volume detached. */
let detached = false;

beforeAll(async () => {
  stub = await startEc2QueryStub({
    DescribeInstances: (p) =>
      p.NextToken
        ? {
            reservationSet: [
              {
                reservationId: "r-2",
                ownerId: "123456789012",
                groupSet: "",
                instancesSet: [
                  instance(
                    "i-0stopped000000001",
                    "stopped",
                    "t3.large",
                    "vol-0root00000000002",
                    "2024-02-01T10:00:00.000Z",
                  ),
                ],
              },
            ],
          }
        : {
            reservationSet: [
              {
                reservationId: "r-1",
                ownerId: "123456789012",
                groupSet: "",
                instancesSet: [
                  instance(
                    "i-0running00000001",
                    "running",
                    "m5.large",
                    "vol-0root00000000001",
                    "2025-06-01T09:30:00.000Z",
                  ),
                ],
              },
            ],
            nextToken: "instances-page-2",
          },
    DescribeVolumes: (p) =>
      p.NextToken
        ? {
            volumeSet: [
              {
                volumeId: "vol-0data0000000001",
                size: 500,
                snapshotId: "snap-0source00000001",
                availabilityZone: "us-east-1a",
                status: detached ? "available" : "in-use",
                createTime: "2025-07-01T00:00:00.000Z",
                attachmentSet: detached
                  ? ""
                  : [
                      {
                        volumeId: "vol-0data0000000001",
                        instanceId: "i-0running00000001",
                        device: "/dev/sdf",
                        status: "attached",
                        attachTime: "2025-07-01T00:05:00.000Z",
                        deleteOnTermination: false,
                      },
                    ],
                volumeType: "gp2",
                encrypted: false,
                multiAttachEnabled: false,
              },
            ],
          }
        : {
            volumeSet: [
              {
                volumeId: "vol-0root00000000001",
                size: 8,
                snapshotId: "",
                availabilityZone: "us-east-1a",
                status: "in-use",
                createTime: "2025-06-01T09:30:00.000Z",
                attachmentSet: [
                  {
                    volumeId: "vol-0root00000000001",
                    instanceId: "i-0running00000001",
                    device: "/dev/xvda",
                    status: "attached",
                    attachTime: "2025-06-01T09:30:00.000Z",
                    deleteOnTermination: true,
                  },
                ],
                volumeType: "gp3",
                iops: 3000,
                encrypted: true,
                multiAttachEnabled: false,
                tagSet: tags({ team: "data" }),
              },
            ],
            nextToken: "volumes-page-2",
          },
    DescribeSnapshots: () => ({
      snapshotSet: [
        {
          snapshotId: "snap-0old000000000001",
          volumeId: "vol-0gone0000000001",
          status: "completed",
          startTime: "2024-11-02T03:00:00.000Z",
          progress: "100%",
          ownerId: "123456789012",
          volumeSize: 100,
          description: "nightly",
          encrypted: false,
          storageTier: "standard",
        },
        {
          snapshotId: "snap-0fromami00000001",
          volumeId: "vol-ffffffff",
          status: "completed",
          startTime: "2025-01-01T00:00:00.000Z",
          progress: "100%",
          ownerId: "123456789012",
          volumeSize: 8,
          description: "Copied for DestinationAmi ami-0abcdef1234567890",
          encrypted: false,
          storageTier: "archive",
        },
      ],
    }),
    DescribeAddresses: () => ({
      addressesSet: [
        {
          publicIp: "203.0.113.25",
          allocationId: "eipalloc-0aaaaaaaaaaaaaaa1",
          domain: "vpc",
          instanceId: "i-0running00000001",
          associationId: "eipassoc-0aaaaaaaaaaaaaaa1",
          networkInterfaceId: "eni-0aaaaaaaaaaaaaaa1",
          networkInterfaceOwnerId: "123456789012",
          privateIpAddress: "10.0.0.12",
          publicIpv4Pool: "amazon",
          networkBorderGroup: "us-east-1",
        },
        {
          publicIp: "198.51.100.7",
          allocationId: "eipalloc-0bbbbbbbbbbbbbbb2",
          domain: "vpc",
          tagSet: tags({ purpose: "spare" }),
          publicIpv4Pool: "amazon",
          networkBorderGroup: "us-east-1",
        },
      ],
    }),
  });
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" });
});

afterAll(async () => {
  await stub?.close();
});

describe("ec2inventory://", () => {
  it("pages through Describe*, writes the region's snapshot in the inventory layout, and a newer one restates it", async () => {
    const dataDir = tempDir();
    const config = loadConfig({ dataDir, env: {}, cwd: dataDir });
    config.sources.ec2 = { endpoint: stub.url };
    const fetch = async () =>
      (
        await resolveTargets(["ec2inventory://us-east-1"], {
          cacheDir: config.paths.cache,
          config,
          progress: quiet,
        })
      )[0]!;
    const local = await fetch();

    const calls = stub.requests.map((r) => [r.action, r.params.NextToken ?? ""]);
    expect(calls).toEqual([
      ["DescribeInstances", ""],
      ["DescribeInstances", "instances-page-2"],
      ["DescribeVolumes", ""],
      ["DescribeVolumes", "volumes-page-2"],
      ["DescribeSnapshots", ""],
      ["DescribeAddresses", ""],
    ]);
    const [instances] = stub.requests;
    expect(instances!.params).toMatchObject({
      Version: "2016-11-15",
      MaxResults: "1000",
      "Filter.1.Name": "instance-state-name",
      "Filter.1.Value.1": "pending",
      "Filter.1.Value.5": "stopped",
    });
    expect(instances!.params["Filter.1.Value.6"]).toBeUndefined(); // terminated instances are gone
    expect(stub.requests[2]!.params.MaxResults).toBe("500");
    expect(stub.requests[4]!.params).toMatchObject({ "Owner.1": "self", MaxResults: "1000" });

    expect(local).toBe(path.join(config.paths.cache, "ec2inventory", "123456789012", "us-east-1"));
    const [file] = readdirSync(local);
    expect(file).toMatch(/^ec2-inventory-\d{4}-\d{2}\.csv$/);
    const lines = readFileSync(path.join(local, file!), "utf8").trim().split("\n");
    expect(lines[0]).toBe(
      "snapshot_time,provider,account_id,region,resource_id,resource_type,state,attached_to,size,size_gb,created_at,source_id,tags,source,scope",
    );
    const at = lines[1]!.split(",")[0]!;
    expect(at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    const rest = lines.slice(1).map((l) => l.slice(at.length + 1));
    const row = (s: string) => `aws,123456789012,us-east-1,${s},ec2,us-east-1`;
    expect(rest).toEqual([
      row('198.51.100.7,public_ip,unassociated,,,,,,"{""purpose"":""spare""}"'),
      row("203.0.113.25,public_ip,associated,i-0running00000001,,,,,{}"),
      row(
        "arn:aws:ec2:us-east-1:123456789012:snapshot/snap-0fromami00000001,snapshot,completed,,archive,8,2025-01-01T00:00:00Z,,{}",
      ),
      row(
        "arn:aws:ec2:us-east-1:123456789012:snapshot/snap-0old000000000001,snapshot,completed,,standard,100,2024-11-02T03:00:00Z,vol-0gone0000000001,{}",
      ),
      row(
        'i-0running00000001,virtual_machine,running,,m5.large,,2025-06-01T09:30:00Z,ami-0abcdef1234567890,"{""Name"":""i-0running00000001"",""team"":""data""}"',
      ),
      row(
        'i-0stopped000000001,virtual_machine,stopped,,t3.large,,2024-02-01T10:00:00Z,ami-0abcdef1234567890,"{""Name"":""i-0stopped000000001"",""team"":""data""}"',
      ),
      row(
        "vol-0data0000000001,volume,in-use,i-0running00000001,gp2,500,2025-07-01T00:00:00Z,arn:aws:ec2:us-east-1:123456789012:snapshot/snap-0source00000001,{}",
      ),
      row(
        'vol-0root00000000001,volume,in-use,i-0running00000001,gp3,8,2025-06-01T09:30:00Z,,"{""team"":""data""}"',
      ),
    ]);

    const w = await Warehouse.open({ path: ":memory:" });
    const [first] = await ingestPaths(w, [local], { lakeDir: config.paths.lake }, quiet);
    expect(first).toMatchObject({ format: "inventory_resources", status: "loaded", rows: 8 });

    // A later read of the region: the data volume is detached now. It restates the region's snapshot.
    detached = true;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await fetch();
    const [second] = await ingestPaths(w, [local], { lakeDir: config.paths.lake }, quiet);
    expect(second).toMatchObject({ format: "inventory_resources", status: "replaced", rows: 8 });
    const volume = await w.all<{ state: string; attached_to: string | null; n: string }>(
      `select state, attached_to, (select count(*) from raw.inventory_resources)::varchar as n
       from raw.inventory_resources where resource_id = 'vol-0data0000000001'`,
    );
    expect(volume).toEqual([{ state: "available", attached_to: null, n: "8" }]);
    const ledger = await w.all<{ account: string }>(
      "select distinct billing_account as account from ops.load_parts where raw_table = 'raw.inventory_resources'",
    );
    expect(ledger).toEqual([{ account: "aws:123456789012:ec2:us-east-1" }]);
    await w.close();
  });
});
