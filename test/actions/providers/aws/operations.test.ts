/**
 * Each Operation through the real EC2 SDK against the replay server: the calls made, in order,
 * with their parameters and tokens, and the state they leave; describe() in the sandbox's words;
 * the DryRun permission check; CloudWatch metrics.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type OperationRequest, ProviderError } from "../../../../actions/providers/adapter.ts";
import type { AwsAdapter } from "../../../../actions/providers/aws/index.ts";
import type { AwsReplay, LoggedRequest } from "../../../helpers/replay/aws.ts";
import { awsWorld, ESTATE } from "./setup.ts";

let replay: AwsReplay;
let adapter: AwsAdapter;

beforeAll(async () => {
  ({ replay, adapter } = await awsWorld({ seed: structuredClone(ESTATE) }));
});

/** The requests `work` makes (Describe* polls collapsed: a waiter polls a varying number of times). */
async function calls(
  work: () => Promise<unknown>,
): Promise<{ actions: string[]; requests: LoggedRequest[] }> {
  const from = replay.log.length;
  await work();
  const requests = replay.log.slice(from);
  const actions = requests
    .map((r) => r.action)
    .filter((a, i, all) => !(a.startsWith("Describe") && all[i - 1] === a));
  return { actions, requests };
}

const req = (
  resourceId: string,
  operation: OperationRequest["operation"],
  token = `tok-${Math.random()}`,
) => ({
  resourceId,
  operation,
  idempotencyToken: token,
});

async function rejected(work: Promise<unknown>): Promise<ProviderError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("describe()", () => {
  it("reads each kind of resource in the sandbox's vocabulary", async () => {
    expect(await adapter.describe("i-0run")).toMatchObject({
      kind: "vm",
      exists: true,
      status: "running",
      size: "m5.xlarge",
      tags: { team: "web" },
      account: "111122223333",
    });
    expect(await adapter.describe("vol-0onstop")).toMatchObject({
      kind: "disk",
      status: "in-use",
      size: "gp2",
      sizeGb: 50,
      attachedTo: ["i-0stop"],
    });
    expect(await adapter.describe("arn:aws:ec2:us-east-1:111122223333:snapshot/snap-0old")).toMatchObject({
      kind: "snapshot",
      status: "completed",
      sizeGb: 30,
    });
    expect(await adapter.describe("203.0.113.10")).toMatchObject({
      kind: "ip",
      status: "idle",
      attachedTo: [],
    });
    expect(await adapter.describe("203.0.113.11")).toMatchObject({
      status: "associated",
      attachedTo: ["i-0run"],
    });
  });

  it("reads what EC2 does not know as gone, and refuses an id that is not EC2's", async () => {
    expect(await adapter.describe("i-0nope")).toMatchObject({ kind: "vm", exists: false });
    expect(await adapter.describe("vol-0nope")).toMatchObject({ kind: "disk", exists: false });
    expect(await adapter.describe("198.51.100.1")).toMatchObject({ kind: "ip", exists: false });
    // A valid bucket name is S3's (NoSuchBucket: gone); a name S3 would not take is nobody's.
    expect(await adapter.describe("bucket-x")).toMatchObject({ kind: "bucket", exists: false });
    expect((await rejected(adapter.describe("Not_A_Bucket"))).code).toBe("invalid");
  });
});

