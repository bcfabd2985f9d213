/**
 * A stateful local Azure Resource Manager for the Azure adapter's tests: HTTPS (the SDKs refuse a
 * bearer token over plain HTTP; the certificate is self-signed for 127.0.0.1, so clients set
 * NODE_TLS_REJECT_UNAUTHORIZED=0), the documented ARM wire format, resources seeded by the test,
 * every request recorded in order, faults injected on demand. State lives in this server, so an
 * executor in a child process (killed with kill -9 between two calls) sees the same cloud.
 *
 * Documented behaviour replayed (learn.microsoft.com):
 * - REST: resource ids as paths, api-version required (azure/azure-resource-manager/management/
 *   request-limits-and-throttling, …/rest/api/compute/virtual-machines/get, disks/get,
 *   snapshots/get, …/rest/api/virtualnetwork/public-ip-addresses/get).
 * - Async operations (azure/azure-resource-manager/management/async-operations): 201/202 with
 *   Azure-AsyncOperation, Location and Retry-After; the operation's status body
 *   {"status":"InProgress"|"Succeeded"|"Failed","error":{code,message}}.
 * - Errors {"error":{"code","message"}}: 429 with Retry-After for throttling (Compute's body code
 *   OperationNotAllowed, troubleshoot/azure/virtual-machines/troubleshooting-throttling-errors),
 *   AllocationFailed in a failed start (…/virtual-machines/allocation-failure), SkuNotAvailable 409
 *   (…/error-sku-not-available), ResourceNotFound 404, AuthorizationFailed 403,
 *   OperationNotAllowed 409 (an attached disk deleted), PublicIPAddressCannotBeDeleted 400.
 * - Permissions - List For Resource ({"value":[{"actions","notActions"}]}), Tags - Update At Scope.
 * - Metrics - List (…/rest/api/monitor/metrics/list, api-version 2024-02-01): GET
 *   {resource}/providers/Microsoft.Insights/metrics?timespan=start/end&interval=PT1H&metricnames=…
 *   &aggregation=Average answers {cost, timespan, interval, namespace, resourceregion, value: [{id,
 *   type, name: {value, localizedValue}, unit, timeseries: [{metadatavalues, data: [{timeStamp,
 *   average}]}], errorCode}]}, one point per interval of the timespan, an interval without data
 *   with its timeStamp only; a metric name the resource type does not have is 400 BadRequest
 *   (azure/azure-monitor/reference/supported-metrics/microsoft-compute-virtualmachines-metrics);
 *   throttling is ARM's 429 with Retry-After and {"error":{"code":"TooManyRequests"}}.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

type Json = Record<string, unknown>;

export interface ReplayResource extends Json {
  id: string;
  name: string;
  type: string;
  location: string;
  tags: Record<string, string>;
  properties: Json;
}

export type FaultKind = "throttle" | "server" | "timeout" | "denied";

/** A fault for requests matching `call` (an ARM call name as permissions.ts spells them, or "*") and `resource`. */
export interface FaultRule {
  kind: FaultKind;
  call?: string;
  /** A substring of the request path (case-insensitive), e.g. a VM's name: one resource of a batch. */
  resource?: string;
  /** How many matching requests fail (default 1); Infinity: all of them. */
  times?: number;
}

export interface LoggedRequest {
  seq: number;
  method: string;
  path: string;
  apiVersion: string | null;
  /** The query string's other parameters (metricnames, timespan, …). */
  query: Record<string, string>;
  call: string;
  clientRequestId: string | null;
  body: unknown;
  status: number;
  /** The request changed a resource (an idempotent repeat does not). */
  applied: boolean;
  fault?: FaultKind | "capacity" | "sku";
}

export interface ReplayOptions {
  /** InProgress answers before an async operation reports its end (default 1). */
  lroPolls?: number;
  /** How long a timed-out request's answer is held back (past the client's timeout). */
  timeoutDelayMs?: number;
  /** Sizes a VM cannot start at: the start's async operation fails AllocationFailed. */
  allocationFailedSizes?: string[];
  /** Sizes the region refuses: a resize to them answers 409 SkuNotAvailable. */
  skuNotAvailableSizes?: string[];
  /** RBAC actions the caller lacks: its requests answer 403, the Permissions API lists them as notActions. */
  deny?: string[];
  /** listAvailableSizes (default: the VMs' sizes and a few common ones). */
  vmSizes?: string[];
}

/** A metric sample as seeded: the hour's average of Percentage CPU and of Available Memory Percentage. */
export interface ReplayMetric {
  hour: string | Date;
  cpuPct: number;
  availableMemoryPct?: number;
}

