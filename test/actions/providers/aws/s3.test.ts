/**
 * Buckets' lifecycle rules through the real S3 SDK against the replay's S3 (path style): describe,
 * a rule added beside the bucket's own (S3 replaces the whole configuration, so the others must be
 * written back as they were), removed again (the configuration deleted with the last rule), S3's
 * refusals, and each fault as the ProviderError the executor acts on.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type Operation, ProviderError } from "../../../../actions/providers/adapter.ts";
import type { AwsAdapter } from "../../../../actions/providers/aws/index.ts";
import type { AwsReplay } from "../../../helpers/replay/aws.ts";
import { awsWorld } from "./setup.ts";

let replay: AwsReplay;
let adapter: AwsAdapter;
let n = 0;

beforeAll(async () => {
  ({ replay, adapter } = await awsWorld());
});

const EARLIER = { id: "expire-logs", prefix: "logs/", expirationDays: 365 };
const OURS: Operation = {
  op: "put_lifecycle_rule",
  ruleId: "cco-ia-30",
  transitionDays: 30,
  storageClass: "STANDARD_IA",
};

/** A fresh bucket per case, with the earlier rule unless told otherwise (null: no configuration). */
function bucket(
  rules: (typeof EARLIER)[] | null = [EARLIER],
  tags: Record<string, string> = { team: "data" },
) {
  const name = `acme-logs-${++n}`;
  replay.s3.seed([{ name, tags, ...(rules ? { rules } : {}) }]);
  return name;
}

const perform = (resourceId: string, operation: Operation) =>
  adapter.perform({ resourceId, operation, idempotencyToken: `t-${resourceId}-${operation.op}` });
const calls = (name: string) =>
  replay.log.filter((r) => r.resource === name).map((r) => `${r.action} ${r.outcome}`);

async function failure(work: Promise<unknown>): Promise<ProviderError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("describe a bucket", () => {
  it("reports its rules by id and its tags; a bucket without a configuration has none", async () => {
    const a = bucket();
    expect(await adapter.describe(a)).toMatchObject({
      kind: "bucket",
      exists: true,
      status: "available",
      lifecycleRules: ["expire-logs"],
      tags: { team: "data" },
    });
    // NoSuchLifecycleConfiguration and NoSuchTagSet are "none", not errors.
    const b = bucket(null, {});
    expect(await adapter.describe(b)).toMatchObject({ exists: true, lifecycleRules: [], tags: {} });
    expect(calls(b)).toEqual([
      "GetBucketLifecycleConfiguration NoSuchLifecycleConfiguration",
      "GetBucketTagging NoSuchTagSet",
    ]);
  });

  it("says a bucket that does not exist does not (NoSuchBucket), also by its ARN", async () => {
    expect(await adapter.describe("acme-gone-bucket")).toMatchObject({ exists: false });
    const a = bucket();
    expect(await adapter.describe(`arn:aws:s3:::${a}`)).toMatchObject({
      exists: true,
      lifecycleRules: ["expire-logs"],
    });
  });
});

