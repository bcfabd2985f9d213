/**
 * The sandbox cloud's state: one JSON file (<dataDir>/sandbox/state.json) holding every
 * simulated resource with its history, the simulated clock, the idempotency tokens seen and
 * the request log. Written atomically and only under the lock (lock.ts), so two processes
 * (an executor and `cco sandbox advance`) never interleave their changes.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "../../../core/files.ts";
import type { Operation, Provider, ResourceKind } from "../adapter.ts";
import type { Catalogue } from "./catalogue.ts";

export const STATE_VERSION = 1;

/** What the sandbox needs to bill a resource as the generated exports do (estate-generator/lines.ts `li`). */
export interface BillingFacts {
  /** The export the billing account delivers (aws_cur2, aws_cur_legacy, azure_mca, gcp_bq, focus). */
  export: string;
  billingAccountId: string;
  subAccountName: string | null;
  currency: string;
  zone: string | null;
  resourceName: string | null;
  /** List price per unit (Hrs or GB-Mo) as a decimal string, from the warehouse. */
  unitPrice: string;
  unit: "Hrs" | "GB-Mo";
  /** The commitment covering this VM on the estate's last day, and its effective hourly rate. */
  commitmentId: string | null;
  commitmentType: string | null;
  commitmentRate: string | null;
}

/** One period of a resource's life with the same status and size: billing reads these. */
export interface Revision {
  at: string;
  exists: boolean;
  status: string;
  size: string;
  /** The list price per unit from then on (a resize or a disk type change moves it). */
  unitPrice: string;
  attachedTo: string[];
}

export interface SandboxResource {
  resourceId: string;
  /** OCI resources are billed (the FOCUS export) but no adapter acts on them. */
  provider: Provider | "oci";
  kind: ResourceKind;
  exists: boolean;
  status: string;
  size: string;
  sizeGb?: number;
  attachedTo: string[];
  tags: Record<string, string>;
  region: string;
  account: string;
  createdAt: string;
  /** A snapshot's source disk; a restored disk's snapshot. */
  sourceId?: string;
  /** A snapshot's disk type, restored by default. */
  diskType?: string;
  /** vCPUs of the size the warehouse measured its metrics at (the metrics' baseline). */
  baselineSize?: string;
  billing: BillingFacts;
  history: Revision[];
  lastModifiedAt?: string;
  /** A bucket's lifecycle configuration, in S3's order (none: no configuration). */
  lifecycleRules?: LifecycleRule[];
}

/** One rule of a bucket's lifecycle configuration: a transition of every object after N days. */
export interface LifecycleRule {
  id: string;
  transitionDays: number;
  storageClass: string;
}

export interface RequestLogEntry {
  seq: number;
  at: string;
  call: "perform" | "checkPermissions";
  requestId: string;
  resourceId: string;
  operation: Operation["op"];
  token?: string;
  /** ok | replayed (same token) | the error code. */
  outcome: string;
  /** For a timeout: whether the change was applied before the caller lost the answer. */
  applied: boolean;
  output?: Record<string, string>;
  message?: string;
}

export interface TokenRecord {
  resourceId: string;
  operation: Operation;
  requestId: string;
  output?: Record<string, string>;
}

export interface SandboxState {
  version: number;
  seed: number;
  /** First simulated instant: 00:00 UTC the day after the estate's last billing day. */
  startedAt: string;
  clock: string;
  /** The last billing day the estate delivered (YYYY-MM-DD). */
  estateEnd: string;
  seq: number;
  resources: Record<string, SandboxResource>;
  tokens: Record<string, TokenRecord>;
  requests: RequestLogEntry[];
  /** Days billed by `advance` so far (YYYY-MM-DD), the last one last. */
  billedThrough: string | null;
  catalogue: Catalogue;
}

export const sandboxDir = (dataDir: string) => path.join(dataDir, "sandbox");
export const stateFile = (dataDir: string) => path.join(sandboxDir(dataDir), "state.json");
/** Each VM's hourly profile, written once at initialisation (metrics.ts). */
export const profilesFile = (dataDir: string) => path.join(sandboxDir(dataDir), "profiles.json");
export const exportsDir = (dataDir: string) => path.join(sandboxDir(dataDir), "exports");

export function readState(dataDir: string): SandboxState | undefined {
  const file = stateFile(dataDir);
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, "utf8")) as SandboxState;
  if (state.version !== STATE_VERSION) {
    throw new Error(
      `${file}: sandbox state version ${state.version}, expected ${STATE_VERSION}; run cco sandbox reset`,
    );
  }
  return state;
}

export function writeState(dataDir: string, state: SandboxState): void {
  writeFileAtomic(stateFile(dataDir), `${JSON.stringify(state)}\n`);
}

/** The resource's status and size at an instant, from its history (undefined before it existed). */
export function revisionAt(resource: SandboxResource, at: Date): Revision | undefined {
  let found: Revision | undefined;
  for (const revision of resource.history) {
    if (Date.parse(revision.at) <= at.getTime()) found = revision;
    else break;
  }
  return found;
}

/** Record the resource's current status, size, price and attachments as of `at`. */
export function revise(resource: SandboxResource, at: string, unitPrice = lastPrice(resource)): void {
  resource.history.push({
    at,
    exists: resource.exists,
    status: resource.status,
    size: resource.size,
    unitPrice,
    attachedTo: [...resource.attachedTo],
  });
}

const lastPrice = (resource: SandboxResource) =>
  resource.history.at(-1)?.unitPrice ?? resource.billing.unitPrice;
