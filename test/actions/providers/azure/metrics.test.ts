/**
 * metrics() through @azure/monitor-query against the replay's Metrics - List: whole hours after
 * the change only, CPU and memory used (100 - Available Memory Percentage), hours without data
 * left out; nothing asked for a disk or before a whole hour has passed; faults as ProviderErrors,
 * sent once (no SDK retry).
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderError } from "../../../../actions/providers/adapter.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { diskId, replayWithAdapter, vmId } from "./setup.ts";

let clock = new Date("2026-11-02T14:30:00Z");
const { replay, adapter } = await replayWithAdapter(
  tempDir(),
  { deny: [] },
  {
    now: () => clock,
  },
);
afterAll(() => replay.close());

let mark = 0;
beforeEach(() => {
  mark = replay.log.length;
  clock = new Date("2026-11-02T14:30:00Z");
});
const sent = () => replay.log.slice(mark);
const at = (h: number) => new Date(Date.UTC(2026, 10, 2, h)).toISOString();

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("metrics() from Azure Monitor", () => {
  it("the whole hours after `since`, up to the last whole hour: CPU average, memory used", async () => {
    const vm = replay.vm(vmId("m-1"), { size: "Standard_D2s_v3" });
    replay.metrics(vm, [
      { hour: at(9), cpuPct: 99, availableMemoryPct: 10 }, // before the change
      { hour: at(10), cpuPct: 98, availableMemoryPct: 10 }, // the hour the change fell in
      { hour: at(11), cpuPct: 41.5, availableMemoryPct: 62.5 },
      // 12:00 has no data: Azure lists the hour without an average.
      { hour: at(13), cpuPct: 55 },
      { hour: at(14), cpuPct: 97, availableMemoryPct: 5 }, // not over yet at 14:30
    ]);
    const samples = await adapter.metrics(vm, new Date("2026-11-02T10:20:00Z"));
    expect(samples).toEqual([
      { hour: at(11), cpuPct: 41.5, memoryPct: 37.5 },
      { hour: at(13), cpuPct: 55 },
    ]);
    const [request, ...rest] = sent();
    expect(rest).toEqual([]);
    expect(request).toMatchObject({
      method: "GET",
      call: "metrics.list",
      path: `${vm}/providers/Microsoft.Insights/metrics`,
      apiVersion: "2024-02-01",
      status: 200,
      query: {
        metricnames: "Percentage CPU,Available Memory Percentage",
        aggregation: "Average",
        interval: "PT1H",
        timespan: "2026-11-02T11:00:00.000Z/2026-11-02T14:00:00.000Z",
      },
    });
  });

  it("a change on the hour: that hour counts", async () => {
    const vm = replay.vm(vmId("m-2"), { size: "Standard_D2s_v3" });
    replay.metrics(vm, [{ hour: at(12), cpuPct: 12 }]);
    expect(await adapter.metrics(vm, new Date(at(12)))).toEqual([{ hour: at(12), cpuPct: 12 }]);
  });

  it("no whole hour since the change yet: [] without a request", async () => {
    const vm = replay.vm(vmId("m-3"), { size: "Standard_D2s_v3" });
    clock = new Date("2026-11-02T11:50:00Z");
    expect(await adapter.metrics(vm, new Date("2026-11-02T10:20:00Z"))).toEqual([]);
    expect(sent()).toEqual([]);
  });

  it("a disk has no metrics to judge: [] without a request", async () => {
    const disk = replay.disk(diskId("m-disk"), { sku: "Premium_LRS", sizeGb: 64 });
    expect(await adapter.metrics(disk, new Date("2026-11-01T00:00:00Z"))).toEqual([]);
    expect(sent()).toEqual([]);
  });

  it("throttled (429 TooManyRequests): throttled, retryable, sent once", async () => {
    const vm = replay.vm(vmId("m-4"), { size: "Standard_D2s_v3" });
    replay.faults.push({ kind: "throttle", call: "metrics.list" });
    const error = await failure(adapter.metrics(vm, new Date("2026-11-02T10:00:00Z")));
    expect([error.code, error.retryable]).toEqual(["throttled", true]);
    expect(error.message).toMatch(/^metrics\.list: TooManyRequests/);
    expect(sent().map((e) => [e.call, e.status])).toEqual([["metrics.list", 429]]);
  });

  it("a 5xx, a request past its timeout: retryable, sent once each; a deleted VM: not_found", async () => {
    const vm = replay.vm(vmId("m-5"), { size: "Standard_D2s_v3" });
    replay.faults.push({ kind: "server", call: "metrics.list" });
    const error = await failure(adapter.metrics(vm, new Date("2026-11-02T10:00:00Z")));
    expect([error.code, error.retryable]).toEqual(["server", true]);
    expect(sent()).toHaveLength(1);
    replay.faults.push({ kind: "timeout", call: "metrics.list" });
    const slow = await failure(adapter.metrics(vm, new Date("2026-11-02T10:00:00Z")));
    expect([slow.code, slow.retryable]).toEqual(["timeout", true]);
    expect(sent()).toHaveLength(2);
    const gone = await failure(adapter.metrics(vmId("never-was"), new Date("2026-11-02T10:00:00Z")));
    expect(gone.code).toBe("not_found");
  });
});

describe("metrics() without Microsoft.Insights/metrics/read", () => {
  it("403 AuthorizationFailed: denied, not retried", async () => {
    const denied = await replayWithAdapter(
      tempDir(),
      { deny: ["Microsoft.Insights/metrics/read"] },
      { now: () => new Date("2026-11-02T14:30:00Z") },
    );
    try {
      const vm = denied.replay.vm(vmId("m-6"), { size: "Standard_D2s_v3" });
      const error = await failure(denied.adapter.metrics(vm, new Date("2026-11-02T10:00:00Z")));
      expect([error.code, error.retryable]).toEqual(["denied", false]);
      expect(error.message).toMatch(/Microsoft\.Insights\/metrics\/read/);
      expect(denied.replay.log.filter((e) => e.call === "metrics.list")).toHaveLength(1);
    } finally {
      await denied.replay.close();
    }
  });
});