/** Platform metrics of Microsoft.Compute/virtualMachines (name in REST API → unit): a few of the documented list. */
const VM_METRICS: Record<string, string> = {
  "Percentage CPU": "Percent",
  "Available Memory Percentage": "Percent",
  "Available Memory Bytes": "Bytes",
  "Network In Total": "Bytes",
  "Network Out Total": "Bytes",
  "Disk Read Bytes": "Bytes",
  "Disk Write Bytes": "Bytes",
};
const SEEDED: Record<string, keyof ReplayMetric> = {
  "percentage cpu": "cpuPct",
  "available memory percentage": "availableMemoryPct",
};

const SIZES = ["Standard_D2s_v3", "Standard_D4s_v3", "Standard_D8s_v3", "Standard_B2s", "Standard_E4s_v5"];

interface AsyncOp {
  pollsLeft: number;
  error?: { code: string; message: string };
}

/** Which ARM call a request is, the RBAC action it needs, and the resource it names. */
interface Route {
  call: string;
  action: string;
  id: string;
  sub?: string;
}

const ROUTES: [RegExp, Record<string, [string, string]>][] = [
  [
    /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.compute\/virtualmachines\/[^/]+)$/i,
    {
      GET: ["virtualMachines.get", "Microsoft.Compute/virtualMachines/read"],
      PATCH: ["virtualMachines.update", "Microsoft.Compute/virtualMachines/write"],
    },
  ],
  [
    /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.compute\/virtualmachines\/[^/]+)\/(deallocate|start|vmsizes)$/i,
    {
      POST: ["virtualMachines.", "Microsoft.Compute/virtualMachines/"],
      GET: ["virtualMachines.listAvailableSizes", "Microsoft.Compute/virtualMachines/vmSizes/read"],
    },
  ],
  [
    /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.compute\/(disks|snapshots)\/[^/]+)$/i,
    {
      GET: [".get", "/read"],
      PUT: [".createOrUpdate", "/write"],
      PATCH: [".update", "/write"],
      DELETE: [".delete", "/delete"],
    },
  ],
  [
    /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.network\/publicipaddresses\/[^/]+)$/i,
    {
      GET: ["publicIPAddresses.get", "Microsoft.Network/publicIPAddresses/read"],
      DELETE: ["publicIPAddresses.delete", "Microsoft.Network/publicIPAddresses/delete"],
    },
  ],
  [
    /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+)\/providers\/microsoft\.insights\/metrics$/i,
    { GET: ["metrics.list", "Microsoft.Insights/metrics/read"] },
  ],
  [
    /^(\/.+)\/providers\/microsoft\.resources\/tags\/default$/i,
    { PATCH: ["tags.updateAtScope", "Microsoft.Resources/tags/write"] },
  ],
  [
    /^(\/.+)\/providers\/microsoft\.authorization\/permissions$/i,
    { GET: ["permissions.list", "Microsoft.Authorization/permissions/read"] },
  ],
];

function route(method: string, pathname: string): Route | undefined {
  for (const [pattern, methods] of ROUTES) {
    const m = pattern.exec(pathname);
    const entry = m && methods[method];
    if (!m || !entry) continue;
    const id = m[1]!;
    if (m[2] && /^(disks|snapshots)$/i.test(m[2])) {
      const group = m[2].toLowerCase() === "disks" ? "disks" : "snapshots";
      return { call: `${group}${entry[0]}`, action: `Microsoft.Compute/${group}${entry[1]}`, id };
    }
    if (m[2] && method === "POST") {
      const verb = m[2].toLowerCase();
      return { call: `${entry[0]}${verb}`, action: `${entry[1]}${verb}/action`, id, sub: verb };
    }
    return { call: entry[0], action: entry[1], id, ...(m[2] ? { sub: m[2].toLowerCase() } : {}) };
  }
  return undefined;
}

class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fault?: LoggedRequest["fault"],
  ) {
    super(message);
  }
}

export class AzureReplay {
  readonly resources = new Map<string, ReplayResource>();
  /** Power state of each VM (lower-case id): running | deallocated | stopped. */
  readonly power = new Map<string, string>();
  /** Hourly Azure Monitor samples of each VM (lower-case id → hour ISO → sample). */
  readonly samples = new Map<string, Map<string, ReplayMetric>>();
  readonly log: LoggedRequest[] = [];
  faults: FaultRule[] = [];
  private readonly ops = new Map<string, AsyncOp>();
  private server?: Server;
  url = "";

