/**
 * A stateful Compute Engine (and Cloud Monitoring timeSeries.list) that answers the real SDK over
 * HTTP in the API's documented wire format, for the GCP adapter's tests:
 *  - resources (instances, disks, snapshots, addresses) seeded by the test, looked up by name or id;
 *  - every mutation returns an Operation (https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations)
 *    that `wait`/`get` report RUNNING until `opPolls` polls, then DONE; the change applies when
 *    the request is accepted; a repeated requestId is answered with its first operation, unapplied
 *    (https://cloud.google.com/compute/docs/reference/rest/v1/instances/stop: "requestId … the
 *    server will know to ignore the request if it has already been completed");
 *  - the rules Compute enforces: setMachineType only on a TERMINATED instance, an attached disk or
 *    an in-use address cannot be deleted, setLabels needs the current labelFingerprint (412
 *    conditionNotMet), a start without capacity ends with ZONE_RESOURCE_POOL_EXHAUSTED;
 *  - errors in the documented JSON (https://cloud.google.com/apis/design/errors, and Compute's
 *    errors[].reason): 429 RESOURCE_EXHAUSTED with ErrorInfo RATE_LIMIT_EXCEEDED, 503 UNAVAILABLE,
 *    404 notFound, 400 resourceNotReady / resourceInUseByAnotherResource, 403 forbidden;
 *  - faults on demand (throttle, server, timeout: applied then answered too late, capacity,
 *    denied), per method and resource, a number of times or always (one resource of a batch);
 *  - a request log (method, resource, requestId, body, outcome, applied) in order.
 * State lives in this server's process: a child executor killed with kill -9 leaves it intact.
 * Control over HTTP for other processes: GET /__replay/state, GET /__replay/log, POST /__replay/faults.
 * Run alone: `node --import tsx test/helpers/replay/gcp.ts [port]` prints its URL.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const API = "https://www.googleapis.com/compute/v1";

type Json = Record<string, unknown>;
export type Collection = "instances" | "disks" | "snapshots" | "addresses";

export interface Resource extends Json {
  name: string;
  id: string;
  labels: Record<string, string>;
}

export type FaultKind = "throttle" | "server" | "timeout" | "capacity" | "denied";
export interface Fault {
  /** "instances.stop", "disks.delete", … or "*" for every mutating call. */
  method: string;
  /** Only for this resource (its name). */
  resource?: string;
  kind: FaultKind;
  /** How many calls fail (default 1); Infinity: every call (a resource that always fails). */
  times?: number;
}

export interface Logged {
  seq: number;
  method: string;
  http: string;
  resource?: string;
  requestId?: string;
  body?: Json;
  outcome: string;
  applied: boolean;
}

interface Op {
  json: Json;
  polls: number;
  /** When set, the operation ends with this error (ZONE_RESOURCE_POOL_EXHAUSTED…). */
  error?: { code: string; message: string; http: number };
}

const MUTATING =
  /\.(stop|start|setMachineType|setLabels|attachDisk|detachDisk|createSnapshot|insert|delete)$/;

export class GcpReplay {
  readonly log: Logged[] = [];
  faults: (Fault & { left: number })[] = [];
  /** Machine types no zone has capacity for: starting an instance of one fails. */
  noCapacity = new Set<string>();
  /** Permissions testIamPermissions does not grant (and the calls needing them get 403). */
  denied = new Set<string>();
  /** Polls before an operation reads DONE. */
  opPolls = 1;
  /** How late a "timeout" fault answers (ms): past the client's request timeout. */
  timeoutDelayMs = 1500;
  /** Cloud Monitoring: the CPU utilization (0–100) each instance reports every hour. */
  cpu: Record<string, number> = {};
  private resources = new Map<string, Resource>();
  private ops = new Map<string, Op>();
  private byRequestId = new Map<string, string>();
  private seq = 0;
  /** Instance fingerprints change with every attach and detach, never repeating. */
  private generation = 0;
  private nextId = 7_000_000_000_000_000_000n;
  private server?: Server;
  url = "";

