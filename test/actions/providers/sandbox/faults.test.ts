import { beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../../core/config.ts";
import type { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import type { OperationRequest } from "../../../../actions/providers/adapter.ts";
import { openSandbox, type Sandbox } from "../../../../actions/providers/sandbox/sandbox.ts";
import { tinyEstate, withSandbox } from "./fixture.ts";

let warehouse: Warehouse;
let config: Config;

beforeAll(async () => {
  ({ warehouse, config } = await tinyEstate());
}, 120_000);

const open = (settings: Record<string, unknown>) => openSandbox(withSandbox(config, settings), warehouse);

/** Tag every AWS VM once; the outcome of each call, in order. */
async function outcomes(sandbox: Sandbox): Promise<string[]> {
  const vms = Object.values(sandbox.state().resources).filter((r) => r.provider === "aws" && r.kind === "vm");
  const aws = sandbox.adapter("aws");
  const seen: string[] = [];
  for (const [i, vm] of vms.entries()) {
    const request: OperationRequest = {
      resourceId: vm.resourceId,
      operation: { op: "set_tags", tags: { round: String(i) } },
      idempotencyToken: `t-${i}`,
    };
    seen.push(
      await aws.perform(request).then(
        () => "ok",
        (e: { code: string }) => e.code,
      ),
    );
  }
  return seen;
}

describe("injected faults", () => {
  it("throttles and fails with 5xx at the configured rates, the same calls on every run of a seed", async () => {
    const settings = { throttle_rate: 0.3, server_error_rate: 0.2, seed: 11 };
    const first = await outcomes(await open(settings));
    const second = await outcomes(await open(settings));
    expect(first).toEqual(second);
    expect(first).toContain("throttled");
    expect(first).toContain("server");
    expect(first).toContain("ok");
    const otherSeed = await outcomes(await open({ ...settings, seed: 12 }));
    expect(otherSeed).not.toEqual(first);
    expect(await outcomes(await open({}))).toEqual(first.map(() => "ok"));
  });

  it("a throttled or failed call changes nothing", async () => {
    const sandbox = await open({ throttle_rate: 1 });
    const vm = Object.values(sandbox.state().resources).find((r) => r.provider === "aws" && r.kind === "vm")!;
    const request = {
      resourceId: vm.resourceId,
      operation: { op: "stop_vm" as const },
      idempotencyToken: "x",
    };
    await expect(sandbox.adapter("aws").perform(request)).rejects.toMatchObject({
      code: "throttled",
      retryable: true,
    });
    expect((await sandbox.adapter("aws").describe(vm.resourceId)).status).toBe("running");
    expect(sandbox.state().requests[0]).toMatchObject({ outcome: "throttled", applied: false });
  });

  it("times out after the change applied: describe shows it, the same token replays the first result", async () => {
    const sandbox = await open({ timeout_rate: 1 });
    const aws = sandbox.adapter("aws");
    const vm = Object.values(sandbox.state().resources).find(
      (r) => r.provider === "aws" && r.kind === "vm" && r.status === "running",
    )!;
    const request = {
      resourceId: vm.resourceId,
      operation: { op: "stop_vm" as const },
      idempotencyToken: "stop-1",
    };
    await expect(aws.perform(request)).rejects.toMatchObject({ code: "timeout", retryable: true });
    expect((await aws.describe(vm.resourceId)).status).toBe("stopped");
    const replay = await aws.perform(request);
    expect(replay.requestId).toBe(sandbox.state().requests[0]!.requestId);
    const log = sandbox.state().requests;
    expect(log.map((r) => [r.outcome, r.applied])).toEqual([
      ["timeout", true],
      ["replayed", false],
    ]);
    expect(vm.history).toHaveLength(1);
    expect(sandbox.state().resources[vm.resourceId]!.history).toHaveLength(2);
  });

  it("refuses a resize to a size without capacity", async () => {
    const sandbox = await open({ capacity_errors: ["t3.large"] });
    const aws = sandbox.adapter("aws");
    const vm = Object.values(sandbox.state().resources).find(
      (r) => r.provider === "aws" && r.kind === "vm" && r.size !== "t3.large",
    )!;
    await aws.perform({ resourceId: vm.resourceId, operation: { op: "stop_vm" }, idempotencyToken: "s" });
    await expect(
      aws.perform({
        resourceId: vm.resourceId,
        operation: { op: "resize_vm", size: "t3.large" },
        idempotencyToken: "r",
      }),
    ).rejects.toMatchObject({ code: "capacity", message: expect.stringContaining("t3.large") });
    expect((await aws.describe(vm.resourceId)).size).toBe(vm.size);
  });

  it("denies by operation or by resource, in the permission check and the call", async () => {
    const probe = await open({});
    const [a, b] = Object.values(probe.state().resources).filter(
      (r) => r.provider === "aws" && r.kind === "vm",
    );
    const sandbox = await open({ deny: ["release_address", `stop_vm:${a!.resourceId}`] });
    const aws = sandbox.adapter("aws");
    const stopA = { resourceId: a!.resourceId, operation: { op: "stop_vm" as const }, idempotencyToken: "a" };
    const stopB = { resourceId: b!.resourceId, operation: { op: "stop_vm" as const }, idempotencyToken: "b" };
    await expect(aws.checkPermissions(stopA)).rejects.toMatchObject({ code: "denied" });
    await expect(aws.checkPermissions(stopB)).resolves.toBeUndefined();
    await expect(aws.perform(stopA)).rejects.toMatchObject({ code: "denied", retryable: false });
    await expect(
      aws.checkPermissions({
        resourceId: "any",
        operation: { op: "release_address" },
        idempotencyToken: "c",
      }),
    ).rejects.toMatchObject({ code: "denied" });
    expect(sandbox.state().requests.map((r) => [r.call, r.outcome])).toEqual([
      ["checkPermissions", "denied"],
      ["checkPermissions", "ok"],
      ["perform", "denied"],
      ["checkPermissions", "denied"],
    ]);
  });

  it("fails one resource of a batch while the others succeed", async () => {
    const probe = await open({});
    const vms = Object.values(probe.state().resources)
      .filter((r) => r.provider === "aws" && r.kind === "vm")
      .slice(0, 3);
    const sandbox = await open({ fail_resources: [{ resource_id: vms[1]!.resourceId }] });
    const results = await outcomes(sandbox);
    expect(results.slice(0, 3)).toEqual(["ok", "server", "ok"]);
  });
});
