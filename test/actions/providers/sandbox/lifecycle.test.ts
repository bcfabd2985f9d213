/**
 * Buckets' lifecycle rules in the sandbox, with S3's rules: a rule added beside the others, the
 * same id replacing its rule, at least 30 days before Standard-IA, a transition class S3 has,
 * removing a rule that is gone changing nothing, AWS only; and a bucket's storage line (not its
 * request lines, billed per request) is what the sandbox bills it from.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type CloudAdapter, type Operation, ProviderError } from "../../../../actions/providers/adapter.ts";
import { openSandbox, type Sandbox } from "../../../../actions/providers/sandbox/sandbox.ts";
import { tinyEstate, withSandbox } from "./fixture.ts";

let sandbox: Sandbox;
let aws: CloudAdapter;
let n = 0;

beforeAll(async () => {
  const { warehouse, config } = await tinyEstate();
  sandbox = await openSandbox(withSandbox(config), warehouse);
  aws = sandbox.adapter("aws");
}, 120_000);

const buckets = (provider: string) =>
  Object.values(sandbox.state().resources).filter(
    (r) => r.provider === provider && r.kind === "bucket" && r.exists,
  );
const rule = (ruleId: string, transitionDays = 30, storageClass = "STANDARD_IA"): Operation => ({
  op: "put_lifecycle_rule",
  ruleId,
  transitionDays,
  storageClass,
});
const send = (adapter: CloudAdapter, resourceId: string, operation: Operation) =>
  adapter.perform({ resourceId, operation, idempotencyToken: `lc-${++n}` });

async function refusal(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe("lifecycle rules in the sandbox", () => {
  it("bills an AWS bucket from its Standard storage line at its GB-month price", () => {
    const bucket = buckets("aws")[0]!;
    expect(bucket).toBeDefined();
    expect(bucket.billing.unit).toBe("GB-Mo");
    // Standard (0.023) or, for a mostly tiered bucket, Standard-IA (0.0125): never a request's price.
    expect(Number(bucket.billing.unitPrice)).toBeGreaterThanOrEqual(0.0125);
  });

  it("adds rules by id beside the others, replaces one by its id, and removes only the one named", async () => {
    const id = buckets("aws")[0]!.resourceId;
    expect((await aws.describe(id)).lifecycleRules).toEqual([]);
    await send(aws, id, rule("theirs", 90, "GLACIER"));
    await send(aws, id, rule("cco-ia"));
    await send(aws, id, rule("cco-ia", 60));
    expect((await aws.describe(id)).lifecycleRules).toEqual(["theirs", "cco-ia"]);
    expect(sandbox.state().resources[id]!.lifecycleRules![1]).toEqual({
      id: "cco-ia",
      transitionDays: 60,
      storageClass: "STANDARD_IA",
    });
    await send(aws, id, { op: "delete_lifecycle_rule", ruleId: "cco-ia" });
    await send(aws, id, { op: "delete_lifecycle_rule", ruleId: "cco-ia" });
    expect((await aws.describe(id)).lifecycleRules).toEqual(["theirs"]);
  });

  it("refuses what S3 refuses, changing nothing", async () => {
    const id = buckets("aws")[1]!.resourceId;
    const early = await refusal(send(aws, id, rule("early", 29)));
    expect([early.code, early.message]).toEqual([
      "invalid",
      "InvalidArgument: 'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA'",
    ]);
    expect((await refusal(send(aws, id, rule("cold", 0, "COLD_STORAGE")))).code).toBe("invalid");
    expect((await refusal(send(aws, id, rule("x".repeat(256))))).code).toBe("invalid");
    // Glacier takes any age.
    await send(aws, id, rule("glacier-now", 0, "GLACIER"));
    expect((await aws.describe(id)).lifecycleRules).toEqual(["glacier-now"]);
    // A lifecycle rule is a bucket's: not a VM's.
    const vm = Object.values(sandbox.state().resources).find(
      (r) => r.provider === "aws" && r.kind === "vm" && r.exists,
    )!;
    expect((await refusal(send(aws, vm.resourceId, rule("vm")))).code).toBe("invalid");
  });

  it("is AWS only: Blob and GCS lifecycle management are not automated", async () => {
    // A storage account as the warehouse would give one (the tiny estate may have none).
    const like = buckets("aws")[2]!;
    const other = {
      ...structuredClone(like),
      provider: "azure" as const,
      resourceId: "/subscriptions/s/resourcegroups/rg/providers/microsoft.storage/storageaccounts/acmeblob",
    };
    sandbox.mutate((state) => {
      state.resources[other.resourceId] = other;
    });
    const adapter = sandbox.adapter("azure");
    const error = await refusal(send(adapter, other.resourceId, rule("cco-ia")));
    expect([error.code, error.message.includes("AWS S3 only")]).toEqual(["invalid", true]);
  });
});
