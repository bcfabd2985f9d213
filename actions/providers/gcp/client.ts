/**
 * The Compute Engine clients (@google-cloud/compute, REST transport so any HTTP endpoint can
 * answer: actions.gcp.api_endpoint) and the two ways the adapter calls them: `call` (one request,
 * bounded by the request timeout, the SDK's own retries off) and `finish` (a long-running
 * operation polled with zoneOperations|regionOperations|globalOperations.wait until DONE, bounded
 * by actions.gcp.wait_seconds).
 *
 * Retries: gax retries idempotent Compute calls on UNAVAILABLE and DEADLINE_EXCEEDED by itself
 * (instances_client_config.json). Every call here passes `retry: null`, so the executor's policy
 * (actions.retries: backoff with full jitter, each attempt in the audit log, the same requestId)
 * is the only one that runs. The REST transport does not enforce gax's `timeout`, so each request
 * is raced against the adapter's own timer: past it the call is a ProviderError("timeout"), which
 * the executor settles by describe() (the change may have landed).
 */
import { gcpClientOptions } from "../../../core/gcp-client.ts";
import type { protos } from "@google-cloud/compute";
import type { Config } from "../../../core/config.ts";
import { ProviderError } from "../adapter.ts";
import { fromError, fromOperation } from "./errors.ts";
import type { GcpRef } from "./ids.ts";
import type { Call } from "./permissions.ts";

type Compute = typeof import("@google-cloud/compute");
type ClientOptions = NonNullable<ConstructorParameters<Compute["InstancesClient"]>[0]>;
export type Operation = protos.google.cloud.compute.v1.IOperation;

export interface GcpAdapterOptions {
  /** An auth client (tests, workload identity set up by the caller); default as below. */
  authClient?: unknown;
  /** Milliseconds one HTTP request may take (default 60 s, or actions.gcp.request_timeout_ms). */
  requestTimeoutMs?: number;
  /** Called with each API call made (method name as in CALL_PERMISSIONS), for tests and debugging. */
  onCall?: (call: Call) => void;
}

/** Client options: REST, the endpoint override, credentials from GOOGLE_OAUTH_ACCESS_TOKEN or ADC. */
export async function clientOptions(
  apiEndpoint: string | undefined,
  authClient?: unknown,
): Promise<ClientOptions> {
  // actions.gcp.api_endpoint may be host[:port] alone: https then.
  const url = apiEndpoint && !apiEndpoint.includes("://") ? `https://${apiEndpoint}` : apiEndpoint;
  return (await gcpClientOptions(url, authClient)) as ClientOptions;
}

export async function computeClients(config: Config, options: GcpAdapterOptions) {
  const compute = await import("@google-cloud/compute");
  const o = await clientOptions(config.actions.gcp.api_endpoint, options.authClient);
  return {
    instances: new compute.InstancesClient(o),
    disks: new compute.DisksClient(o),
    snapshots: new compute.SnapshotsClient(o),
    addresses: new compute.AddressesClient(o),
    globalAddresses: new compute.GlobalAddressesClient(o),
    zoneOperations: new compute.ZoneOperationsClient(o),
    regionOperations: new compute.RegionOperationsClient(o),
    globalOperations: new compute.GlobalOperationsClient(o),
  };
}
export type Clients = Awaited<ReturnType<typeof computeClients>>;

/** No gax retries: the executor's are the ones that run (and are logged). */
export const NO_RETRY = { retry: null } as const;

export class Caller {
  constructor(
    private readonly clients: Clients,
    private readonly timeoutMs: number,
    private readonly waitMs: number,
    private readonly pollMs: number,
    private readonly onCall?: (call: Call) => void,
  ) {}

  /** One request, as a ProviderError when it fails or outlives the request timeout. */
  async call<T>(name: Call, send: (c: Clients) => Promise<T>, requestId?: string): Promise<T> {
    this.onCall?.(name);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new ProviderError("timeout", `${name}: no answer within ${this.timeoutMs} ms`, requestId)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([send(this.clients), late]);
    } catch (error) {
      throw fromError(error, requestId);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A mutating call returning a long-running operation, waited for until DONE. The returned
   * Operation is the finished one; its error (capacity, a resource in use…) is thrown.
   */
  async mutate(
    name: Call,
    ref: GcpRef,
    requestId: string,
    send: (c: Clients) => Promise<unknown>,
  ): Promise<Operation> {
    const [lro] = (await this.call(name, send, requestId)) as [{ latestResponse: Operation }];
    return this.finish(ref, lro.latestResponse, requestId);
  }

  async finish(
    ref: Pick<GcpRef, "project" | "zone" | "region">,
    started: Operation,
    requestId: string,
  ): Promise<Operation> {
    const deadline = Date.now() + this.waitMs;
    let op = started;
    while (String(op.status) !== "DONE") {
      if (Date.now() > deadline)
        throw new ProviderError(
          "timeout",
          `operation ${op.name} (${op.operationType}) not done after ${this.waitMs / 1000} s (actions.gcp.wait_seconds)`,
          op.name ?? requestId,
        );
      const operation = op.name ?? "";
      // wait() returns when the operation is done or after about two minutes, whichever is first.
      if (ref.zone)
        [op] = await this.call("zoneOperations.wait", (c) =>
          c.zoneOperations.wait({ project: ref.project, zone: ref.zone, operation }, NO_RETRY),
        );
      else if (ref.region)
        [op] = await this.call("regionOperations.wait", (c) =>
          c.regionOperations.wait({ project: ref.project, region: ref.region, operation }, NO_RETRY),
        );
      else
        [op] = await this.call("globalOperations.wait", (c) =>
          c.globalOperations.wait({ project: ref.project, operation }, NO_RETRY),
        );
      if (String(op.status) !== "DONE") await new Promise((r) => setTimeout(r, this.pollMs));
    }
    const failed = fromOperation(op);
    if (failed) throw failed;
    return op;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.clients).map((c) => c.close().catch(() => undefined)));
  }
}