describe("perform()", () => {
  it("stop_vm and start_vm call StopInstances / StartInstances and wait for the state", async () => {
    replay.estate.seed({ instances: [{ id: "i-0ss", state: "running" }] });
    const stop = await calls(() => adapter.perform(req("i-0ss", { op: "stop_vm" })));
    expect(stop.actions).toEqual(["StopInstances", "DescribeInstances"]);
    expect(stop.requests[0]!.params["InstanceId.1"]).toBe("i-0ss");
    expect((await adapter.describe("i-0ss")).status).toBe("stopped");
    const start = await calls(() => adapter.perform(req("i-0ss", { op: "start_vm" })));
    expect(start.actions).toEqual(["StartInstances", "DescribeInstances"]);
    expect((await adapter.describe("i-0ss")).status).toBe("running");
    // Stopping twice changes nothing the second time (the step is idempotent by state).
    await adapter.perform(req("i-0ss", { op: "stop_vm" }));
    const again = await calls(() => adapter.perform(req("i-0ss", { op: "stop_vm" })));
    expect(again.requests[0]).toMatchObject({ action: "StopInstances", applied: false });
  });

  it("resize_vm sets InstanceType on a stopped instance; a running one is refused by EC2 (conflict)", async () => {
    replay.estate.seed({ instances: [{ id: "i-0rs", state: "stopped", type: "m5.xlarge" }] });
    const { actions, requests } = await calls(() =>
      adapter.perform(req("i-0rs", { op: "resize_vm", size: "m5.large" })),
    );
    expect(actions).toEqual(["DescribeInstances", "ModifyInstanceAttribute"]);
    expect(requests[1]!.params).toMatchObject({ InstanceId: "i-0rs", "InstanceType.Value": "m5.large" });
    expect((await adapter.describe("i-0rs")).size).toBe("m5.large");
    // Already at the size (a re-sent step): nothing is sent.
    const again = await calls(() => adapter.perform(req("i-0rs", { op: "resize_vm", size: "m5.large" })));
    expect(again.actions).toEqual(["DescribeInstances"]);
    const error = await rejected(adapter.perform(req("i-0run", { op: "resize_vm", size: "m5.large" })));
    expect(error.code).toBe("conflict");
    expect(error.message).toContain("IncorrectInstanceState");
  });

  it("snapshot_disk tags the snapshot with the token, waits for completed, and a re-send finds it", async () => {
    const token = "cco-abc:0";
    const first = await calls(() =>
      adapter.perform(req("vol-0onstop", { op: "snapshot_disk", snapshotName: "cco-act-1" }, token)),
    );
    expect(first.actions).toEqual([
      "DescribeSnapshots",
      "DescribeVolumes",
      "CreateSnapshot",
      "DescribeSnapshots",
    ]);
    const create = first.requests.find((r) => r.action === "CreateSnapshot")!;
    expect(create.token).toBe(token);
    expect(create.params).toMatchObject({ VolumeId: "vol-0onstop", Description: "cco-act-1" });
    const snapId = [...replay.estate.snapshots.values()].find(
      (s) => s.tags["cco:idempotency-token"] === token,
    )!;
    expect(snapId.tags).toMatchObject({
      "cco:availability-zone": "us-east-1a",
      "cco:volume-type": "gp2",
      "cco:device": "/dev/sdg",
    });
    const result = await adapter.perform(
      req("vol-0onstop", { op: "snapshot_disk", snapshotName: "cco-act-1" }, token),
    );
    expect(result.output?.snapshotId).toBe(`arn:aws:ec2:us-east-1:111122223333:snapshot/${snapId.id}`);
    expect(replay.log.filter((r) => r.action === "CreateSnapshot" && r.token === token)).toHaveLength(1);
  });

  it("delete_disk detaches a stopped instance's volume first; a running instance's is refused", async () => {
    replay.estate.seed({
      instances: [{ id: "i-0dd", state: "stopped" }],
      volumes: [
        { id: "vol-0dd", attachments: [{ instanceId: "i-0dd", device: "/dev/sdf", state: "attached" }] },
      ],
    });
    const { actions } = await calls(() => adapter.perform(req("vol-0dd", { op: "delete_disk" })));
    expect(actions).toEqual([
      "DescribeVolumes",
      "DescribeInstances",
      "DetachVolume",
      "DescribeVolumes",
      "DeleteVolume",
      "DescribeVolumes",
    ]);
    expect(await adapter.describe("vol-0dd")).toMatchObject({ exists: false });
    const refused = await calls(() => rejected(adapter.perform(req("vol-0onrun", { op: "delete_disk" }))));
    expect(refused.actions).toEqual(["DescribeVolumes", "DescribeInstances"]);
    expect((await adapter.describe("vol-0onrun")).exists).toBe(true);
  });

  it("restore_disk creates the volume with the step's ClientToken in the snapshot's zone and re-attaches it", async () => {
    const snap = await adapter.perform(
      req("vol-0onstop", { op: "snapshot_disk", snapshotName: "cco-act-2" }, "cco-r:0"),
    );
    const op = {
      op: "restore_disk" as const,
      snapshotId: snap.output!.snapshotId!,
      size: "gp2",
      attachTo: "i-0stop",
    };
    replay.estate.volumes.get("vol-0onstop")!.attachments = [];
    const { actions, requests } = await calls(() => adapter.perform(req("vol-0onstop", op, "cco-r:undo:0")));
    expect(actions).toEqual([
      "DescribeSnapshots",
      "CreateVolume",
      "DescribeVolumes",
      "AttachVolume",
      "DescribeVolumes",
    ]);
    const create = requests.find((r) => r.action === "CreateVolume")!;
    expect(create.params).toMatchObject({
      ClientToken: "cco-r:undo:0",
      AvailabilityZone: "us-east-1a",
      VolumeType: "gp2",
    });
    expect(requests.find((r) => r.action === "AttachVolume")!.params).toMatchObject({
      InstanceId: "i-0stop",
      Device: "/dev/sdg",
    });
    const restored = await adapter.describe(String(replay.estate.tokens.get("cco-r:undo:0")!.body.volumeId));
    expect(restored).toMatchObject({
      exists: true,
      status: "in-use",
      attachedTo: ["i-0stop"],
      size: "gp2",
      sizeGb: 50,
    });
    // The same token again: EC2 answers with the same volume; nothing new, nothing attached twice.
    const again = await calls(() => adapter.perform(req("vol-0onstop", op, "cco-r:undo:0")));
    expect(again.requests.find((r) => r.action === "CreateVolume")!.applied).toBe(false);
    expect(again.actions).not.toContain("AttachVolume");
  });

  it("change_disk_type calls ModifyVolume and polls the modification until optimizing", async () => {
    replay.estate.seed({ volumes: [{ id: "vol-0ct", type: "gp2" }] });
    const { actions, requests } = await calls(() =>
      adapter.perform(req("vol-0ct", { op: "change_disk_type", type: "gp3" })),
    );
    expect(actions).toEqual(["DescribeVolumes", "ModifyVolume", "DescribeVolumesModifications"]);
    expect(requests[1]!.params).toMatchObject({ VolumeId: "vol-0ct", VolumeType: "gp3" });
    expect(replay.estate.volumes.get("vol-0ct")!.modifications[0]!.state).toMatch(/optimizing|completed/);
    expect((await adapter.describe("vol-0ct")).size).toBe("gp3");
  });

  it("delete_snapshot deletes by the id inside the ARN", async () => {
    const { requests } = await calls(() =>
      adapter.perform(
        req("arn:aws:ec2:us-east-1:111122223333:snapshot/snap-0old", { op: "delete_snapshot" }),
      ),
    );
    expect(requests.map((r) => [r.action, r.params.SnapshotId])).toEqual([["DeleteSnapshot", "snap-0old"]]);
    expect((await adapter.describe("arn:aws:ec2:us-east-1:111122223333:snapshot/snap-0old")).exists).toBe(
      false,
    );
  });

  it("release_address maps the public IP to its allocation; an associated address is refused", async () => {
    const { requests } = await calls(() => adapter.perform(req("203.0.113.10", { op: "release_address" })));
    expect(requests.map((r) => r.action)).toEqual(["DescribeAddresses", "ReleaseAddress"]);
    expect(requests[1]!.params.AllocationId).toBe("eipalloc-0idle");
    expect((await adapter.describe("203.0.113.10")).exists).toBe(false);
    const refused = await calls(() =>
      rejected(adapter.perform(req("203.0.113.11", { op: "release_address" }))),
    );
    expect(refused.actions).toEqual(["DescribeAddresses"]);
  });

  it("set_tags and remove_tags call CreateTags and DeleteTags", async () => {
    const set = await calls(() =>
      adapter.perform(req("i-0run", { op: "set_tags", tags: { "cco:schedule": "weekdays 07:00-19:00" } })),
    );
    expect(set.requests[0]!.params).toMatchObject({
      Action: "CreateTags",
      "ResourceId.1": "i-0run",
      "Tag.1.Key": "cco:schedule",
      "Tag.1.Value": "weekdays 07:00-19:00",
    });
    expect((await adapter.describe("i-0run")).tags["cco:schedule"]).toBe("weekdays 07:00-19:00");
    await adapter.perform(req("i-0run", { op: "remove_tags", keys: ["cco:schedule"] }));
    expect((await adapter.describe("i-0run")).tags["cco:schedule"]).toBeUndefined();
  });
});