  /** Adds a resource: `path` is its scope and collection, e.g. "acme/zones/europe-west4-a/instances". */
  put(path: string, fields: Json & { name: string }): Resource {
    const r: Resource = { id: String(this.nextId++), labels: {}, ...fields } as Resource;
    r.selfLink = `${API}/projects/${path}/${r.name}`;
    r.creationTimestamp ??= "2026-01-05T10:00:00.000-08:00";
    r.labelFingerprint = fingerprint(r.labels);
    this.resources.set(`${path}/${r.name}`, r);
    return r;
  }

  instance(project: string, zone: string, name: string, machineType: string, extra: Json = {}): Resource {
    return this.put(`${project}/zones/${zone}/instances`, {
      kind: "compute#instance",
      name,
      zone: `${API}/projects/${project}/zones/${zone}`,
      machineType: `${API}/projects/${project}/zones/${zone}/machineTypes/${machineType}`,
      status: "RUNNING",
      disks: [],
      fingerprint: "aW5pdGlhbA==",
      ...extra,
    } as Json & { name: string });
  }

  disk(
    project: string,
    zone: string,
    name: string,
    type: string,
    sizeGb: number,
    extra: Json = {},
  ): Resource {
    return this.put(`${project}/zones/${zone}/disks`, {
      kind: "compute#disk",
      name,
      zone: `${API}/projects/${project}/zones/${zone}`,
      type: `${API}/projects/${project}/zones/${zone}/diskTypes/${type}`,
      sizeGb: String(sizeGb),
      status: "READY",
      ...extra,
    } as Json & { name: string });
  }

  /** Attaches a seeded disk to a seeded instance, as the instance and the disk both show it. */
  attach(vm: Resource, disk: Resource, deviceName: string, boot = false): void {
    const disks = vm.disks as Json[];
    disks.push({
      kind: "compute#attachedDisk",
      type: "PERSISTENT",
      mode: "READ_WRITE",
      source: disk.selfLink,
      deviceName,
      index: disks.length,
      boot,
      autoDelete: boot,
    });
    disk.users = [...((disk.users as string[]) ?? []), vm.selfLink as string];
  }

  snapshot(project: string, name: string, sizeGb: number, extra: Json = {}): Resource {
    return this.put(`${project}/global/snapshots`, {
      kind: "compute#snapshot",
      name,
      status: "READY",
      diskSizeGb: String(sizeGb),
      storageBytes: String(sizeGb * 400_000_000),
      storageLocations: ["eu"],
      snapshotType: "STANDARD",
      ...extra,
    } as Json & { name: string });
  }

  address(project: string, region: string, name: string, extra: Json = {}): Resource {
    return this.put(`${project}/regions/${region}/addresses`, {
      kind: "compute#address",
      name,
      address: "34.90.1.2",
      status: "RESERVED",
      region: `${API}/projects/${project}/regions/${region}`,
      addressType: "EXTERNAL",
      networkTier: "PREMIUM",
      ...extra,
    } as Json & { name: string });
  }

  fault(...faults: Fault[]): void {
    for (const f of faults) this.faults.push({ ...f, left: f.times ?? 1 });
  }

  /** A resource by its path (project/zones/z/instances/name), or undefined once deleted. */
  get(path: string): Resource | undefined {
    return this.resources.get(path);
  }

