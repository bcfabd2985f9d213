/**
 * Each fault the replay server injects, through the real SDK, as the ProviderError code the
 * executor acts on: throttling (429 RESOURCE_EXHAUSTED), 5xx, a capacity error ending the
 * operation, a timeout (the change applied, the answer too late: a re-send with the same token
 * is answered with the first operation), permission denied, not found, a stale fingerprint, an
 * invalid request; and the operation error codes Compute documents.
 */
import compute from "@google-cloud/compute";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CloudAdapter, Operation } from "../../../../actions/providers/adapter.ts";
import { fromError, fromOperation } from "../../../../actions/providers/gcp/errors.ts";
import { GcpReplay } from "../../../helpers/replay/gcp.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { adapterFor, authClient, gcpConfig, IDS, P, seed, Z } from "./estate.ts";

let replay: GcpReplay;
let adapter: CloudAdapter & { close(): Promise<void> };
const dir = tempDir("cco-gcp-faults-");

beforeEach(async () => {
  replay = new GcpReplay();
  seed(replay);
  adapter = adapterFor(gcpConfig(dir, await replay.start()));
});
afterEach(async () => {
  await adapter.close();
  await replay.stop();
});

const run = (resourceId: string, operation: Operation, token = "f:0") =>
  adapter.perform({ resourceId, operation, idempotencyToken: token });

describe("faults as ProviderError codes", () => {
  it("throttling is throttled (retryable), nothing applied; the retry with the same token applies once", async () => {
    replay.fault({ method: "instances.stop", kind: "throttle" });
    const error = await run(IDS.web, { op: "stop_vm" }).catch((e) => e);
    expect(error).toMatchObject({ code: "throttled", retryable: true });
    expect(replay.applied()).toEqual([]);
    await run(IDS.web, { op: "stop_vm" });
    const stops = replay.log.filter((l) => l.method === "instances.stop");
    expect(stops.map((l) => l.outcome)).toEqual(["throttle", "ok"]);
    expect(new Set(stops.map((l) => l.requestId)).size).toBe(1);
  });

  it("503 is server (retryable), also on the operation poll", async () => {
    replay.fault({ method: "instances.stop", kind: "server" });
    await expect(run(IDS.web, { op: "stop_vm" })).rejects.toMatchObject({ code: "server", retryable: true });
    replay.fault({ method: "zoneOperations.wait", kind: "server" });
    await expect(run(IDS.web, { op: "stop_vm" }, "f:1")).rejects.toMatchObject({ code: "server" });
    // The retry finds the operation by its requestId and waits for it: applied once.
    await run(IDS.web, { op: "stop_vm" }, "f:1");
    expect(replay.applied().map((l) => l.method)).toEqual(["instances.stop"]);
  });

  it("no capacity: the start's operation ends ZONE_RESOURCE_POOL_EXHAUSTED, capacity (not retried)", async () => {
    replay.noCapacity.add("e2-standard-2");
    const error = await run(IDS.batch, { op: "start_vm" }).catch((e) => e);
    expect(error).toMatchObject({ code: "capacity", retryable: false });
    expect(error.message).toContain("ZONE_RESOURCE_POOL_EXHAUSTED");
    expect(await adapter.describe(IDS.batch)).toMatchObject({ status: "stopped" });
  });

  it("a timeout: the change applied, the answer too late; the re-send is answered with the first operation", async () => {
    replay.fault({ method: "instances.stop", kind: "timeout" });
    await expect(run(IDS.web, { op: "stop_vm" })).rejects.toMatchObject({ code: "timeout", retryable: true });
    expect(await adapter.describe(IDS.web)).toMatchObject({ status: "stopped" });
    await run(IDS.web, { op: "stop_vm" });
    expect(
      replay.log.filter((l) => l.method === "instances.stop").map((l) => [l.outcome, l.applied]),
    ).toEqual([
      ["timeout", true],
      ["replayed", false],
    ]);
  });

  it("denied, not found, conflict, invalid", async () => {
    replay.fault({ method: "instances.stop", kind: "denied" });
    await expect(run(IDS.web, { op: "stop_vm" })).rejects.toMatchObject({
      code: "denied",
      message: expect.stringContaining("Required 'compute.instances.stop' permission"),
    });
    await expect(run(IDS.web.replace("web-1", "gone"), { op: "stop_vm" })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(run(IDS.web, { op: "resize_vm", size: "n2-standard-2" })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringContaining("must be stopped"),
    });
    await run(IDS.web, { op: "stop_vm" }, "f:2");
    await expect(run(IDS.web, { op: "resize_vm", size: "N2 Standard" }, "f:3")).rejects.toMatchObject({
      code: "invalid",
    });
    await expect(run(IDS.web, { op: "delete_disk" })).rejects.toMatchObject({ code: "invalid" });
  });

  it("a stale labelFingerprint: 412 conditionNotMet is conflict", async () => {
    const u = new URL(replay.url);
    const client = new compute.InstancesClient({
      fallback: true,
      apiEndpoint: u.hostname,
      port: Number(u.port),
      protocol: "http",
      authClient: authClient(),
    } as never);
    const error = await client
      .setLabels(
        {
          project: P,
          zone: Z,
          instance: "web-1",
          instancesSetLabelsRequestResource: { labels: {}, labelFingerprint: "stale" },
        },
        { retry: null },
      )
      .catch((e) => e);
    await client.close();
    expect(fromError(error)).toMatchObject({
      code: "conflict",
      message: expect.stringContaining("fingerprint"),
    });
  });

  it("the client gives up on a late answer at its request timeout (700 ms here), not the server's delay", async () => {
    replay.timeoutDelayMs = 3000;
    const t = Date.now();
    replay.fault({ method: "instances.start", kind: "timeout" });
    await run(IDS.web, { op: "stop_vm" }, "f:4");
    await expect(run(IDS.web, { op: "start_vm" }, "f:5")).rejects.toMatchObject({ code: "timeout" });
    expect(Date.now() - t).toBeLessThan(2500);
  });

  it("Compute's operation error codes", () => {
    const op = (code: string, http = 400) => ({
      name: "operation-1",
      operationType: "start",
      status: "DONE" as const,
      error: { errors: [{ code, message: "m" }] },
      httpErrorStatusCode: http,
    });
    expect(fromOperation(op("ZONE_RESOURCE_POOL_EXHAUSTED_WITH_DETAILS", 503))?.code).toBe("capacity");
    expect(fromOperation(op("QUOTA_EXCEEDED", 403))?.code).toBe("capacity");
    expect(fromOperation(op("RESOURCE_IN_USE_BY_ANOTHER_RESOURCE"))?.code).toBe("conflict");
    expect(fromOperation(op("RESOURCE_NOT_FOUND", 404))?.code).toBe("not_found");
    expect(fromOperation(op("INTERNAL_ERROR", 500))?.code).toBe("server");
    expect(fromOperation(op("SOMETHING_NEW", 502))?.code).toBe("server");
    expect(fromOperation({ name: "operation-2", status: "DONE" })).toBeUndefined();
  });
});
