/**
 * The GCP adapter (`actions.adapters.gcp: gcp`): Compute Engine through @google-cloud/compute
 * (REST), pointed at `actions.gcp.api_endpoint` when set. What each operation calls: perform.ts;
 * states: describe.ts; permissions: permissions.ts; docs/actions-gcp.md says it for users.
 *
 * checkPermissions: GCP has no dry run. Compute's testIamPermissions on the resource itself
 * answers for the permissions on that resource (compute.instances.stop on the instance…); the
 * project-level ones (compute.zoneOperations.get, compute.snapshots.create, compute.disks.create)
 * would need Resource Manager's projects.testIamPermissions, whose client is not a dependency: a
 * missing one is refused by the call itself (ProviderError denied) and the step undone.
 * metrics: Cloud Monitoring's CPU utilization of the instance, hourly means
 * (sources.cloud_monitoring.api_endpoint overrides the endpoint).
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
import { Caller, clientOptions, computeClients, type GcpAdapterOptions, NO_RETRY } from "./client.ts";
import { describeRef } from "./describe.ts";
import { fromError } from "./errors.ts";
import { type GcpRef, parseRef } from "./ids.ts";
import { CALL_PERMISSIONS, callsFor, permissionsFor } from "./permissions.ts";
import { checkTarget, perform } from "./perform.ts";

export { CALL_PERMISSIONS, callsFor, permissionsFor } from "./permissions.ts";
export type { GcpAdapterOptions } from "./client.ts";

/** The permission prefix testIamPermissions accepts on each kind of resource. */
const TESTABLE: Record<GcpRef["collection"], string> = {
  instances: "compute.instances.",
  disks: "compute.disks.",
  snapshots: "compute.snapshots.",
  addresses: "compute.addresses.",
};

class GcpAdapter implements CloudAdapter {
  readonly provider = "gcp" as const;
  readonly name = "gcp";
  private caller?: Promise<Caller>;

  constructor(
    private readonly config: Config,
    private readonly options: GcpAdapterOptions,
  ) {}

  private client(): Promise<Caller> {
    this.caller ??= computeClients(this.config, this.options).then((clients) => {
      const s = this.config.actions.gcp;
      return new Caller(
        clients,
        this.options.requestTimeoutMs ?? s.request_timeout_ms,
        s.wait_seconds * 1000,
        s.poll_interval_ms,
        this.options.onCall,
      );
    });
    return this.caller;
  }

  async describe(resourceId: string): Promise<ResourceState> {
    return describeRef(await this.client(), resourceId, parseRef(resourceId));
  }

  async perform(request: OperationRequest): Promise<OperationResult> {
    return perform(await this.client(), request.resourceId, request.operation, request.idempotencyToken);
  }

  async checkPermissions(request: OperationRequest): Promise<void> {
    const ref = parseRef(request.resourceId);
    checkTarget(request.operation, ref);
    const prefix = TESTABLE[ref.collection];
    const wanted = permissionsFor(callsFor(request.operation, ref)).filter((p) =>
      ref.collection === "addresses" && !ref.region
        ? p.startsWith("compute.globalAddresses.")
        : p.startsWith(prefix),
    );
    if (!wanted.length) return;
    const c = await this.client();
    const body = { permissions: wanted };
    const { project, zone, region, name: resource } = ref;
    const [granted] = await (ref.collection === "instances"
      ? c.call("instances.testIamPermissions", (k) =>
          k.instances.testIamPermissions(
            { project, zone, resource, testPermissionsRequestResource: body },
            NO_RETRY,
          ),
        )
      : ref.collection === "disks"
        ? c.call("disks.testIamPermissions", (k) =>
            k.disks.testIamPermissions(
              { project, zone, resource, testPermissionsRequestResource: body },
              NO_RETRY,
            ),
          )
        : ref.collection === "snapshots"
          ? c.call("snapshots.testIamPermissions", (k) =>
              k.snapshots.testIamPermissions(
                { project, resource, testPermissionsRequestResource: body },
                NO_RETRY,
              ),
            )
          : region
            ? c.call("addresses.testIamPermissions", (k) =>
                k.addresses.testIamPermissions(
                  { project, region, resource, testPermissionsRequestResource: body },
                  NO_RETRY,
                ),
              )
            : c.call("globalAddresses.testIamPermissions", (k) =>
                k.globalAddresses.testIamPermissions(
                  { project, resource, testPermissionsRequestResource: body },
                  NO_RETRY,
                ),
              ));
    const have = new Set(granted.permissions ?? []);
    const missing = wanted.filter((p) => !have.has(p));
    if (missing.length)
      throw new ProviderError(
        "denied",
        `${request.operation.op} on ${resource} needs ${missing.join(", ")} (testIamPermissions)`,
      );
  }

  async metrics(resourceId: string, since: Date): Promise<MetricSample[]> {
    const ref = parseRef(resourceId);
    if (ref.collection !== "instances") return [];
    const { MetricServiceClient } = await import("@google-cloud/monitoring");
    const monitoring = new MetricServiceClient(
      (await clientOptions(
        this.config.sources.cloudMonitoring.apiEndpoint,
        this.options.authClient,
      )) as never,
    );
    this.options.onCall?.("timeSeries.list");
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const which = /^\d+$/.test(ref.name)
      ? `resource.labels.instance_id = "${ref.name}"`
      : `metric.labels.instance_name = "${ref.name}"`;
    try {
      const [series] = await monitoring.listTimeSeries(
        {
          name: `projects/${ref.project}`,
          filter: `metric.type = "compute.googleapis.com/instance/cpu/utilization" AND resource.type = "gce_instance" AND resource.labels.zone = "${ref.zone}" AND ${which}`,
          interval: {
            startTime: { seconds: Math.floor(since.getTime() / 1000) },
            endTime: { seconds: Math.floor(end.getTime() / 1000) },
          },
          aggregation: { alignmentPeriod: { seconds: 3600 }, perSeriesAligner: "ALIGN_MEAN" as never },
        },
        { autoPaginate: true, retry: null },
      );
      const out = new Map<string, number>();
      for (const ts of series)
        for (const p of ts.points ?? []) {
          const v = p.value?.doubleValue;
          if (typeof v !== "number" || !Number.isFinite(v)) continue;
          const hour = new Date(Number(p.interval?.startTime?.seconds ?? 0) * 1000).toISOString();
          out.set(hour, +(v * 100).toFixed(3));
        }
      return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([hour, cpuPct]) => ({ hour, cpuPct }));
    } catch (error) {
      throw fromError(error);
    } finally {
      await monitoring.close().catch(() => undefined);
    }
  }

  now(): Date {
    return new Date();
  }

  /** Closes the SDK clients (tests; a CLI process exits anyway). */
  async close(): Promise<void> {
    if (this.caller) await (await this.caller).close();
  }
}

export function createGcpAdapter(
  config: Config,
  options: GcpAdapterOptions = {},
): CloudAdapter & { close(): Promise<void> } {
  return new GcpAdapter(config, options);
}

export { CALL_PERMISSIONS as GCP_CALL_PERMISSIONS };