  /** Calls that changed something: method and resource, in order. */
  applied(): Logged[] {
    return this.log.filter((l) => l.applied);
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url ?? "/", "http://replay");
    const body = text ? (JSON.parse(text) as Json) : undefined;
    const send = (status: number, json: unknown) => {
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
      res.end(JSON.stringify(json));
    };
    try {
      if (url.pathname.startsWith("/__replay/"))
        return this.control(req.method ?? "GET", url.pathname, body, send);
      if (url.pathname.startsWith("/v3/")) return send(200, this.timeSeries(url));
      const result = this.route(req.method ?? "GET", url, body);
      if (result.delayMs) await new Promise((r) => setTimeout(r, result.delayMs));
      send(result.status, result.json);
    } catch (error) {
      send(500, { error: { code: 500, message: String(error), status: "INTERNAL" } });
    }
  }

  private control(
    method: string,
    path: string,
    body: Json | undefined,
    send: (s: number, j: unknown) => void,
  ): void {
    if (path === "/__replay/log") send(200, this.log);
    else if (path === "/__replay/state") send(200, Object.fromEntries(this.resources));
    else if (path === "/__replay/faults" && method === "POST") {
      this.fault(...((body?.faults as Fault[]) ?? []));
      send(200, { faults: this.faults.length });
    } else send(404, { error: { code: 404, message: `no control ${path}` } });
  }

  private route(
    http: string,
    url: URL,
    body: Json | undefined,
  ): { status: number; json: unknown; delayMs?: number } {
    const m =
      /^\/compute\/v1\/projects\/([^/]+)\/(zones\/[^/]+|regions\/[^/]+|global)\/(instances|disks|snapshots|addresses|operations)(?:\/([^/]+))?(?:\/([A-Za-z]+))?$/.exec(
        url.pathname,
      );
    if (!m) return { status: 404, json: notFound(url.pathname) };
    const [, project, scope, collection, name, verb] = m as unknown as [
      string,
      string,
      string,
      string,
      string?,
      string?,
    ];
    const requestId = url.searchParams.get("requestId") ?? undefined;
    const opsKind = scope.startsWith("zones/")
      ? "zoneOperations"
      : scope.startsWith("regions/")
        ? "regionOperations"
        : "globalOperations";
    const method =
      collection === "operations"
        ? `${opsKind}.${verb ?? "get"}`
        : `${collection === "addresses" && scope === "global" ? "globalAddresses" : collection}.${
            verb ?? (http === "GET" ? "get" : http === "DELETE" ? "delete" : "insert")
          }`;
    const entry: Logged = { seq: ++this.seq, method, http, outcome: "ok", applied: false };
    if (name) entry.resource = decodeURIComponent(name);
    if (requestId) entry.requestId = requestId;
    if (body) entry.body = body;
    this.log.push(entry);
    const fail = (status: number, json: unknown, outcome: string) => {
      entry.outcome = outcome;
      return { status, json };
    };

    const mutating = MUTATING.test(method);
    const fault = this.faults.find(
      (f) =>
        f.left > 0 &&
        (f.method === method || (f.method === "*" && mutating)) &&
        (!f.resource || f.resource === entry.resource),
    );
    if (fault && fault.kind !== "timeout" && fault.kind !== "capacity") {
      fault.left--;
      if (fault.kind === "throttle") return fail(429, throttled(), "throttle");
      if (fault.kind === "server") return fail(503, unavailable(), "server");
      return fail(403, forbidden(`compute.${method}`, `${project}/${scope}/${collection}/${name}`), "denied");
    }
    if (collection === "operations") {
      const op = this.ops.get(name ?? "");
      if (!op) return fail(404, notFound(`projects/${project}/${scope}/operations/${name}`), "notFound");
      op.polls--;
      if (op.polls <= 0) this.finish(op);
      return { status: 200, json: op.json };
    }

    const denied = [...this.denied].find(
      (p) => p.startsWith(`compute.${collection}.`) && p.endsWith(`.${verb ?? ""}`),
    );
    if (denied && mutating)
      return fail(403, forbidden(denied, `${project}/${scope}/${collection}/${name}`), "denied");

    if (requestId && this.byRequestId.has(requestId)) {
      entry.outcome = "replayed";
      return { status: 200, json: this.ops.get(this.byRequestId.get(requestId)!)!.json };
    }

    const path = `${project}/${scope}/${collection}`;
    const target = name ? this.find(path, decodeURIComponent(name)) : undefined;
    if (name && !target && verb !== "insert")
      return fail(404, notFound(`projects/${path}/${name}`), "notFound");
    if (method.endsWith(".testIamPermissions")) {
      const wanted = ((body?.permissions as string[]) ?? []).filter((p) => !this.denied.has(p));
      return { status: 200, json: wanted.length ? { permissions: wanted } : {} };
    }
    if (method.endsWith(".get")) return { status: 200, json: target };

    // A mutation: check the rules, apply, answer with an operation.
    let error: Op["error"];
    if (fault?.kind === "capacity") {
      fault.left--;
      error = capacity(scope);
    } else {
      const refused = this.apply(method, path, target, body, url, scope);
      if (refused) return fail(refused.status, refused.json, refused.outcome);
      if (method === "instances.start" && this.noCapacity.has(leafOf(target!.machineType))) {
        error = capacity(scope);
        target!.status = "TERMINATED";
      }
    }
    entry.applied = !error;
    if (error) entry.outcome = "capacity";
    const op = this.operation(project, scope, method, target, body, error);
    if (requestId) this.byRequestId.set(requestId, op.json.name as string);
    if (fault?.kind === "timeout") {
      fault.left--;
      entry.outcome = "timeout";
      return { status: 200, json: op.json, delayMs: this.timeoutDelayMs };
    }
    return { status: 200, json: op.json };
  }

  private find(path: string, name: string): Resource | undefined {
    const direct = this.resources.get(`${path}/${name}`);
    if (direct) return direct;
    for (const [key, r] of this.resources) if (key.startsWith(`${path}/`) && r.id === name) return r;
    return undefined;
  }

  /** The change a mutation makes, or why Compute refuses it. */
  private apply(
    method: string,
    path: string,
    r: Resource | undefined,
    body: Json | undefined,
    url: URL,
    scope: string,
  ): { status: number; json: unknown; outcome: string } | undefined {
    const refuse = (status: number, reason: string, message: string) => ({
      status,
      json: { error: { code: status, message, errors: [{ message, domain: "global", reason }] } },
      outcome: reason,
    });
    const label = `projects/${path}/${r?.name}`;
    switch (method) {
      case "instances.stop":
        r!.status = "TERMINATED";
        return undefined;
      case "instances.start":
        r!.status = "RUNNING";
        return undefined;
      case "instances.setMachineType": {
        if (r!.status !== "TERMINATED")
          return refuse(
            400,
            "resourceNotReady",
            `The resource '${label}' is not ready: the instance must be stopped to change its machine type`,
          );
        const type = String((body?.machineType as string) ?? "");
        if (!/machineTypes\/[a-z0-9-]+$/.test(type))
          return refuse(400, "invalid", `Invalid value for field 'resource.machineType': '${type}'.`);
        r!.machineType = `${API}/projects/${path.split("/")[0]}/${scope}/machineTypes/${leafOf(type)}`;
        return undefined;
      }
      case "instances.setLabels":
      case "disks.setLabels":
      case "snapshots.setLabels":
      case "addresses.setLabels":
      case "globalAddresses.setLabels":
        if (body?.labelFingerprint !== r!.labelFingerprint)
          return refuse(
            412,
            "conditionNotMet",
            "Labels fingerprint either invalid or resource labels have changed",
          );
        r!.labels = { ...((body?.labels as Record<string, string>) ?? {}) };
        r!.labelFingerprint = fingerprint(r!.labels);
        return undefined;
      case "instances.detachDisk": {
        const device = url.searchParams.get("deviceName");
        const disks = r!.disks as Json[];
        const at = disks.findIndex((d) => d.deviceName === device);
        if (at < 0)
          return refuse(
            400,
            "invalid",
            `Invalid value for field 'deviceName': '${device}'. No attached disk found.`,
          );
        const [gone] = disks.splice(at, 1);
        r!.fingerprint = fingerprint({ generation: String(++this.generation) });
        const disk = this.byLink(String(gone!.source));
        if (disk) disk.users = ((disk.users as string[]) ?? []).filter((u) => u !== r!.selfLink);
        return undefined;
      }
      case "instances.attachDisk": {
        const source = String(body?.source ?? "");
        const disk = this.byLink(source);
        if (!disk) return refuse(404, "notFound", `The resource '${source}' was not found`);
        const disks = r!.disks as Json[];
        disks.push({
          kind: "compute#attachedDisk",
          type: "PERSISTENT",
          mode: body?.mode ?? "READ_WRITE",
          source: disk.selfLink,
          deviceName: body?.deviceName ?? `persistent-disk-${disks.length}`,
          index: disks.length,
          boot: body?.boot ?? false,
          autoDelete: body?.autoDelete ?? false,
        });
        disk.users = [...((disk.users as string[]) ?? []), r!.selfLink as string];
        r!.fingerprint = fingerprint({ generation: String(++this.generation) });
        return undefined;
      }
      case "disks.createSnapshot": {
        const snap = body ?? {};
        const project = path.split("/")[0]!;
        if (this.resources.has(`${project}/global/snapshots/${snap.name}`))
          return refuse(
            409,
            "alreadyExists",
            `The resource 'projects/${project}/global/snapshots/${snap.name}' already exists`,
          );
        this.snapshot(project, String(snap.name), Number(r!.sizeGb), {
          labels: (snap.labels as Record<string, string>) ?? {},
          ...(snap.description ? { description: snap.description } : {}),
          sourceDisk: r!.selfLink,
          sourceDiskId: r!.id,
        });
        return undefined;
      }
      case "disks.insert": {
        const d = body ?? {};
        if (this.resources.has(`${path}/${d.name}`))
          return refuse(409, "alreadyExists", `The resource 'projects/${path}/${d.name}' already exists`);
        const source = d.sourceSnapshot ? this.byLink(String(d.sourceSnapshot)) : undefined;
        if (d.sourceSnapshot && !source)
          return refuse(404, "notFound", `The resource '${d.sourceSnapshot}' was not found`);
        const [project, , zone] = path.split("/");
        this.disk(
          project!,
          zone!,
          String(d.name),
          leafOf(d.type) || "pd-standard",
          Number(d.sizeGb ?? source?.diskSizeGb ?? 10),
          {
            labels: (d.labels as Record<string, string>) ?? {},
            ...(source ? { sourceSnapshot: source.selfLink, sourceSnapshotId: source.id } : {}),
          },
        );
        return undefined;
      }
      case "disks.delete":
      case "addresses.delete":
      case "globalAddresses.delete": {
        const users = (r!.users as string[]) ?? [];
        if (users.length)
          return refuse(
            400,
            "resourceInUseByAnotherResource",
            `The ${method.startsWith("disks") ? "disk" : "address"} resource '${label}' is already being used by '${users[0]!.replace(`${API}/`, "")}'`,
          );
        this.resources.delete(`${path}/${r!.name}`);
        return undefined;
      }
      case "snapshots.delete":
        this.resources.delete(`${path}/${r!.name}`);
        return undefined;
    }
    return refuse(400, "invalid", `replay: ${method} is not modelled`);
  }

  /** A resource by its URL or relative name (projects/p/zones/z/disks/d, projects/p/global/snapshots/s). */
  private byLink(link: string): Resource | undefined {
    const m = /projects\/([^/]+\/(?:(?:zones|regions)\/[^/]+|global))\/([a-z]+)\/([^/]+)$/.exec(link);
    return m ? this.find(`${m[1]}/${m[2]}`, m[3]!) : undefined;
  }

  private operation(
    project: string,
    scope: string,
    method: string,
    target: Resource | undefined,
    body: Json | undefined,
    error: Op["error"],
  ): Op {
    const name = `operation-${Date.now()}-${createHash("sha1").update(String(this.seq)).digest("hex").slice(0, 12)}`;
    const verb = method.split(".")[1]!;
    const targetName = verb === "insert" ? String(body?.name) : target?.name;
    const collection = method.split(".")[0] === "globalAddresses" ? "addresses" : method.split(".")[0]!;
    const targetId = (target ?? this.resources.get(`${project}/${scope}/${collection}/${targetName}`))?.id;
    const json: Json = {
      kind: "compute#operation",
      id: String(this.nextId++),
      name,
      operationType: verb === "createSnapshot" ? "createSnapshot" : verb,
      targetLink: `${API}/projects/${project}/${scope}/${collection}/${targetName}`,
      ...(targetId ? { targetId } : {}),
      status: "RUNNING",
      user: "cco-executor@acme.iam.gserviceaccount.com",
      progress: 0,
      insertTime: new Date().toISOString(),
      startTime: new Date().toISOString(),
      selfLink: `${API}/projects/${project}/${scope}/operations/${name}`,
    };
    if (scope.startsWith("zones/")) json.zone = `${API}/projects/${project}/${scope}`;
    if (scope.startsWith("regions/")) json.region = `${API}/projects/${project}/${scope}`;
    const op: Op = { json, polls: this.opPolls, ...(error ? { error } : {}) };
    this.ops.set(name, op);
    return op;
  }

  private finish(op: Op): void {
    if (op.json.status === "DONE") return;
    Object.assign(op.json, { status: "DONE", progress: 100, endTime: new Date().toISOString() });
    if (op.error)
      Object.assign(op.json, {
        error: { errors: [{ code: op.error.code, message: op.error.message }] },
        httpErrorStatusCode: op.error.http,
        httpErrorMessage: "SERVICE UNAVAILABLE",
      });
  }

  /** projects.timeSeries.list (https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.timeSeries/list), hourly. */
  private timeSeries(url: URL): Json {
    const filter = url.searchParams.get("filter") ?? "";
    const name = /instance_name = "([^"]+)"/.exec(filter)?.[1] ?? "";
    this.log.push({
      seq: ++this.seq,
      method: "timeSeries.list",
      http: "GET",
      resource: name,
      outcome: "ok",
      applied: false,
    });
    const cpu = this.cpu[name];
    if (cpu === undefined) return {};
    const start = Date.parse(url.searchParams.get("interval.startTime") ?? "");
    const end = Date.parse(url.searchParams.get("interval.endTime") ?? "");
    const points = [];
    for (let t = Math.ceil(start / 3_600_000) * 3_600_000; t < end; t += 3_600_000)
      points.push({
        interval: { startTime: new Date(t).toISOString(), endTime: new Date(t + 3_600_000).toISOString() },
        value: { doubleValue: cpu / 100 },
      });
    return {
      timeSeries: [
        {
          metric: {
            type: "compute.googleapis.com/instance/cpu/utilization",
            labels: { instance_name: name },
          },
          resource: { type: "gce_instance", labels: { zone: /zone = "([^"]+)"/.exec(filter)?.[1] ?? "" } },
          metricKind: "GAUGE",
          valueType: "DOUBLE",
          points: points.reverse(),
        },
      ],
    };
  }
}

