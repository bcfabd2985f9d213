/**
 * The AWS adapter (actions.adapters.aws: aws): the executor's operations through the EC2 API
 * (@aws-sdk/client-ec2) and, for buckets' lifecycle rules, S3 (@aws-sdk/client-s3, s3.ts);
 * metrics from CloudWatch. describe.ts reads a resource's real state,
 * operations.ts makes each change and waits for it, dry-run.ts is the permission check,
 * permissions.ts lists every call with the IAM permission it needs. docs/actions-aws.md.
 */
import type { Config } from "../../../core/config.ts";
import {
  type CloudAdapter,
  type MetricSample,
  type OperationRequest,
  type OperationResult,
  ProviderError,
  type ResourceState,
} from "../adapter.ts";
import { type AwsAdapterOptions, Ec2Clients, settings } from "./client.ts";
import { describeResource } from "./describe.ts";
import { dryRun } from "./dry-run.ts";
import { bucketName } from "./ids.ts";
import { cpuMetrics } from "./metrics.ts";
import { perform } from "./operations.ts";
import { checkBucket, describeBucket, performOnBucket, S3Clients } from "./s3.ts";

export type { AwsAdapterOptions } from "./client.ts";
export { CALL_PERMISSIONS, OPERATION_CALLS, permissionsFor } from "./permissions.ts";

export class AwsAdapter implements CloudAdapter {
  readonly provider = "aws" as const;
  readonly name = "aws";
  readonly clients: Ec2Clients;
  readonly s3: S3Clients;

  constructor(config: Config, options: AwsAdapterOptions = {}) {
    this.clients = new Ec2Clients(settings(config, options));
    this.s3 = new S3Clients(this.clients.settings);
  }

  async describe(resourceId: string): Promise<ResourceState> {
    const bucket = bucketName(resourceId);
    return bucket ? describeBucket(this.s3, bucket, resourceId) : describeResource(this.clients, resourceId);
  }

  async perform(request: OperationRequest): Promise<OperationResult> {
    const bucket = bucketName(request.resourceId);
    const o = request.operation;
    if (o.op === "put_lifecycle_rule" || o.op === "delete_lifecycle_rule") {
      if (!bucket)
        throw new ProviderError("invalid", `${o.op} applies to a bucket; '${request.resourceId}' is not one`);
      return performOnBucket(this.s3, bucket, o);
    }
    if (bucket) throw new ProviderError("invalid", `${o.op} does not apply to the bucket '${bucket}'`);
    return perform(this.clients, request.resourceId, o, request.idempotencyToken);
  }

  async checkPermissions(request: OperationRequest): Promise<void> {
    const bucket = bucketName(request.resourceId);
    return bucket ? checkBucket(this.s3, bucket) : dryRun(this.clients, request);
  }

  metrics(resourceId: string, since: Date): Promise<MetricSample[]> {
    return cpuMetrics(this.clients.settings, resourceId, since, this.now());
  }

  now(): Date {
    return new Date();
  }

  /** Close the clients' sockets (tests; a CLI run exits anyway). */
  close(): void {
    this.clients.destroy();
    this.s3.destroy();
  }
}

export function createAwsAdapter(config: Config, options: AwsAdapterOptions = {}): AwsAdapter {
  return new AwsAdapter(config, options);
}
