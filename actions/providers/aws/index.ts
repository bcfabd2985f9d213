/**
 * The AWS adapter (actions.adapters.aws: aws): the executor's operations through the EC2 API
 * (@aws-sdk/client-ec2), metrics from CloudWatch. describe.ts reads a resource's real state,
 * operations.ts makes each change and waits for it, dry-run.ts is the permission check,
 * permissions.ts lists every call with the IAM permission it needs. docs/actions-aws.md.
 */
import type { Config } from "../../../core/config.ts";
import type {
  CloudAdapter,
  MetricSample,
  OperationRequest,
  OperationResult,
  ResourceState,
} from "../adapter.ts";
import { type AwsAdapterOptions, Ec2Clients, settings } from "./client.ts";
import { describeResource } from "./describe.ts";
import { dryRun } from "./dry-run.ts";
import { cpuMetrics } from "./metrics.ts";
import { perform } from "./operations.ts";

export type { AwsAdapterOptions } from "./client.ts";
export { CALL_PERMISSIONS, OPERATION_CALLS, permissionsFor } from "./permissions.ts";

export class AwsAdapter implements CloudAdapter {
  readonly provider = "aws" as const;
  readonly name = "aws";
  readonly clients: Ec2Clients;

  constructor(config: Config, options: AwsAdapterOptions = {}) {
    this.clients = new Ec2Clients(settings(config, options));
  }

  describe(resourceId: string): Promise<ResourceState> {
    return describeResource(this.clients, resourceId);
  }

  perform(request: OperationRequest): Promise<OperationResult> {
    return perform(this.clients, request.resourceId, request.operation, request.idempotencyToken);
  }

  checkPermissions(request: OperationRequest): Promise<void> {
    return dryRun(this.clients, request);
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
  }
}

export function createAwsAdapter(config: Config, options: AwsAdapterOptions = {}): AwsAdapter {
  return new AwsAdapter(config, options);
}
