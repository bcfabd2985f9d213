/**
 * Buckets through S3 (@aws-sdk/client-s3): a bucket's lifecycle rules and tags for describe(),
 * and one rule added or removed. S3 replaces a bucket's whole lifecycle configuration on every
 * PutBucketLifecycleConfiguration, so a change reads the configuration, adds or drops our rule by
 * id and writes every other rule back as read (with the bucket's transition minimum object size);
 * the last rule removed deletes the configuration (DeleteBucketLifecycle). Neither call takes a
 * client token: both are idempotent by state (the same rule written twice is one rule; a rule
 * already gone is not removed again). S3 says a new configuration can take a while to show
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/how-to-set-lifecycle-configuration-intro.html),
 * so a change is read back until it does, at most wait_seconds.
 */
import {
  DeleteBucketLifecycleCommand,
  GetBucketLifecycleConfigurationCommand,
  type GetBucketLifecycleConfigurationCommandOutput,
  GetBucketTaggingCommand,
  type LifecycleRule,
  PutBucketLifecycleConfigurationCommand,
  S3Client,
  type TransitionStorageClass,
} from "@aws-sdk/client-s3";
import { type Operation, type OperationResult, ProviderError, type ResourceState } from "../adapter.ts";
import { call, type Settings } from "./client.ts";
import { toProviderError } from "./errors.ts";

export class S3Clients {
  private client?: S3Client;
  constructor(readonly settings: Settings) {}

  /** One client: S3 follows a bucket to its region itself (followRegionRedirects). */
  get(): S3Client {
    if (!this.client) {
      const s = this.settings;
      this.client = new S3Client({
        region: s.region,
        ...(s.s3Endpoint ? { endpoint: s.s3Endpoint } : {}),
        forcePathStyle: s.forcePathStyle,
        followRegionRedirects: true,
        ...(s.credentials ? { credentials: s.credentials } : {}),
        // The executor's retries (backoff with jitter, each attempt logged) are the only ones.
        maxAttempts: 1,
        requestHandler: {
          requestTimeout: s.requestTimeoutMs,
          connectionTimeout: s.requestTimeoutMs,
          throwOnRequestTimeout: true,
        },
      });
    }
    return this.client;
  }

  destroy(): void {
    this.client?.destroy();
    this.client = undefined;
  }
}

const requestId = (out: { $metadata: { requestId?: string } }) => out.$metadata.requestId ?? "";
const errorName = (error: unknown) => (error as { name?: string }).name ?? "";

interface Configuration {
  rules: LifecycleRule[];
  minimumObjectSize?: GetBucketLifecycleConfigurationCommandOutput["TransitionDefaultMinimumObjectSize"];
}

/** The bucket's lifecycle configuration (no rules: NoSuchLifecycleConfiguration); undefined: no bucket. */
export async function readConfiguration(s3: S3Clients, bucket: string): Promise<Configuration | undefined> {
  try {
    const out = await s3.get().send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
    return {
      rules: out.Rules ?? [],
      ...(out.TransitionDefaultMinimumObjectSize
        ? { minimumObjectSize: out.TransitionDefaultMinimumObjectSize }
        : {}),
    };
  } catch (error) {
    if (errorName(error) === "NoSuchLifecycleConfiguration") return { rules: [] };
    if (errorName(error) === "NoSuchBucket") return undefined;
    throw toProviderError(error, `GetBucketLifecycleConfiguration ${bucket}`);
  }
}

async function readTags(s3: S3Clients, bucket: string): Promise<Record<string, string>> {
  try {
    const out = await s3.get().send(new GetBucketTaggingCommand({ Bucket: bucket }));
    return Object.fromEntries((out.TagSet ?? []).filter((t) => t.Key).map((t) => [t.Key!, t.Value ?? ""]));
  } catch (error) {
    if (errorName(error) === "NoSuchTagSet") return {};
    throw toProviderError(error, `GetBucketTagging ${bucket}`);
  }
}

