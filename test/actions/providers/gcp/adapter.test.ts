/**
 * Every Operation through the real @google-cloud/compute clients against the replay server: the
 * calls made (in order), their requestIds (a UUID fixed by the step's token and the call), their
 * bodies, the state the resource is left in, and describe()'s mapping of it.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CloudAdapter, Operation } from "../../../../actions/providers/adapter.ts";
import { requestIdFor } from "../../../../actions/providers/gcp/ids.ts";
import { GcpReplay } from "../../../helpers/replay/gcp.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { adapterFor, gcpConfig, IDS, P, R, seed, Z } from "./estate.ts";

let replay: GcpReplay;
let adapter: CloudAdapter & { close(): Promise<void> };
const dir = tempDir("cco-gcp-");

beforeEach(async () => {
  replay = new GcpReplay();
  seed(replay);
  adapter = adapterFor(gcpConfig(dir, await replay.start()));
});
afterEach(async () => {
  await adapter.close();
  await replay.stop();
});

const run = (resourceId: string, operation: Operation, token = "act-1:0") =>
  adapter.perform({ resourceId, operation, idempotencyToken: token });
/** method resource [requestId] of each logged call. */
const calls = () =>
  replay.log.map((l) => [l.method, l.resource?.startsWith("operation-") ? "op" : l.resource]);

describe("describe()", () => {
  it("maps each kind of resource to the ResourceState vocabulary", async () => {
    expect(await adapter.describe(IDS.web)).toMatchObject({
      kind: "vm",
      exists: true,
      status: "running",
      size: "n2-standard-4",
      tags: { team: "web" },
      region: R,
      account: P,
    });
    expect(await adapter.describe(IDS.batch)).toMatchObject({ status: "stopped", size: "e2-standard-2" });
    expect(await adapter.describe(IDS.batchData)).toMatchObject({
      kind: "disk",
      status: "in-use",
      size: "pd-ssd",
      sizeGb: 200,
      attachedTo: [IDS.batch],
    });
    expect(await adapter.describe(IDS.orphan)).toMatchObject({
      status: "available",
      attachedTo: [],
      sizeGb: 100,
    });
    expect(await adapter.describe(IDS.oldSnap)).toMatchObject({
      kind: "snapshot",
      status: "available",
      sizeGb: 50,
    });
    expect(await adapter.describe(IDS.idleIp)).toMatchObject({ kind: "ip", status: "idle", attachedTo: [] });
    expect(await adapter.describe(IDS.usedIp)).toMatchObject({ status: "associated" });
    // By numeric id and with the project in a self link: the API takes either.
    const numeric = replay.get(`${P}/zones/${Z}/instances/web-1`)!.id;
    expect(
      await adapter.describe(
        `https://www.googleapis.com/compute/v1/projects/${P}/zones/${Z}/instances/${numeric}`,
      ),
    ).toMatchObject({ status: "running", size: "n2-standard-4" });
  });

  it("a missing resource is not_found; a malformed id is invalid", async () => {
    await expect(adapter.describe(IDS.web.replace("web-1", "gone"))).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(adapter.describe("i-0abc")).rejects.toMatchObject({ code: "invalid" });
  });
});