describe("checkPermissions()", () => {
  it("sends the first changing call with DryRun: DryRunOperation passes and changes nothing", async () => {
    const { requests } = await calls(() => adapter.checkPermissions(req("i-0run", { op: "stop_vm" })));
    expect(requests).toMatchObject([
      { action: "StopInstances", dryRun: true, outcome: "DryRunOperation", applied: false },
    ]);
    expect((await adapter.describe("i-0run")).status).toBe("running");
  });

  it("UnauthorizedOperation is denied", async () => {
    replay.deny.add("ModifyVolume");
    try {
      const error = await rejected(
        adapter.checkPermissions(req("vol-0free", { op: "change_disk_type", type: "gp3" })),
      );
      expect(error.code).toBe("denied");
      expect(error.message).toContain("UnauthorizedOperation");
    } finally {
      replay.deny.delete("ModifyVolume");
    }
  });
});

describe("metrics()", () => {
  it("reads hourly CPUUtilization from CloudWatch GetMetricData", async () => {
    const since = new Date(Date.now() - 5 * 3_600_000);
    const samples = await adapter.metrics("i-0run", since);
    expect(samples.length).toBeGreaterThanOrEqual(4);
    expect(samples.every((s) => s.cpuPct === 30 && s.hour.endsWith(":00:00.000Z"))).toBe(true);
    const call = replay.log.filter((r) => r.action === "GetMetricData").at(-1)!;
    expect(JSON.parse(call.params.body!).MetricDataQueries[0].MetricStat).toMatchObject({
      Metric: { Namespace: "AWS/EC2", MetricName: "CPUUtilization" },
      Period: 3600,
    });
    expect(await adapter.metrics("vol-0free", since)).toEqual([]);
  });
});
