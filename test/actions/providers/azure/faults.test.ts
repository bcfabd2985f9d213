/**
 * Each fault the replay injects, as the ProviderError the executor acts on: throttling, 5xx and
 * timeouts retryable (and never retried by the SDK itself: one request each), capacity, denied,
 * not found, conflict and invalid not; a timed-out change has landed; the wait bound ends a
 * long-running operation that never finishes; checkPermissions reads the Permissions API.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../../../actions/providers/adapter.ts";
import { createAzureAdapter } from "../../../../actions/providers/azure/index.ts";
import { startAzureReplay } from "../../../helpers/replay/azure.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import {
  azureConfig,
  diskId,
  REQUEST_TIMEOUT_MS,
  replayWithAdapter,
  staticCredential,
  vmId,
} from "./setup.ts";

const { replay, adapter } = await replayWithAdapter(tempDir(), {
  allocationFailedSizes: ["Standard_D8s_v3"],
  skuNotAvailableSizes: ["Standard_E4s_v5"],
  deny: ["Microsoft.Compute/disks/delete"],
});
afterAll(() => replay.close());

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

const stop = (vm: string, token = "tok:0") =>
  adapter.perform({ resourceId: vm, operation: { op: "stop_vm" }, idempotencyToken: token });

describe("faults as ProviderError codes", () => {
  it("429 (Retry-After, OperationNotAllowed body): throttled, retryable, sent once, nothing changed", async () => {
    const vm = replay.vm(vmId("t-1"), { size: "Standard_D2s_v3" });
    replay.faults.push({ kind: "throttle", call: "virtualMachines.deallocate" });
    const error = await failure(stop(vm));
    expect([error.code, error.retryable]).toEqual(["throttled", true]);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      replay.log.filter((e) => e.call === "virtualMachines.deallocate").map((e) => [e.status, e.applied]),
    ).toEqual([[429, false]]);
    expect((await adapter.describe(vm)).status).toBe("running");
    await stop(vm); // the executor's retry, same token
    expect((await adapter.describe(vm)).status).toBe("deallocated");
  });

  it("500 InternalServerError: server, retryable, sent once", async () => {
    const vm = replay.vm(vmId("t-2"), { size: "Standard_D2s_v3" });
    replay.faults.push({ kind: "server", call: "virtualMachines.deallocate" });
    const error = await failure(stop(vm));
    expect([error.code, error.retryable]).toEqual(["server", true]);
    expect(replay.log.filter((e) => e.path.endsWith("t-2/deallocate"))).toHaveLength(1);
  });

  it("a timeout after the change applied: timeout, and describe shows it landed", async () => {
    const vm = replay.vm(vmId("t-3"), { size: "Standard_D2s_v3" });
    replay.faults.push({ kind: "timeout", call: "virtualMachines.deallocate" });
    const started = Date.now();
    const error = await failure(stop(vm));
    expect([error.code, error.retryable]).toEqual(["timeout", true]);
    expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS * 4);
    expect((await adapter.describe(vm)).status).toBe("deallocated");
  });

  it("AllocationFailed in the start's async operation: capacity, the VM stays deallocated", async () => {
    const vm = replay.vm(vmId("t-4"), { size: "Standard_D8s_v3", power: "deallocated" });
    const error = await failure(
      adapter.perform({ resourceId: vm, operation: { op: "start_vm" }, idempotencyToken: "s:0" }),
    );
    expect([error.code, error.retryable]).toEqual(["capacity", false]);
    expect(error.message).toMatch(/AllocationFailed/);
    expect((await adapter.describe(vm)).status).toBe("deallocated");
  });

  it("SkuNotAvailable (409) on a resize: capacity, not conflict", async () => {
    const vm = replay.vm(vmId("t-5"), { size: "Standard_D2s_v3", power: "deallocated" });
    const error = await failure(
      adapter.perform({
        resourceId: vm,
        operation: { op: "resize_vm", size: "Standard_E4s_v5" },
        idempotencyToken: "r:0",
      }),
    );
    expect(error.code).toBe("capacity");
    expect((await adapter.describe(vm)).size).toBe("Standard_D2s_v3");
  });

  it("AuthorizationFailed (403): denied; ResourceNotFound: not_found; OperationNotAllowed: conflict; a bad id: invalid", async () => {
    const disk = replay.disk(diskId("t-6"), { sku: "Premium_LRS", sizeGb: 32 });
    expect(
      (
        await failure(
          adapter.perform({ resourceId: disk, operation: { op: "delete_disk" }, idempotencyToken: "d:0" }),
        )
      ).code,
    ).toBe("denied");
    expect((await failure(stop(vmId("missing")))).code).toBe("not_found");
    const vm = replay.vm(vmId("t-7"), { size: "Standard_D2s_v3" });
    const attached = replay.disk(diskId("t-7-data"), { sku: "Premium_LRS", sizeGb: 32, attachTo: vm });
    const conflict = await failure(
      adapter.perform({
        resourceId: attached,
        operation: { op: "change_disk_type", type: "Standard_LRS" },
        idempotencyToken: "c:0",
      }),
    );
    expect([conflict.code, conflict.message]).toEqual([
      "conflict",
      expect.stringMatching(/OperationNotAllowed/),
    ]);
    expect(
      (await failure(stop("/subscriptions/x/resourceGroups/y/providers/Microsoft.Web/sites/z"))).code,
    ).toBe("invalid");
  });
});

describe("long-running operations", () => {
  it("an operation still running after wait_seconds ends as a timeout", async () => {
    const slow = await startAzureReplay({ lroPolls: 1_000_000 });
    try {
      const config = azureConfig(tempDir(), slow.url);
      config.actions.azure.wait_seconds = 1;
      config.actions.azure.poll_interval_ms = 20;
      const a = createAzureAdapter(config, {
        credential: staticCredential,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
      });
      const vm = slow.vm(vmId("slow"), { size: "Standard_D2s_v3" });
      const error = await failure(
        a.perform({ resourceId: vm, operation: { op: "stop_vm" }, idempotencyToken: "w:0" }),
      );
      expect(error.code).toBe("timeout");
    } finally {
      await slow.close();
    }
  });
});

describe("checkPermissions (the Permissions API)", () => {
  it("passes when every RBAC action the operation's calls need is granted, at the resource's scope", async () => {
    const vm = replay.vm(vmId("p-1"), { size: "Standard_D2s_v3" });
    const from = replay.log.length;
    await adapter.checkPermissions({
      resourceId: vm,
      operation: { op: "resize_vm", size: "Standard_D4s_v3" },
      idempotencyToken: "p:0",
    });
    expect(replay.log.slice(from).map((e) => [e.method, e.path, e.apiVersion])).toEqual([
      ["GET", `${vm}/providers/Microsoft.Authorization/permissions`, "2022-04-01"],
    ]);
  });

  it("refuses with the missing action named (notActions), without calling the operation", async () => {
    const disk = replay.disk(diskId("p-2"), { sku: "Premium_LRS", sizeGb: 32 });
    const error = await failure(
      adapter.checkPermissions({
        resourceId: disk,
        operation: { op: "delete_disk" },
        idempotencyToken: "p:1",
      }),
    );
    expect(error.code).toBe("denied");
    expect(error.message).toContain("Microsoft.Compute/disks/delete");
    expect(replay.log.at(-1)!.call).toBe("permissions.list");
  });

  it("a disk to restore does not exist yet: its resource group is the scope", async () => {
    const from = replay.log.length;
    await adapter.checkPermissions({
      resourceId: diskId("gone"),
      operation: { op: "restore_disk", snapshotId: "x" },
      idempotencyToken: "p:2",
    });
    expect(replay.log[from]!.path).toMatch(
      /\/resourceGroups\/rg-app\/providers\/Microsoft.Authorization\/permissions$/,
    );
  });
});