describe("perform()", () => {
  it("stop, resize, start: each call with its requestId, each operation waited for until DONE", async () => {
    replay.opPolls = 2; // RUNNING on the first wait, DONE on the second
    await run(IDS.web, { op: "stop_vm" }, "act-1:0");
    await run(IDS.web, { op: "resize_vm", size: "n2-standard-2" }, "act-1:1");
    const started = await run(IDS.web, { op: "start_vm" }, "act-1:2");
    expect(calls()).toEqual([
      ["instances.stop", "web-1"],
      ["zoneOperations.wait", "op"],
      ["zoneOperations.wait", "op"],
      ["instances.setMachineType", "web-1"],
      ["zoneOperations.wait", "op"],
      ["zoneOperations.wait", "op"],
      ["instances.start", "web-1"],
      ["zoneOperations.wait", "op"],
      ["zoneOperations.wait", "op"],
    ]);
    const mutations = replay.log.filter((l) => l.requestId);
    expect(mutations.map((l) => l.requestId)).toEqual([
      requestIdFor("act-1:0", "stop"),
      requestIdFor("act-1:1", "setMachineType"),
      requestIdFor("act-1:2", "start"),
    ]);
    for (const l of mutations)
      expect(l.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(mutations[1]!.body).toEqual({ machineType: `zones/${Z}/machineTypes/n2-standard-2` });
    expect(started.requestId).toMatch(/^operation-/);
    expect(await adapter.describe(IDS.web)).toMatchObject({ status: "running", size: "n2-standard-2" });
  });

  it("a repeated requestId is answered with the first operation and applies once", async () => {
    await run(IDS.web, { op: "stop_vm" }, "act-2:0");
    await run(IDS.web, { op: "start_vm" }, "act-2:1");
    await run(IDS.web, { op: "stop_vm" }, "act-2:0"); // the same step re-sent
    expect(replay.log.filter((l) => l.method === "instances.stop").map((l) => l.outcome)).toEqual([
      "ok",
      "replayed",
    ]);
    expect(await adapter.describe(IDS.web)).toMatchObject({ status: "running" });
  });

  it("snapshot then delete a disk of a stopped VM (detached first), then restore and re-attach it", async () => {
    const snap = await run(IDS.batchData, { op: "snapshot_disk", snapshotName: "cco-act-3" }, "act-3:0");
    expect(snap.output).toEqual({
      snapshotId: `//compute.googleapis.com/projects/${P}/global/snapshots/cco-act-3`,
    });
    await run(IDS.batchData, { op: "delete_disk" }, "act-3:1");
    expect(calls()).toEqual([
      ["disks.get", "batch-data"],
      ["instances.get", "batch-1"],
      ["disks.createSnapshot", "batch-data"],
      ["zoneOperations.wait", "op"],
      ["disks.get", "batch-data"],
      ["instances.get", "batch-1"],
      ["instances.detachDisk", "batch-1"],
      ["zoneOperations.wait", "op"],
      ["disks.delete", "batch-data"],
      ["zoneOperations.wait", "op"],
    ]);
    const create = replay.log.find((l) => l.method === "disks.createSnapshot")!;
    expect(create.body).toMatchObject({ name: "cco-act-3", labels: { team: "batch" } });
    expect(JSON.parse(String(create.body!.description).slice(5))).toEqual({
      disk: "batch-data",
      type: "pd-ssd",
      instance: IDS.batch,
      device: "data",
    });
    await expect(adapter.describe(IDS.batchData)).rejects.toMatchObject({ code: "not_found" });
    expect(replay.get(`${P}/global/snapshots/cco-act-3`)).toMatchObject({
      diskSizeGb: "200",
      status: "READY",
    });

    replay.log.length = 0;
    const restored = await run(
      IDS.batchData,
      { op: "restore_disk", snapshotId: snap.output!.snapshotId!, size: "pd-ssd", attachTo: IDS.batch },
      "act-3:undo:0",
    );
    expect(calls().map(([m]) => m)).toEqual([
      "snapshots.get",
      "disks.insert",
      "zoneOperations.wait",
      "instances.attachDisk",
      "zoneOperations.wait",
    ]);
    const insert = replay.log.find((l) => l.method === "disks.insert")!;
    expect(insert.body).toMatchObject({
      sourceSnapshot: `projects/${P}/global/snapshots/cco-act-3`,
      type: `projects/${P}/zones/${Z}/diskTypes/pd-ssd`,
      labels: { team: "batch" },
    });
    expect(replay.log.find((l) => l.method === "instances.attachDisk")!.body).toMatchObject({
      deviceName: "data",
      mode: "READ_WRITE",
      autoDelete: false,
    });
    const disk = await adapter.describe(restored.output!.resourceId!);
    expect(disk).toMatchObject({
      status: "in-use",
      size: "pd-ssd",
      sizeGb: 200,
      attachedTo: [IDS.batch],
      tags: { team: "batch" },
    });
    expect(restored.output!.resourceId).toMatch(new RegExp(`/zones/${Z}/disks/batch-data-r[0-9a-f]{6}$`));
  });

  it("refuses to delete a disk whose VM runs, and to release an address in use (conflict)", async () => {
    const vm = replay.get(`${P}/zones/${Z}/instances/batch-1`)!;
    vm.status = "RUNNING";
    await expect(run(IDS.batchData, { op: "delete_disk" })).rejects.toMatchObject({ code: "conflict" });
    await expect(run(IDS.usedIp, { op: "release_address" })).rejects.toMatchObject({ code: "conflict" });
    expect(replay.applied()).toEqual([]);
  });

  it("deletes a snapshot (global operation) and releases an idle address (region operation)", async () => {
    await run(IDS.oldSnap, { op: "delete_snapshot" }, "act-4:0");
    await run(IDS.idleIp, { op: "release_address" }, "act-5:0");
    expect(calls()).toEqual([
      ["snapshots.delete", "old-snap"],
      ["globalOperations.wait", "op"],
      ["addresses.get", "idle-ip"],
      ["addresses.delete", "idle-ip"],
      ["regionOperations.wait", "op"],
    ]);
    expect(replay.get(`${P}/global/snapshots/old-snap`)).toBeUndefined();
    expect(replay.get(`${P}/regions/${R}/addresses/idle-ip`)).toBeUndefined();
  });

  it("sets and removes a tag as a label, with the current fingerprint; reads it back as the tag", async () => {
    await run(IDS.web, { op: "set_tags", tags: { "cco:schedule": "weekdays 07:00-19:00" } }, "act-6:0");
    const set = replay.log.find((l) => l.method === "instances.setLabels")!;
    expect(set.body).toMatchObject({
      labels: { team: "web", cco_3aschedule: "weekdays_2007_3a00-19_3a00" },
      labelFingerprint: expect.any(String),
    });
    expect((await adapter.describe(IDS.web)).tags).toEqual({
      team: "web",
      "cco:schedule": "weekdays 07:00-19:00",
    });
    await run(IDS.web, { op: "remove_tags", keys: ["cco:schedule"] }, "act-6:undo:0");
    expect((await adapter.describe(IDS.web)).tags).toEqual({ team: "web" });
    expect(calls().map(([m]) => m)).toEqual([
      "instances.get",
      "instances.setLabels",
      "zoneOperations.wait",
      "instances.get",
      "instances.get",
      "instances.setLabels",
      "zoneOperations.wait",
      "instances.get",
    ]);
  });

  it("refuses change_disk_type: Compute cannot change a disk's type in place", async () => {
    await expect(run(IDS.orphan, { op: "change_disk_type", type: "pd-balanced" })).rejects.toMatchObject({
      code: "invalid",
      message: expect.stringContaining("in place"),
    });
    expect(replay.log).toEqual([]);
  });
});

describe("checkPermissions()", () => {
  it("tests the resource's permissions with testIamPermissions; a missing one is denied", async () => {
    await adapter.checkPermissions({
      resourceId: IDS.web,
      operation: { op: "stop_vm" },
      idempotencyToken: "t:0",
    });
    expect(replay.log.at(-1)).toMatchObject({
      method: "instances.testIamPermissions",
      body: { permissions: ["compute.instances.stop"] },
    });
    replay.denied.add("compute.disks.delete");
    await expect(
      adapter.checkPermissions({
        resourceId: IDS.orphan,
        operation: { op: "delete_disk" },
        idempotencyToken: "t:1",
      }),
    ).rejects.toMatchObject({ code: "denied", message: expect.stringContaining("compute.disks.delete") });
    expect(replay.applied()).toEqual([]);
  });
});

describe("metrics()", () => {
  it("reads the instance's hourly CPU utilization from Cloud Monitoring", async () => {
    replay.cpu["web-1"] = 42;
    const since = new Date(Date.now() - 5 * 3_600_000);
    const samples = await adapter.metrics(IDS.web, since);
    expect(samples.length).toBeGreaterThanOrEqual(4);
    expect(samples.every((s) => s.cpuPct === 42)).toBe(true);
    expect(samples.map((s) => s.hour)).toEqual([...samples.map((s) => s.hour)].sort());
    expect(replay.log.at(-1)).toMatchObject({ method: "timeSeries.list", resource: "web-1" });
  });
});