  constructor(readonly options: ReplayOptions = {}) {}

  // ---- seeding (ARM's GET shapes) ----

  vm(
    id: string,
    o: { size: string; power?: string; location?: string; tags?: Record<string, string> },
  ): string {
    const name = id.split("/").pop()!;
    this.put({
      id,
      name,
      type: "Microsoft.Compute/virtualMachines",
      location: o.location ?? "westeurope",
      tags: { ...o.tags },
      properties: {
        vmId: randomUUID(),
        hardwareProfile: { vmSize: o.size },
        storageProfile: {
          osDisk: {
            osType: "Linux",
            name: `${name}-os`,
            createOption: "FromImage",
            managedDisk: { id: `${id}-os` },
          },
          dataDisks: [],
        },
        provisioningState: "Succeeded",
      },
    });
    this.power.set(id.toLowerCase(), o.power ?? "running");
    return id;
  }

  disk(
    id: string,
    o: { sku: string; sizeGb: number; attachTo?: string; tags?: Record<string, string> },
  ): string {
    this.put({
      id,
      name: id.split("/").pop()!,
      type: "Microsoft.Compute/disks",
      location: "westeurope",
      tags: { ...o.tags },
      sku: { name: o.sku },
      properties: {
        creationData: { createOption: "Empty" },
        diskSizeGB: o.sizeGb,
        diskState: "Unattached",
        provisioningState: "Succeeded",
        timeCreated: "2026-01-05T10:00:00Z",
      },
    });
    if (o.attachTo) this.attach(o.attachTo, id);
    return id;
  }

  snapshot(id: string, o: { sizeGb: number; source?: string; tags?: Record<string, string> }): string {
    this.put({
      id,
      name: id.split("/").pop()!,
      type: "Microsoft.Compute/snapshots",
      location: "westeurope",
      tags: { ...o.tags },
      sku: { name: "Standard_LRS", tier: "Standard" },
      properties: {
        creationData: { createOption: "Copy", sourceResourceId: o.source ?? "" },
        diskSizeGB: o.sizeGb,
        incremental: false,
        provisioningState: "Succeeded",
        timeCreated: "2025-03-01T10:00:00Z",
      },
    });
    return id;
  }

  ip(id: string, o: { ipConfiguration?: string; tags?: Record<string, string> } = {}): string {
    this.put({
      id,
      name: id.split("/").pop()!,
      type: "Microsoft.Network/publicIPAddresses",
      location: "westeurope",
      tags: { ...o.tags },
      sku: { name: "Standard", tier: "Regional" },
      properties: {
        provisioningState: "Succeeded",
        ipAddress: "20.1.2.3",
        publicIPAllocationMethod: "Static",
        ...(o.ipConfiguration ? { ipConfiguration: { id: o.ipConfiguration } } : {}),
      },
    });
    return id;
  }

  /** Hourly metrics of a VM, as Azure Monitor would have aggregated them (added to any seeded before). */
  metrics(id: string, samples: ReplayMetric[]): void {
    const key = id.toLowerCase();
    const hours = this.samples.get(key) ?? new Map<string, ReplayMetric>();
    for (const s of samples) hours.set(new Date(s.hour).toISOString(), s);
    this.samples.set(key, hours);
  }

  get(id: string): ReplayResource | undefined {
    return this.resources.get(id.toLowerCase());
  }

  private put(resource: ReplayResource): void {
    this.resources.set(resource.id.toLowerCase(), resource);
  }

  private attach(vmId: string, diskId: string, lun?: number): void {
    const vm = this.get(vmId)!;
    const disk = this.get(diskId)!;
    const disks = dataDisks(vm);
    const free = lun ?? [...Array(64).keys()].find((l) => !disks.some((d) => d.lun === l))!;
    disks.push({ lun: free, name: disk.name, createOption: "Attach", managedDisk: { id: disk.id } });
    this.holdDisk(disk, vm.id);
  }

  private holdDisk(disk: ReplayResource, vmId: string | undefined): void {
    if (vmId) disk.managedBy = vmId;
    else delete disk.managedBy;
    disk.properties.diskState = vmId
      ? this.power.get(vmId.toLowerCase()) === "running"
        ? "Attached"
        : "Reserved"
      : "Unattached";
  }

  // ---- the server ----