const leafOf = (url: unknown) =>
  String(url ?? "")
    .split("/")
    .pop() ?? "";
const fingerprint = (labels: Record<string, string>) =>
  createHash("sha1")
    .update(JSON.stringify(Object.entries(labels).sort()))
    .digest("base64")
    .slice(0, 12);

const notFound = (what: string) => {
  const message = `The resource '${what}' was not found`;
  return { error: { code: 404, message, errors: [{ message, domain: "global", reason: "notFound" }] } };
};
/** https://cloud.google.com/apis/design/errors#error_payloads: the documented rate-limit example. */
const throttled = () => ({
  error: {
    code: 429,
    message:
      "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute' of service 'compute.googleapis.com' for consumer 'project_number:441570621172'.",
    status: "RESOURCE_EXHAUSTED",
    details: [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "RATE_LIMIT_EXCEEDED",
        domain: "googleapis.com",
        metadata: { service: "compute.googleapis.com", quota_metric: "compute.googleapis.com/default" },
      },
    ],
  },
});
const unavailable = () => ({
  error: {
    code: 503,
    message: "The service is currently unavailable.",
    status: "UNAVAILABLE",
    errors: [{ message: "The service is currently unavailable.", domain: "global", reason: "backendError" }],
  },
});
const forbidden = (permission: string, what: string) => {
  const message = `Required '${permission}' permission for 'projects/${what}'`;
  return {
    error: {
      code: 403,
      message,
      status: "PERMISSION_DENIED",
      errors: [{ message, domain: "global", reason: "forbidden" }],
    },
  };
};
/** A start or resize the zone has no room for: the operation's documented error code. */
const capacity = (scope: string): Op["error"] => ({
  code: "ZONE_RESOURCE_POOL_EXHAUSTED",
  message: `The zone '${scope}' does not have enough resources available to fulfill the request. Try a different zone, or try again later.`,
  http: 503,
});

/** Started alone: for a child process to reach (`node --import tsx test/helpers/replay/gcp.ts 8089`). */
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const replay = new GcpReplay();
  console.log(await replay.start(Number(process.argv[2] ?? 0)));
}