describe("put_lifecycle_rule and delete_lifecycle_rule", () => {
  it("adds our rule and writes the earlier one back as it was, then removes only ours", async () => {
    const name = bucket();
    replay.s3.buckets.get(name)!.minimumObjectSize = "varies_by_storage_class";
    const put = await perform(name, OURS);
    expect(put.requestId).toMatch(/^[0-9A-F]{16}$/);
    expect(replay.s3.ruleIds(name)).toEqual(["expire-logs", "cco-ia-30"]);
    const stored = replay.s3.buckets.get(name)!;
    expect(stored.rules![0]).toEqual({
      id: "expire-logs",
      status: "Enabled",
      prefix: "logs/",
      transitions: [],
      expirationDays: 365,
    });
    expect(stored.rules![1]).toEqual({
      id: "cco-ia-30",
      status: "Enabled",
      prefix: "",
      transitions: [{ days: 30, storageClass: "STANDARD_IA" }],
    });
    // The bucket's own transition minimum object size is kept, not reset to S3's default.
    expect(stored.minimumObjectSize).toBe("varies_by_storage_class");
    // Read, write the whole configuration, read back until it shows.
    expect(calls(name)).toEqual([
      "GetBucketLifecycleConfiguration ok",
      "PutBucketLifecycleConfiguration ok",
      "GetBucketLifecycleConfiguration ok",
    ]);
    // A re-sent step finds its rule there and writes nothing.
    expect((await perform(name, OURS)).requestId).toBe(`unchanged:${name}`);
    expect(replay.log.filter((r) => r.resource === name && r.action.startsWith("Put"))).toHaveLength(1);

    await perform(name, { op: "delete_lifecycle_rule", ruleId: "cco-ia-30" });
    expect(replay.s3.ruleIds(name)).toEqual(["expire-logs"]);
    expect(replay.s3.buckets.get(name)!.rules![0]).toMatchObject({ prefix: "logs/", expirationDays: 365 });
    // Removing a rule already gone changes nothing.
    const before = replay.log.length;
    expect((await perform(name, { op: "delete_lifecycle_rule", ruleId: "cco-ia-30" })).requestId).toBe(
      `unchanged:${name}`,
    );
    expect(replay.log.slice(before).map((r) => r.action)).toEqual(["GetBucketLifecycleConfiguration"]);
  });

  it("on a bucket with no configuration: puts ours alone, and the undo deletes the configuration", async () => {
    const name = bucket(null);
    await perform(name, OURS);
    expect(replay.s3.ruleIds(name)).toEqual(["cco-ia-30"]);
    await perform(name, { op: "delete_lifecycle_rule", ruleId: "cco-ia-30" });
    expect(replay.s3.buckets.get(name)!.rules).toBeUndefined();
    expect(calls(name).slice(-3)).toEqual([
      "GetBucketLifecycleConfiguration ok",
      "DeleteBucketLifecycle ok",
      "GetBucketLifecycleConfiguration NoSuchLifecycleConfiguration",
    ]);
  });

  it("S3's refusals: under 30 days to Standard-IA is invalid; a missing bucket is not_found", async () => {
    const name = bucket();
    const early = await failure(perform(name, { ...OURS, transitionDays: 7 } as Operation));
    expect([early.code, early.retryable]).toEqual(["invalid", false]);
    expect(early.message).toContain("greater than or equal to 30 for storageClass 'STANDARD_IA'");
    expect(replay.s3.ruleIds(name)).toEqual(["expire-logs"]);
    expect((await failure(perform("acme-gone-bucket", OURS))).code).toBe("not_found");
    // An EC2 operation on a bucket (or ours on an instance) is refused before any call.
    expect((await failure(perform(name, { op: "stop_vm" }))).code).toBe("invalid");
    expect((await failure(perform("i-0abc", OURS))).code).toBe("invalid");
  });
});

describe("faults as ProviderErrors", () => {
  it.each([
    ["throttle", "throttled", "SlowDown"],
    ["server", "server", "InternalError"],
    ["unavailable", "server", "ServiceUnavailable"],
  ] as const)("%s on the write → %s (%s), retryable, nothing written", async (fault, code, name) => {
    const b = bucket();
    replay.inject({ fault, action: "PutBucketLifecycleConfiguration", resource: b });
    const error = await failure(perform(b, OURS));
    expect([error.code, error.retryable, error.message.includes(name)]).toEqual([code, true, true]);
    expect(replay.s3.ruleIds(b)).toEqual(["expire-logs"]);
    // The executor's retry: the same step again goes through.
    await perform(b, OURS);
    expect(replay.s3.ruleIds(b)).toEqual(["expire-logs", "cco-ia-30"]);
  });

  it("a timeout applies the rule, then the answer is lost: describe() shows it, a re-send writes nothing", async () => {
    const b = bucket();
    replay.inject({ fault: "timeout", action: "PutBucketLifecycleConfiguration", resource: b });
    expect((await failure(perform(b, OURS))).code).toBe("timeout");
    expect((await adapter.describe(b)).lifecycleRules).toEqual(["expire-logs", "cco-ia-30"]);
    expect((await perform(b, OURS)).requestId).toBe(`unchanged:${b}`);
  });

  it("AccessDenied is denied: from the permission check (a read, S3 has no dry run) and from the write", async () => {
    const b = bucket();
    replay.deny.add("PutBucketLifecycleConfiguration");
    try {
      await adapter.checkPermissions({ resourceId: b, operation: OURS, idempotencyToken: "p" });
      const error = await failure(perform(b, OURS));
      expect([error.code, error.retryable]).toEqual(["denied", false]);
    } finally {
      replay.deny.delete("PutBucketLifecycleConfiguration");
    }
    replay.deny.add("GetBucketLifecycleConfiguration");
    try {
      const error = await failure(
        adapter.checkPermissions({ resourceId: b, operation: OURS, idempotencyToken: "p" }),
      );
      expect(error.code).toBe("denied");
    } finally {
      replay.deny.delete("GetBucketLifecycleConfiguration");
    }
    expect(replay.s3.ruleIds(b)).toEqual(["expire-logs"]);
  });
});