  async start(): Promise<string> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cco-azure-replay-"));
    const key = path.join(dir, "key.pem");
    const cert = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1"].concat([
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
      ]),
      { stdio: "ignore" },
    );
    this.server = createServer({ key: readFileSync(key), cert: readFileSync(cert) }, (req, res) => {
      let text = "";
      req.on("data", (c) => {
        text += c;
      });
      req.on("end", () => {
        const answer = this.handle(req.method ?? "GET", req.url ?? "/", req.headers, text);
        const send = () => {
          if (res.destroyed) return;
          res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
          res.end(answer.body === undefined ? "" : JSON.stringify(answer.body));
        };
        if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
        else send();
      });
    });
    this.server.keepAliveTimeout = 1;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  /** The calls of the log that changed something, by name (for order assertions). */
  calls(filter: (r: LoggedRequest) => boolean = () => true): string[] {
    return this.log.filter(filter).map((r) => r.call);
  }

  private handle(
    method: string,
    rawUrl: string,
    headers: Record<string, string | string[] | undefined>,
    text: string,
  ): { status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number } {
    // A path starting "//" (an SDK joining "/{resourceUri}" with an id that starts with "/") is
    // the same resource to ARM; parsed as is it would be a host.
    const url = new URL(rawUrl.replace(/^\/{2,}/, "/"), this.url);
    if (url.pathname.startsWith("/__replay/")) return this.control(method, url.pathname, text);
    const requestId = randomUUID();
    const clientRequestId = (headers["x-ms-client-request-id"] as string | undefined) ?? null;
    const base = {
      "x-ms-request-id": requestId,
      ...(clientRequestId ? { "x-ms-client-request-id": clientRequestId } : {}),
    };
    // Async operation status and Location monitors: not logged as calls, they only poll.
    const op = /\/operations\/([^/]+)$/i.exec(url.pathname);
    if (op && method === "GET")
      return {
        ...this.poll(op[1]!, url.searchParams.has("monitor")),
        headers: { ...base, "retry-after": "0" },
      };
    const r = route(method, url.pathname);
    const body = text ? (JSON.parse(text) as Json) : undefined;
    const entry: LoggedRequest = {
      seq: this.log.length + 1,
      method,
      path: url.pathname,
      apiVersion: url.searchParams.get("api-version"),
      query: Object.fromEntries([...url.searchParams].filter(([k]) => k !== "api-version")),
      call: r?.call ?? `${method} ${url.pathname}`,
      clientRequestId,
      body: body ?? null,
      status: 0,
      applied: false,
    };
    this.log.push(entry);
    const before = JSON.stringify([...this.resources.values()]) + JSON.stringify([...this.power]);
    let answer: { status: number; headers?: Record<string, string>; body?: unknown; delayMs?: number };
    try {
      if (!String(headers.authorization ?? "").startsWith("Bearer "))
        throw new ArmError(
          401,
          "AuthenticationFailed",
          "Authentication failed. The 'Authorization' header is missing.",
        );
      if (!entry.apiVersion)
        throw new ArmError(
          400,
          "MissingApiVersionParameter",
          "The api-version query parameter (?api-version=) is required for all requests.",
        );
      if (!r) throw new ArmError(404, "NoRegisteredProviderFound", `No route for ${method} ${url.pathname}`);
      const fault = this.fault(r.call, url.pathname);
      if (fault === "throttle") {
        entry.fault = "throttle";
        entry.status = 429;
        if (r.call === "metrics.list")
          return {
            status: 429,
            headers: { ...base, "retry-after": "1" },
            body: {
              error: {
                code: "TooManyRequests",
                message: "The request was throttled: too many metrics queries for this subscription.",
              },
            },
          };
        return {
          status: 429,
          headers: { ...base, "retry-after": "1" },
          body: {
            error: {
              code: "OperationNotAllowed",
              message:
                "The server rejected the request because too many requests have been received for this subscription.",
              details: [{ code: "TooManyRequests", target: "HighCostGet30Min" }],
            },
          },
        };
      }
      if (fault === "server")
        throw new ArmError(500, "InternalServerError", "An internal execution error occurred.", "server");
      if (fault === "denied" || this.options.deny?.includes(r.action)) throw this.denied(r);
      answer = this.apply(method, r, body, url);
      if (fault === "timeout") {
        entry.fault = "timeout";
        answer.delayMs = this.options.timeoutDelayMs ?? 3000;
      }
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      if (error.fault) entry.fault = error.fault;
      answer = { status: error.status, body: { error: { code: error.code, message: error.message } } };
    }
    entry.status = answer.status;
    entry.applied = before !== JSON.stringify([...this.resources.values()]) + JSON.stringify([...this.power]);
    return { ...answer, headers: { ...base, ...answer.headers } };
  }

  private denied(r: Route): ArmError {
    return new ArmError(
      403,
      "AuthorizationFailed",
      `The client 'cco' with object id '00000000-0000-0000-0000-00000000c0c0' does not have authorization to perform action '${r.action}' over scope '${r.id}' or the scope is invalid.`,
      undefined,
    );
  }

  private fault(call: string, pathname: string): FaultKind | undefined {
    const rule = this.faults.find(
      (f) =>
        (f.times ?? 1) > 0 &&
        (!f.call || f.call === "*" || f.call === call) &&
        (!f.resource || pathname.toLowerCase().includes(f.resource.toLowerCase())),
    );
    if (!rule) return undefined;
    rule.times = (rule.times ?? 1) - 1;
    return rule.kind;
  }

  /**
   * An accepted long-running operation: its status URL, how it ends, and for POST and DELETE a
   * Location monitor (PUT and PATCH answer with the resource and Azure-AsyncOperation only; the
   * client reads the resource itself at the end).
   */
  private accepted(r: Route, error?: AsyncOp["error"], location = true): Record<string, string> {
    const id = randomUUID();
    this.ops.set(id, { pollsLeft: this.options.lroPolls ?? 1, ...(error ? { error } : {}) });
    const sub = /^\/subscriptions\/([^/]+)/i.exec(r.id)![1];
    const ns = /microsoft\.network/i.test(r.id) ? "Microsoft.Network" : "Microsoft.Compute";
    const op = `${this.url}/subscriptions/${sub}/providers/${ns}/locations/westeurope/operations/${id}`;
    return {
      "azure-asyncoperation": `${op}?api-version=2024-03-01`,
      ...(location ? { location: `${op}?monitor=true&api-version=2024-03-01` } : {}),
      "retry-after": "0",
    };
  }

  private poll(id: string, monitor: boolean): { status: number; body?: unknown } {
    const op = this.ops.get(id);
    if (!op)
      return { status: 404, body: { error: { code: "NotFound", message: `operation ${id} not found` } } };
    if (op.pollsLeft > 0) {
      op.pollsLeft--;
      return monitor
        ? { status: 202 }
        : { status: 200, body: { name: id, status: "InProgress", startTime: new Date().toISOString() } };
    }
    if (monitor) return op.error ? { status: 409, body: { error: op.error } } : { status: 200 };
    return {
      status: 200,
      body: {
        name: id,
        status: op.error ? "Failed" : "Succeeded",
        startTime: new Date().toISOString(),
        endTime: new Date().toISOString(),
        ...(op.error ? { error: op.error } : {}),
      },
    };
  }

  private need(id: string, what = "resource"): ReplayResource {
    const found = this.get(id);
    if (!found) {
      const [, type, name] = /providers\/([^/]+\/[^/]+)\/([^/]+)$/i.exec(id) ?? [];
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource '${type}/${name}' under resource group was not found (${what}).`,
      );
    }
    return found;
  }

  private view(resource: ReplayResource, expand: boolean): ReplayResource {
    const copy = structuredClone(resource);
    if (expand && resource.type === "Microsoft.Compute/virtualMachines") {
      const power = this.power.get(resource.id.toLowerCase()) ?? "running";
      copy.properties.instanceView = {
        statuses: [
          { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
          { code: `PowerState/${power}`, level: "Info", displayStatus: `VM ${power}` },
        ],
      };
    }
    return copy;
  }

  private apply(
    method: string,
    r: Route,
    body: Json | undefined,
    url: URL,
  ): { status: number; headers?: Record<string, string>; body?: unknown } {
    switch (r.call) {
      case "permissions.list":
        return {
          status: 200,
          body: {
            value: [
              {
                actions: ["*"],
                notActions: [...(this.options.deny ?? [])],
                dataActions: [],
                notDataActions: [],
              },
            ],
          },
        };
      case "virtualMachines.get":
      case "disks.get":
      case "snapshots.get":
      case "publicIPAddresses.get":
        return {
          status: 200,
          body: this.view(this.need(r.id), /instanceview/i.test(url.searchParams.get("$expand") ?? "")),
        };
      case "metrics.list":
        return { status: 200, body: this.metricsList(r, url) };
      case "virtualMachines.listAvailableSizes": {
        const vm = this.need(r.id);
        const names = this.options.vmSizes ?? [...new Set([...SIZES, hardware(vm).vmSize as string])];
        return {
          status: 200,
          body: {
            value: names.map((name) => ({ name, numberOfCores: 2, memoryInMB: 8192, maxDataDiskCount: 8 })),
          },
        };
      }
      case "virtualMachines.deallocate": {
        this.need(r.id);
        const key = r.id.toLowerCase();
        if (this.power.get(key) !== "deallocated") this.setPower(key, "deallocated");
        return { status: 202, headers: this.accepted(r) };
      }
      case "virtualMachines.start": {
        const vm = this.need(r.id);
        const key = r.id.toLowerCase();
        const size = String(hardware(vm).vmSize);
        if (this.power.get(key) !== "running") {
          if (this.options.allocationFailedSizes?.some((s) => s.toLowerCase() === size.toLowerCase())) {
            const entry = this.log[this.log.length - 1]!;
            entry.fault = "capacity";
            return {
              status: 202,
              headers: this.accepted(r, {
                code: "AllocationFailed",
                message: `Allocation failed. We do not have sufficient capacity for the requested VM size ${size} in this region.`,
              }),
            };
          }
          this.setPower(key, "running");
        }
        return { status: 202, headers: this.accepted(r) };
      }
      case "virtualMachines.update":
        return this.updateVm(r, body ?? {});
      case "disks.update": {
        const disk = this.need(r.id);
        const sku = (body?.sku as Json | undefined)?.name as string | undefined;
        if (sku && sku !== (disk.sku as Json).name) {
          if (disk.managedBy && this.power.get(String(disk.managedBy).toLowerCase()) === "running")
            throw new ArmError(
              409,
              "OperationNotAllowed",
              `Disk ${disk.name} is attached to running VM ${disk.managedBy}; the sku of an attached disk changes only while the VM is deallocated.`,
            );
          disk.sku = { name: sku };
        }
        if (body?.tags) disk.tags = { ...(body.tags as Record<string, string>) };
        return {
          status: 200,
          headers: this.accepted(r, undefined, false),
          body: {
            ...this.view(disk, false),
            properties: { ...disk.properties, provisioningState: "Updating" },
          },
        };
      }
      case "disks.createOrUpdate":
      case "snapshots.createOrUpdate":
        return this.create(r, body ?? {});
      case "disks.delete":
      case "snapshots.delete":
      case "publicIPAddresses.delete": {
        const found = this.get(r.id);
        if (!found) return { status: 204 };
        if (found.managedBy)
          throw new ArmError(
            409,
            "OperationNotAllowed",
            `Disk ${found.name} is attached to VM ${found.managedBy}.`,
          );
        if ((found.properties.ipConfiguration as Json | undefined)?.id)
          throw new ArmError(
            400,
            "PublicIPAddressCannotBeDeleted",
            `Public IP address ${found.id} can not be deleted since it is still allocated to resource ${(found.properties.ipConfiguration as Json).id}.`,
          );
        this.resources.delete(r.id.toLowerCase());
        return { status: 202, headers: this.accepted(r) };
      }
      case "tags.updateAtScope": {
        const target = this.need(r.id);
        const props = (body?.properties ?? {}) as { tags?: Record<string, string> };
        const operation = String(body?.operation ?? "").toLowerCase();
        if (operation === "merge") Object.assign(target.tags, props.tags);
        else if (operation === "replace") target.tags = { ...props.tags };
        else if (operation === "delete") {
          for (const [k, v] of Object.entries(props.tags ?? {}))
            if (target.tags[k] === v) delete target.tags[k];
        } else throw new ArmError(400, "InvalidRequestContent", `operation must be Merge, Replace or Delete`);
        return {
          status: 200,
          body: {
            id: `${r.id}/providers/Microsoft.Resources/tags/default`,
            name: "default",
            type: "Microsoft.Resources/tags",
            properties: { tags: target.tags },
          },
        };
      }
      default:
        throw new ArmError(405, "MethodNotAllowed", `${method} ${r.call}`);
    }
  }

  /** Metrics - List of a VM: every hour of the timespan, the seeded averages where there are some. */
  private metricsList(r: Route, url: URL): Json {
    const vm = this.need(r.id);
    if (vm.type !== "Microsoft.Compute/virtualMachines")
      throw new ArmError(
        400,
        "BadRequest",
        `this replay has metrics for virtual machines only, not ${vm.type}`,
      );
    const q = (name: string) => url.searchParams.get(name) ?? "";
    const names = q("metricnames").split(",").filter(Boolean);
    const unknown = names.filter(
      (n) => !Object.keys(VM_METRICS).some((k) => k.toLowerCase() === n.toLowerCase()),
    );
    if (!names.length || unknown.length)
      throw new ArmError(
        400,
        "BadRequest",
        `Failed to find metric configuration for provider: Microsoft.Compute, resource Type: virtualMachines, metric: ${unknown.join(",")}, Valid metrics: ${Object.keys(VM_METRICS).join(",")}`,
      );
    if (q("interval").toUpperCase() !== "PT1H")
      throw new ArmError(400, "BadRequest", `this replay serves interval PT1H only, not '${q("interval")}'`);
    if (!/(^|,)average(,|$)/i.test(q("aggregation")))
      throw new ArmError(400, "BadRequest", `this replay serves the Average aggregation only`);
    const [from, to] = q("timespan")
      .split("/")
      .map((t) => Date.parse(t));
    if (!from || !to || to <= from)
      throw new ArmError(400, "BadRequest", `Invalid timespan '${q("timespan")}': expected start/end`);
    const hours = this.samples.get(vm.id.toLowerCase());
    const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");
    const data = (name: string) => {
      const field = SEEDED[name.toLowerCase()];
      const points: Json[] = [];
      for (let t = Math.ceil(from / 3_600_000) * 3_600_000; t < to; t += 3_600_000) {
        const value = field ? hours?.get(new Date(t).toISOString())?.[field] : undefined;
        points.push({ timeStamp: iso(t), ...(typeof value === "number" ? { average: value } : {}) });
      }
      return points;
    };
    return {
      cost: names.length * Math.round((to - from) / 3_600_000),
      timespan: `${iso(from)}/${iso(to)}`,
      interval: "PT1H",
      value: names.map((name) => ({
        id: `${vm.id}/providers/Microsoft.Insights/metrics/${name}`,
        type: "Microsoft.Insights/metrics",
        name: { value: name, localizedValue: name },
        displayDescription: name,
        unit: VM_METRICS[Object.keys(VM_METRICS).find((k) => k.toLowerCase() === name.toLowerCase())!],
        timeseries: [{ metadatavalues: [], data: data(name) }],
        errorCode: "Success",
      })),
      namespace: "Microsoft.Compute/virtualMachines",
      resourceregion: vm.location,
    };
  }

  private setPower(vmKey: string, power: string): void {
    this.power.set(vmKey, power);
    const vm = this.resources.get(vmKey);
    for (const d of vm ? dataDisks(vm) : []) {
      const disk = this.get(String((d.managedDisk as Json).id));
      if (disk) this.holdDisk(disk, vm!.id);
    }
  }

  private updateVm(
    r: Route,
    body: Json,
  ): { status: number; headers?: Record<string, string>; body?: unknown } {
    const vm = this.need(r.id);
    // The wire nests a VM's settings under properties (VirtualMachineUpdate's REST shape).
    const props = (body.properties ?? {}) as Json;
    const size = (props.hardwareProfile as Json | undefined)?.vmSize as string | undefined;
    if (size && size !== hardware(vm).vmSize) {
      if (this.options.skuNotAvailableSizes?.some((s) => s.toLowerCase() === size.toLowerCase())) {
        throw new ArmError(
          409,
          "SkuNotAvailable",
          `The requested size for resource '${vm.id}' is currently not available in location 'westeurope' zones '' for subscription. Please try another size or deploy to a different location or zones.`,
          "sku",
        );
      }
      hardware(vm).vmSize = size;
    }
    const wanted = (props.storageProfile as Json | undefined)?.dataDisks as Json[] | undefined;
    if (wanted) {
      const current = dataDisks(vm);
      const idOf = (d: Json) => String((d.managedDisk as Json | undefined)?.id ?? "").toLowerCase();
      for (const d of current) {
        if (!wanted.some((w) => idOf(w) === idOf(d))) {
          const disk = this.get(idOf(d));
          if (disk) this.holdDisk(disk, undefined);
        }
      }
      const next: Json[] = [];
      for (const w of wanted) {
        const disk = this.need(idOf(w), "data disk");
        if (disk.managedBy && disk.managedBy.toString().toLowerCase() !== vm.id.toLowerCase())
          throw new ArmError(
            409,
            "OperationNotAllowed",
            `Disk ${disk.name} is already attached to VM ${disk.managedBy}.`,
          );
        next.push({ lun: w.lun, name: disk.name, createOption: "Attach", managedDisk: { id: disk.id } });
      }
      (vm.properties.storageProfile as Json).dataDisks = next;
      for (const w of next) this.holdDisk(this.get(idOf(w))!, vm.id);
    }
    if (body.tags) vm.tags = { ...(body.tags as Record<string, string>) };
    return {
      status: 200,
      headers: this.accepted(r, undefined, false),
      body: { ...this.view(vm, false), properties: { ...vm.properties, provisioningState: "Updating" } },
    };
  }

  private create(r: Route, body: Json): { status: number; headers?: Record<string, string>; body?: unknown } {
    const props = (body.properties ?? {}) as Json;
    const creation = (props.creationData ?? {}) as Json;
    const source = this.need(String(creation.sourceResourceId ?? ""), "creationData.sourceResourceId");
    const existing = this.get(r.id);
    const isSnapshot = r.call.startsWith("snapshots");
    if (existing) {
      const had = String(((existing.properties.creationData ?? {}) as Json).sourceResourceId ?? "");
      if (had.toLowerCase() !== source.id.toLowerCase())
        throw new ArmError(
          409,
          "PropertyChangeNotAllowed",
          `Changing property 'creationData.sourceResourceId' is not allowed.`,
        );
      return {
        status: 200,
        headers: this.accepted(r, undefined, false),
        body: {
          ...this.view(existing, false),
          properties: { ...existing.properties, provisioningState: "Updating" },
        },
      };
    }
    const name = r.id.split("/").pop()!;
    const id = `${r.id.split("/providers/")[0]}/providers/Microsoft.Compute/${isSnapshot ? "snapshots" : "disks"}/${name}`;
    const sku =
      (body.sku as Json | undefined)?.name ??
      (isSnapshot ? "Standard_LRS" : ((source.sku as Json | undefined)?.name ?? "Standard_LRS"));
    const made: ReplayResource = {
      id,
      name,
      type: isSnapshot ? "Microsoft.Compute/snapshots" : "Microsoft.Compute/disks",
      location: String(body.location ?? source.location),
      tags: { ...((body.tags as Record<string, string>) ?? {}) },
      sku: { name: sku },
      properties: {
        creationData: { createOption: "Copy", sourceResourceId: source.id },
        diskSizeGB: source.properties.diskSizeGB,
        ...(isSnapshot ? { incremental: Boolean(props.incremental) } : { diskState: "Unattached" }),
        provisioningState: "Succeeded",
        timeCreated: new Date().toISOString(),
      },
    };
    this.put(made);
    return {
      status: 201,
      headers: this.accepted(r, undefined, false),
      body: { ...made, properties: { ...made.properties, provisioningState: "Creating" } },
    };
  }

  /** Control endpoints for a replay run as its own process: seed, faults, log. */
  private control(method: string, pathname: string, text: string): { status: number; body?: unknown } {
    const body = text ? (JSON.parse(text) as Json) : {};
    if (pathname === "/__replay/log" && method === "GET") return { status: 200, body: this.log };
    if (pathname === "/__replay/resources" && method === "GET")
      return {
        status: 200,
        body: { resources: [...this.resources.values()], power: Object.fromEntries(this.power) },
      };
    if (pathname === "/__replay/faults" && method === "POST") {
      this.faults.push(...((body.faults as FaultRule[]) ?? []));
      return { status: 200, body: { faults: this.faults.length } };
    }
    if (pathname === "/__replay/seed" && method === "POST") {
      type Seed<T> = (T & { id: string })[];
      for (const v of (body.vms ?? []) as Seed<{ size: string; power?: string }>) this.vm(v.id, v);
      for (const d of (body.disks ?? []) as Seed<{ sku: string; sizeGb: number; attachTo?: string }>)
        this.disk(d.id, d);
      for (const n of (body.snapshots ?? []) as Seed<{ sizeGb: number; source?: string }>)
        this.snapshot(n.id, n);
      for (const i of (body.ips ?? []) as Seed<{ ipConfiguration?: string }>) this.ip(i.id, i);
      for (const m of (body.metrics ?? []) as { id: string; samples: ReplayMetric[] }[])
        this.metrics(m.id, m.samples);
      return { status: 200, body: { resources: this.resources.size } };
    }
    return { status: 404, body: { error: { code: "NotFound", message: pathname } } };
  }
}

function hardware(vm: ReplayResource): Json {
  return vm.properties.hardwareProfile as Json;
}

function dataDisks(vm: ReplayResource): Json[] {
  return (vm.properties.storageProfile as Json).dataDisks as Json[];
}

export async function startAzureReplay(options: ReplayOptions = {}): Promise<AzureReplay> {
  const replay = new AzureReplay(options);
  await replay.start();
  return replay;
}

// Run on its own (`node --import tsx test/helpers/replay/azure.ts`): prints its URL, serves until killed.
if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const replay = await startAzureReplay();
  console.log(replay.url);
}
