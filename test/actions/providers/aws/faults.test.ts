/**
 * Each injected fault, through the real SDK, as the ProviderError the executor acts on. The SDK's
 * own retries are off: one failed request is one ProviderError, and the executor's (logged)
 * retry policy decides what happens next.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ProviderError } from "../../../../actions/providers/adapter.ts";
import type { AwsAdapter } from "../../../../actions/providers/aws/index.ts";
import { loadConfig } from "../../../../core/config.ts";
import type { AwsReplay } from "../../../helpers/replay/aws.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { adapterFor, awsWorld, awsYaml } from "./setup.ts";

let replay: AwsReplay;
let adapter: AwsAdapter;
let n = 0;

beforeAll(async () => {
  ({ replay, adapter } = await awsWorld());
});

/** A fresh instance per case, so one case's change never hides another's. */
function instance(state = "running", type = "m5.xlarge"): string {
  const id = `i-0f${++n}`;
  replay.estate.seed({ instances: [{ id, state, type }] });
  return id;
}

async function failure(work: Promise<unknown>): Promise<ProviderError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

const stop = (id: string) =>
  adapter.perform({ resourceId: id, operation: { op: "stop_vm" }, idempotencyToken: `t-${id}` });
const sent = (action: string, id: string) =>
  replay.log.filter((r) => r.action === action && r.resource === id);

describe("faults as ProviderErrors", () => {
  it.each([
    ["throttle", "throttled", "RequestLimitExceeded"],
    ["server", "server", "InternalError"],
    ["unavailable", "server", "Unavailable"],
    ["capacity", "capacity", "InsufficientInstanceCapacity"],
  ] as const)(
    "%s → %s, retryable as the executor expects, sent once, nothing changed",
    async (fault, code, name) => {
      const id = instance();
      replay.inject({ fault, action: "StopInstances", resource: id });
      const error = await failure(stop(id));
      expect([error.code, error.message.includes(name), error.retryable]).toEqual([
        code,
        true,
        code !== "capacity",
      ]);
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(sent("StopInstances", id)).toHaveLength(1);
      expect((await adapter.describe(id)).status).toBe("running");
    },
  );

  it("a timeout: the change is applied, the call is a retryable timeout", async () => {
    const id = instance("stopped");
    replay.inject({ fault: "timeout", action: "ModifyInstanceAttribute", resource: id });
    const error = await failure(
      adapter.perform({
        resourceId: id,
        operation: { op: "resize_vm", size: "m5.large" },
        idempotencyToken: "t",
      }),
    );
    expect([error.code, error.retryable]).toEqual(["timeout", true]);
    expect(sent("ModifyInstanceAttribute", id)).toMatchObject([{ applied: true, fault: "timeout" }]);
    expect((await adapter.describe(id)).size).toBe("m5.large");
  });

  it("a start at a type without capacity is a capacity error (EC2 reports it on StartInstances)", async () => {
    const id = instance("stopped", "m5.large");
    replay.estate.capacityTypes.add("m5.large");
    try {
      const error = await failure(
        adapter.perform({ resourceId: id, operation: { op: "start_vm" }, idempotencyToken: "t" }),
      );
      expect(error.code).toBe("capacity");
      expect((await adapter.describe(id)).status).toBe("stopped");
    } finally {
      replay.estate.capacityTypes.delete("m5.large");
    }
  });

  it("a resource of a batch that always fails, a missing one, a denied call, a bad parameter", async () => {
    const broken = instance();
    replay.failResources.set(broken, { code: "IncorrectInstanceState", status: 400 });
    expect((await failure(stop(broken))).code).toBe("conflict");
    expect((await failure(stop("i-0missing"))).code).toBe("not_found");
    replay.deny.add("StopInstances");
    try {
      expect((await failure(stop(instance()))).code).toBe("denied");
    } finally {
      replay.deny.delete("StopInstances");
    }
    replay.estate.seed({ volumes: [{ id: "vol-0bad", type: "gp2" }] });
    const error = await failure(
      adapter.perform({
        resourceId: "vol-0bad",
        operation: { op: "change_disk_type", type: "gp9" },
        idempotencyToken: "t",
      }),
    );
    expect(error.code).toBe("invalid");
  });

  it("a waiter past wait_seconds is a timeout (the stop is still under way)", async () => {
    const slow = await awsWorld({ settleMs: 60_000 });
    const dir = tempDir();
    writeFileSync(
      path.join(dir, "c.yaml"),
      awsYaml(slow.replay.url).replace("wait_seconds: 10", "wait_seconds: 1"),
    );
    const quick = adapterFor(
      loadConfig({ configFile: path.join(dir, "c.yaml"), dataDir: dir, env: {} }),
      slow.replay.url,
    );
    slow.replay.estate.seed({ instances: [{ id: "i-0slow", state: "running" }] });
    try {
      const error = await failure(
        quick.perform({ resourceId: "i-0slow", operation: { op: "stop_vm" }, idempotencyToken: "t" }),
      );
      expect(error.code).toBe("timeout");
      expect((await quick.describe("i-0slow")).status).toBe("stopping");
    } finally {
      quick.close();
    }
  });
});
