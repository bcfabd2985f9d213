/**
 * The one interface every side effect of the executor goes through (as Cloud Custodian's
 * actions do): an adapter per provider reads a resource's real state and performs one
 * provider-neutral operation, waiting for long-running operations to finish. Dry-run is free:
 * the executor records the operations it would perform and calls nothing.
 *
 * Adapters live one folder per provider (providers/sandbox/ now; providers/aws|azure|gcp/ when
 * the real SDK adapters land), each exporting a factory registered in providers/index.ts.
 */
export type Provider = "aws" | "azure" | "gcp";
/** The providers the executor can change resources in (others' recommendations are done by hand). */
export const PROVIDERS: readonly Provider[] = ["aws", "azure", "gcp"];
export type ResourceKind = "vm" | "disk" | "snapshot" | "ip" | "bucket";

/** What the cloud says a resource is now: the pre-flight compares it with what was recommended. */
export interface ResourceState {
  resourceId: string;
  provider: Provider;
  kind: ResourceKind;
  exists: boolean;
  /** running | stopped | deallocated (VMs); in-use | available (disks); associated | idle (IPs). */
  status?: string;
  /** VM size, disk type (gp2, gp3, Premium_LRS, pd-ssd). */
  size?: string;
  sizeGb?: number;
  /** A disk's VM, an address's VM or interface. */
  attachedTo?: string[];
  tags: Record<string, string>;
  region?: string;
  account?: string;
  /** A bucket's lifecycle rules by id (an empty list: none). */
  lifecycleRules?: string[];
}

/** The operations action kinds are built from; each adapter maps them to its API. */
export type Operation =
  | { op: "stop_vm" }
  | { op: "start_vm" }
  | { op: "resize_vm"; size: string }
  | { op: "snapshot_disk"; snapshotName: string } // output: { snapshotId }
  | { op: "delete_disk" }
  | { op: "restore_disk"; snapshotId: string; size?: string; attachTo?: string } // output: { resourceId }
  | { op: "change_disk_type"; type: string }
  | { op: "delete_snapshot" }
  | { op: "release_address" }
  | { op: "set_tags"; tags: Record<string, string> }
  | { op: "remove_tags"; keys: string[] }
  /** Add (or replace) one rule of a bucket's lifecycle configuration, keeping the others. */
  | { op: "put_lifecycle_rule"; ruleId: string; transitionDays: number; storageClass: string }
  /** Remove one rule, keeping the others (no rule left: the configuration is deleted). */
  | { op: "delete_lifecycle_rule"; ruleId: string };

export interface OperationRequest {
  resourceId: string;
  operation: Operation;
  /** Sent as the API's ClientToken / requestId where it takes one; the same token never applies twice. */
  idempotencyToken: string;
}

export interface OperationResult {
  /** The provider's request id, for the audit log. */
  requestId: string;
  output?: Record<string, string>;
}

/** Hourly samples of a resource's metrics after a time, for the verification window. */
export interface MetricSample {
  hour: string; // ISO timestamp
  cpuPct: number;
  memoryPct?: number;
}

export interface CloudAdapter {
  readonly provider: Provider;
  /** "sandbox", "aws", … (recorded with every action). */
  readonly name: string;
  describe(resourceId: string): Promise<ResourceState>;
  /** Performs the operation and waits for it to finish; throws ProviderError. */
  perform(request: OperationRequest): Promise<OperationResult>;
  /** The provider's own permission check (EC2 DryRun, …) where one exists; throws ProviderError("denied"). */
  checkPermissions(request: OperationRequest): Promise<void>;
  metrics(resourceId: string, since: Date): Promise<MetricSample[]>;
  /** The adapter's clock: the real time, or the sandbox's simulated time. */
  now(): Date;
}

export type ProviderErrorCode =
  | "throttled"
  | "timeout"
  | "server"
  | "capacity"
  | "not_found"
  | "conflict"
  | "denied"
  | "invalid";

/** A provider's refusal, typed by what the executor can do about it. */
export class ProviderError extends Error {
  constructor(
    readonly code: ProviderErrorCode,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ProviderError";
  }
  /** Throttling, timeouts and 5xx are retried with backoff; the rest are not. */
  get retryable(): boolean {
    return this.code === "throttled" || this.code === "timeout" || this.code === "server";
  }
}