export async function describeBucket(
  s3: S3Clients,
  bucket: string,
  resourceId: string,
): Promise<ResourceState> {
  const base = { resourceId, provider: "aws" as const, kind: "bucket" as const, region: s3.settings.region };
  const config = await readConfiguration(s3, bucket);
  if (!config) return { ...base, exists: false, tags: {} };
  return {
    ...base,
    exists: true,
    // S3 has no bucket state: an existing bucket can always take a rule.
    status: "available",
    attachedTo: [],
    tags: await readTags(s3, bucket),
    lifecycleRules: config.rules.map((r) => r.ID ?? ""),
  };
}

type RuleOp = Extract<Operation, { op: "put_lifecycle_rule" | "delete_lifecycle_rule" }>;

export async function performOnBucket(
  s3: S3Clients,
  bucket: string,
  operation: RuleOp,
): Promise<OperationResult> {
  const config = await readConfiguration(s3, bucket);
  if (!config) throw new ProviderError("not_found", `the bucket '${bucket}' does not exist`);
  const others = config.rules.filter((r) => r.ID !== operation.ruleId);
  let rules: LifecycleRule[];
  if (operation.op === "put_lifecycle_rule") {
    const ours: LifecycleRule = {
      ID: operation.ruleId,
      Status: "Enabled",
      // Every object: an empty prefix filter (a rule must have a Filter since the 2019 API).
      Filter: { Prefix: "" },
      Transitions: [
        { Days: operation.transitionDays, StorageClass: operation.storageClass as TransitionStorageClass },
      ],
    };
    const now = config.rules.find((r) => r.ID === operation.ruleId);
    if (now && sameRule(now, ours)) return { requestId: `unchanged:${bucket}` };
    rules = [...others, ours];
  } else {
    if (others.length === config.rules.length) return { requestId: `unchanged:${bucket}` };
    rules = others;
  }
  const out = await call(
    `${rules.length ? "PutBucketLifecycleConfiguration" : "DeleteBucketLifecycle"} ${bucket}`,
    () =>
      rules.length
        ? s3.get().send(
            new PutBucketLifecycleConfigurationCommand({
              Bucket: bucket,
              LifecycleConfiguration: { Rules: rules },
              ...(config.minimumObjectSize
                ? { TransitionDefaultMinimumObjectSize: config.minimumObjectSize }
                : {}),
            }),
          )
        : s3.get().send(new DeleteBucketLifecycleCommand({ Bucket: bucket })),
  );
  await readBack(s3, bucket, operation);
  return { requestId: requestId(out) };
}

/** Poll until the configuration shows the change (S3 may answer with the old one for a while). */
async function readBack(s3: S3Clients, bucket: string, operation: RuleOp): Promise<void> {
  const { pollSeconds, waitSeconds } = s3.settings;
  const deadline = Date.now() + waitSeconds * 1000;
  const want = operation.op === "put_lifecycle_rule";
  for (let delay = pollSeconds * 1000; ; delay = Math.min(delay * 2, pollSeconds * 4000)) {
    const config = await readConfiguration(s3, bucket);
    if (!config) throw new ProviderError("not_found", `the bucket '${bucket}' does not exist`);
    if (config.rules.some((r) => r.ID === operation.ruleId) === want) return;
    if (Date.now() + delay > deadline)
      throw new ProviderError(
        "timeout",
        `bucket ${bucket}: lifecycle rule ${operation.ruleId} still ${want ? "absent" : "present"} after ${waitSeconds} s`,
      );
    await new Promise((r) => setTimeout(r, delay));
  }
}

function sameRule(a: LifecycleRule, b: LifecycleRule): boolean {
  const t = (r: LifecycleRule) => (r.Transitions ?? []).map((x) => `${x.Days}:${x.StorageClass}`).join(",");
  return (
    a.Status === b.Status && (a.Filter?.Prefix ?? a.Prefix ?? "") === "" && t(a) === t(b) && !a.Expiration
  );
}

/** S3 has no dry run: the permission check reads the configuration (s3:GetLifecycleConfiguration). */
export async function checkBucket(s3: S3Clients, bucket: string): Promise<void> {
  if (!(await readConfiguration(s3, bucket)))
    throw new ProviderError("not_found", `the bucket '${bucket}' does not exist`);
}
