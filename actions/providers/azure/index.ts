/**
 * The Azure adapter: the executor's operations through Azure Resource Manager with the real SDKs
 * (@azure/arm-compute, @azure/arm-network), long-running operations polled to their end by the
 * SDK's pollers (Azure-AsyncOperation / Location, Retry-After) within `actions.azure.wait_seconds`.
 * Credentials: DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI)
 * unless a TokenCredential is given (tests). ARM has no idempotency token: PUT and DELETE are
 * idempotent by design, names the adapter creates are derived from the action (the snapshot
 * `cco-<action>`) or the step's token (a restored disk), and each call carries an
 * x-ms-client-request-id derived from the token (clients.ts). metrics(): a VM's hourly CPU and
 * memory from Azure Monitor (metrics.ts) for verification. Docs: docs/actions-azure.md.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { Config } from "../../../core/config.ts";
import {
  type CloudAdapter,
  type MetricSample,
  type OperationRequest,
  type OperationResult,
  ProviderError,
  type ResourceState,
} from "../adapter.ts";
import { type Clients, makeClients } from "./clients.ts";
import { describeResource } from "./describe.ts";
import { armError, toProviderError } from "./errors.ts";
import { groupScope, parseArmId } from "./ids.ts";
import type { Caller } from "./call.ts";
import { vmMetrics } from "./metrics.ts";
import { performOperation } from "./operations.ts";
import {
  CALL_PERMISSIONS,
  DESCRIBE_CALL,
  granted,
  type PermissionEntry,
  permissionsFor,
} from "./permissions.ts";

export {
  CALL_PERMISSIONS,
  DESCRIBE_CALL,
  METRICS_CALL,
  OPERATION_CALLS,
  permissionsFor,
} from "./permissions.ts";
export { clientRequestId } from "./clients.ts";

export interface AzureAdapterOptions {
  /** Default: DefaultAzureCredential from @azure/identity. */
  credential?: TokenCredential;
  /** Each HTTP request's limit (polls included); default 60 s. */
  requestTimeoutMs?: number;
  /** The adapter's clock (default: the real time); tests move it past a verification window. */
  now?: () => Date;
}

/** Permissions - List For Resource (https://learn.microsoft.com/rest/api/authorization/permissions/list-for-resource). */
const PERMISSIONS_API = "2022-04-01";

export function createAzureAdapter(config: Config, options: AzureAdapterOptions = {}): CloudAdapter {
  return new AzureAdapter(config.actions.azure, options);
}

class AzureAdapter implements CloudAdapter {
  readonly provider = "azure" as const;
  readonly name = "azure";
  private readonly clients = new Map<string, Clients>();
  private readonly counts = new Map<string, number>();
  private credential?: TokenCredential;

  constructor(
    private readonly settings: Config["actions"]["azure"],
    private readonly options: AzureAdapterOptions,
  ) {
    this.credential = options.credential;
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async clientsFor(subscription: string): Promise<Clients> {
    const key = subscription.toLowerCase();
    let clients = this.clients.get(key);
    if (!clients) {
      if (!this.credential) {
        const { DefaultAzureCredential } = await import("@azure/identity");
        this.credential = new DefaultAzureCredential();
      }
      clients = makeClients(
        {
          endpoint: this.settings.arm_endpoint,
          credential: this.credential,
          requestTimeoutMs: this.options.requestTimeoutMs ?? this.settings.request_timeout_ms,
        },
        subscription,
      );
      this.clients.set(key, clients);
    }
    return clients;
  }

  private caller(): Caller {
    return {
      clients: (subscription) => this.clientsFor(subscription),
      count: (key) => {
        const n = (this.counts.get(key) ?? 0) + 1;
        this.counts.set(key, n);
        return n;
      },
      pollIntervalMs: this.settings.poll_interval_ms,
      waitMs: this.settings.wait_seconds * 1000,
    };
  }

  async describe(resourceId: string): Promise<ResourceState> {
    return describeResource(this.caller(), parseArmId(resourceId));
  }

  async perform(request: OperationRequest): Promise<OperationResult> {
    return performOperation(this.caller(), request);
  }

  /**
   * Azure has no dry run: the caller's effective permissions at the resource (its resource group
   * for a disk being restored, which does not exist yet) from the Permissions API, against the
   * RBAC actions the operation's calls need (permissions.ts).
   */
  async checkPermissions(request: OperationRequest): Promise<void> {
    const id = parseArmId(request.resourceId);
    const needed = permissionsFor(request.operation);
    // remove_tags reads the values to delete (the Tags API deletes name/value pairs).
    if (request.operation.op === "remove_tags") needed.push(CALL_PERMISSIONS[DESCRIBE_CALL[id.kind as "vm"]]);
    const scope = request.operation.op === "restore_disk" ? groupScope(id) : request.resourceId;
    let entries: PermissionEntry[];
    try {
      entries = await this.permissionsAt(id.subscription, scope);
    } catch (error) {
      if (!(error instanceof ProviderError) || error.code !== "not_found" || scope === groupScope(id))
        throw error;
      entries = await this.permissionsAt(id.subscription, groupScope(id));
    }
    const missing = needed.filter((action) => !granted(entries, action));
    if (missing.length) {
      throw new ProviderError(
        "denied",
        `${request.operation.op} on ${request.resourceId} needs ${missing.join(", ")}, which the caller does not hold at ${scope}`,
      );
    }
  }

  private async permissionsAt(subscription: string, scope: string): Promise<PermissionEntry[]> {
    const { arm } = await this.clientsFor(subscription);
    const entries: PermissionEntry[] = [];
    let next: string | undefined =
      `${scope}/providers/Microsoft.Authorization/permissions?api-version=${PERMISSIONS_API}`;
    while (next) {
      const url: string = next;
      const response = await (async () => await arm.pathUnchecked(url).get())().catch((e: unknown) => {
        throw toProviderError(e, "permissions.list");
      });
      const body = (response.body ?? {}) as { value?: PermissionEntry[]; nextLink?: string; error?: unknown };
      if (!response.status.startsWith("2")) throw armError(response, "permissions.list");
      entries.push(...(body.value ?? []));
      next = body.nextLink;
    }
    return entries;
  }

  /** A VM's whole hours of Azure Monitor CPU and memory since `since` (metrics.ts); [] for other resources. */
  async metrics(resourceId: string, since: Date): Promise<MetricSample[]> {
    return vmMetrics(this.caller(), parseArmId(resourceId), since, this.now());
  }
}
