/**
 * A stateful local AWS endpoint for the AWS adapter's tests: EC2's Query protocol (form-encoded
 * Action=…&Version=2016-11-15, XML answers with a requestId; errors as
 * <Response><Errors><Error><Code>…</Code><Message>…</Message></Error></Errors><RequestID>…</RequestID></Response>,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html) over the estate in
 * aws-ec2.ts, and CloudWatch's GetMetricData (JSON 1.0, X-Amz-Target GraniteServiceVersion20100801.GetMetricData,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html), and
 * S3's REST XML for buckets' lifecycle rules and tags, path-style (aws-s3.ts).
 *
 * It records every request in order (action, parameters, resource, token, outcome, whether it
 * changed anything) and injects faults on demand: throttling (RequestLimitExceeded, 503), a server
 * error (InternalError, 500), capacity (InsufficientInstanceCapacity, 500), a timeout (the change
 * is APPLIED, then the answer is held past the client's timeout), and a resource of a batch that
 * always fails. State lives in this process: an executor in a child process (killed with kill -9
 * between two calls) talks to it over HTTP, and /__replay/{state,log,faults} let another process
 * read and steer it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { xml } from "../ec2-query-stub.ts";
import { Ec2Error, Ec2Estate, type Seed, specTags } from "./aws-ec2.ts";
import { type BucketSeed, S3Error, S3Estate, s3Action } from "./aws-s3.ts";

export type FaultKind = "throttle" | "server" | "capacity" | "timeout" | "unavailable";

export interface Fault {
  fault: FaultKind;
  /** Only this action (default: any changing action). */
  action?: string;
  /** Only requests naming this resource. */
  resource?: string;
  /** How many matching requests fail (default 1). */
  times?: number;
  /** Also match Describe* calls (default: only changing calls). */
  reads?: boolean;
  /** Another documented code for the fault (a capacity fault on a volume: VolumeLimitExceeded). */
  code?: string;
  status?: number;
}

export interface LoggedRequest {
  seq: number;
  action: string;
  params: Record<string, string>;
  resource?: string;
  /** The ClientToken, or the idempotency token the adapter tags a snapshot with. */
  token?: string;
  dryRun: boolean;
  status: number;
  /** The error code answered, or "ok". */
  outcome: string;
  /** Whether the request changed the estate. */
  applied: boolean;
  fault?: FaultKind;
}

const FAULT_ERROR: Record<Exclude<FaultKind, "timeout">, [string, string, number]> = {
  throttle: ["RequestLimitExceeded", "Request limit exceeded.", 503],
  server: ["InternalError", "An internal error has occurred.", 500],
  unavailable: ["Unavailable", "The server is overloaded and can't handle the request.", 503],
  capacity: [
    "InsufficientInstanceCapacity",
    "We currently do not have sufficient capacity in the Availability Zone you requested.",
    500,
  ],
};

/** The resource a request acts on (a volume before the instance it attaches to or detaches from). */
const RESOURCE_PARAMS = [
  "VolumeId",
  "VolumeId.1",
  "InstanceId.1",
  "InstanceId",
  "SnapshotId",
  "SnapshotId.1",
  "AllocationId",
  "AllocationId.1",
  "PublicIp.1",
  "ResourceId.1",
];
const isRead = (action: string) => action.startsWith("Describe") || action.startsWith("GetBucket");

/** S3 answers a fault with its own codes (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
const S3_FAULT_ERROR: Record<Exclude<FaultKind, "timeout">, [string, string, number]> = {
  throttle: ["SlowDown", "Please reduce your request rate.", 503],
  server: ["InternalError", "We encountered an internal error. Please try again.", 500],
  unavailable: ["ServiceUnavailable", "Service is unable to handle request.", 503],
  capacity: ["ServiceUnavailable", "Service is unable to handle request.", 503],
};

export interface ReplayOptions {
  seed?: Seed;
  /** S3 buckets, with their lifecycle rules and tags. */
  buckets?: BucketSeed[];
  /** How long EC2's asynchronous changes take (ms). */
  settleMs?: number;
  /** How long a "timeout" fault holds the answer (ms): longer than the client's request timeout. */
  holdMs?: number;
  /** CPUUtilization CloudWatch answers for an instance, per hour (default 30). */
  cpu?: (instanceId: string, hour: Date) => number | undefined;
}

export class AwsReplay {
  readonly estate: Ec2Estate;
  readonly s3 = new S3Estate();
  readonly log: LoggedRequest[] = [];
  faults: Fault[] = [];
  /** A resource of a batch that always fails its changing calls, with this error. */
  failResources = new Map<string, { code: string; status: number }>();
  /** Actions the caller is not allowed (UnauthorizedOperation, with or without DryRun). */
  deny = new Set<string>();
  url = "";
  private server?: Server;
  private seq = 0;
  private readonly holdMs: number;
  private readonly cpu: NonNullable<ReplayOptions["cpu"]>;

  constructor(options: ReplayOptions = {}) {
    this.estate = new Ec2Estate(options.settleMs ?? 20);
    if (options.seed) this.estate.seed(options.seed);
    if (options.buckets) this.s3.seed(options.buckets);
    this.holdMs = options.holdMs ?? 2_000;
    this.cpu = options.cpu ?? (() => 30);
  }

  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }

  inject(...faults: Fault[]): void {
    this.faults.push(...faults.map((f) => ({ times: 1, ...f })));
  }

  /** The changing calls made (not DryRun, not Describe*), in order: "StopInstances i-…". */
  changes(): string[] {
    return this.log
      .filter((r) => !r.dryRun && !isRead(r.action))
      .map((r) => `${r.action} ${r.resource ?? ""}`.trim());
  }

  private takeFault(action: string, resource: string | undefined): Fault | undefined {
    const f = this.faults.find(
      (x) =>
        (x.times ?? 1) > 0 &&
        (x.action ? x.action === action : x.reads || !isRead(action)) &&
        (!x.resource || x.resource === resource),
    );
    if (f) f.times = (f.times ?? 1) - 1;
    return f;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let text = "";
    for await (const chunk of req) text += chunk;
    if (req.url?.startsWith("/__replay/")) return this.control(req.url, text, res);
    // EC2's Query API posts to /; S3 path-style names the bucket in the path.
    if (req.url && !req.url.startsWith("/?") && req.url !== "/") return this.bucketCall(req, res, text);
    const target = req.headers["x-amz-target"];
    if (typeof target === "string") return this.cloudwatch(target, text, res);
    const params = Object.fromEntries(new URLSearchParams(text));
    const action = params.Action ?? "";
    const resource = RESOURCE_PARAMS.map((k) => params[k]).find(Boolean);
    const token = params.ClientToken ?? specTags(params, "snapshot")["cco:idempotency-token"];
    const entry: LoggedRequest = {
      seq: ++this.seq,
      action,
      params,
      ...(resource ? { resource } : {}),
      ...(token ? { token } : {}),
      dryRun: params.DryRun === "true",
      status: 200,
      outcome: "ok",
      applied: false,
    };
    this.log.push(entry);
    // EC2 names the request in the body and in the x-amzn-requestid header (the SDK reads the header).
    const requestId = randomUUID();
    const fail = (code: string, message: string, status: number) => {
      entry.status = status;
      entry.outcome = code;
      res.writeHead(status, { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${xml(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
      );
    };
    this.estate.settle();
    const handler = this.estate.handlers[action];
    if (!handler)
      return fail("InvalidAction", `The action ${action} is not valid for this web service.`, 400);
    if (this.deny.has(action))
      return fail("UnauthorizedOperation", "You are not authorized to perform this operation.", 403);
    if (entry.dryRun)
      return fail("DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412);
    const broken = resource && !isRead(action) ? this.failResources.get(resource) : undefined;
    if (broken) return fail(broken.code, `replay: ${resource} fails`, broken.status);
    const fault = this.takeFault(action, resource);
    if (fault) entry.fault = fault.fault;
    if (fault && fault.fault !== "timeout") {
      const [code, message, status] = FAULT_ERROR[fault.fault];
      return fail(fault.code ?? code, message, fault.status ?? status);
    }
    let body: Record<string, unknown>;
    try {
      const out = handler(params);
      body = out.body;
      entry.applied = out.applied;
    } catch (error) {
      if (error instanceof Ec2Error) return fail(error.code, error.message, error.status);
      throw error;
    }
    // The change is made; the answer comes after the client has given up on it.
    if (fault?.fault === "timeout") await new Promise((r) => setTimeout(r, this.holdMs));
    if (res.destroyed || req.socket.destroyed) return;
    res.writeHead(200, { "content-type": "text/xml;charset=UTF-8", "x-amzn-requestid": requestId });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${xml(body)}</${action}Response>`,
    );
  }

  /** An S3 call on a bucket: logged, faults and denials as S3 answers them, then the bucket's answer. */
  private async bucketCall(req: IncomingMessage, res: ServerResponse, text: string): Promise<void> {
    const url = new URL(req.url ?? "/", "http://replay");
    const bucket = decodeURIComponent(url.pathname.slice(1).split("/")[0] ?? "");
    const action = s3Action(req.method ?? "GET", url.searchParams) ?? `${req.method} ${url.search}`;
    const entry: LoggedRequest = {
      seq: ++this.seq,
      action,
      params: { bucket, ...(text ? { body: text } : {}) },
      resource: bucket,
      dryRun: false,
      status: 200,
      outcome: "ok",
      applied: false,
    };
    this.log.push(entry);
    const requestId = randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase();
    const ids = { "x-amz-request-id": requestId, "x-amz-id-2": Buffer.from(requestId).toString("base64") };
    const fail = (code: string, message: string, status: number) => {
      entry.status = status;
      entry.outcome = code;
      res.writeHead(status, { "content-type": "application/xml", ...ids });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xml(message)}</Message><BucketName>${xml(bucket)}</BucketName><RequestId>${requestId}</RequestId><HostId>${ids["x-amz-id-2"]}</HostId></Error>`,
      );
    };
    if (this.deny.has(action)) return fail("AccessDenied", "Access Denied", 403);
    const broken = !isRead(action) ? this.failResources.get(bucket) : undefined;
    if (broken) return fail(broken.code, `replay: ${bucket} fails`, broken.status);
    const fault = this.takeFault(action, bucket);
    if (fault) entry.fault = fault.fault;
    if (fault && fault.fault !== "timeout") {
      const [code, message, status] = S3_FAULT_ERROR[fault.fault];
      return fail(fault.code ?? code, message, fault.status ?? status);
    }
    let answer: ReturnType<S3Estate["handle"]>;
    try {
      answer = this.s3.handle(action, bucket, text, req.headers);
      entry.applied = answer.applied;
    } catch (error) {
      if (error instanceof S3Error) return fail(error.code, error.message, error.status);
      throw error;
    }
    if (fault?.fault === "timeout") await new Promise((r) => setTimeout(r, this.holdMs));
    if (res.destroyed || req.socket.destroyed) return;
    res.writeHead(answer.status, {
      ...(answer.body ? { "content-type": "application/xml" } : {}),
      ...ids,
      ...answer.headers,
    });
    res.end(answer.body ? `<?xml version="1.0" encoding="UTF-8"?>\n${answer.body}` : "");
  }

  /** GetMetricData: one average per Period for each CPUUtilization query; nothing for other metrics. */
  private cloudwatch(target: string, text: string, res: ServerResponse): void {
    const action = target.split(".").pop() ?? "";
    const body = JSON.parse(text || "{}") as {
      StartTime: number;
      EndTime: number;
      MetricDataQueries: {
        Id: string;
        MetricStat: {
          Metric: { MetricName: string; Dimensions: { Name: string; Value: string }[] };
          Period: number;
        };
      }[];
    };
    this.log.push({
      seq: ++this.seq,
      action,
      params: { body: text },
      dryRun: false,
      status: 200,
      outcome: "ok",
      applied: false,
    });
    res.setHeader("content-type", "application/x-amz-json-1.0");
    res.setHeader("x-amzn-requestid", randomUUID());
    if (action !== "GetMetricData") {
      res.writeHead(400);
      res.end(
        JSON.stringify({ __type: "com.amazonaws.cloudwatch#InvalidAction", message: `replay: no ${action}` }),
      );
      return;
    }
    const results = body.MetricDataQueries.map((q) => {
      const instance = q.MetricStat.Metric.Dimensions.find((d) => d.Name === "InstanceId")?.Value ?? "";
      const timestamps: number[] = [];
      const values: number[] = [];
      if (q.MetricStat.Metric.MetricName === "CPUUtilization") {
        for (let t = body.StartTime; t < body.EndTime; t += q.MetricStat.Period) {
          const v = this.cpu(instance, new Date(t * 1000));
          if (v === undefined) continue;
          timestamps.push(t);
          values.push(v);
        }
      }
      return {
        Id: q.Id,
        Label: q.MetricStat.Metric.MetricName,
        Timestamps: timestamps,
        Values: values,
        StatusCode: "Complete",
      };
    });
    res.writeHead(200);
    res.end(JSON.stringify({ MetricDataResults: results, Messages: [] }));
  }

  /** Another process's view: GET state or log, POST faults (a JSON Fault[]). */
  private control(url: string, text: string, res: ServerResponse): void {
    const e = this.estate;
    let out: unknown;
    if (url === "/__replay/state")
      out = {
        instances: [...e.instances.values()],
        volumes: [...e.volumes.values()],
        snapshots: [...e.snapshots.values()],
        addresses: [...e.addresses.values()],
        buckets: [...this.s3.buckets.values()],
      };
    else if (url === "/__replay/log") out = this.log;
    else if (url === "/__replay/faults") {
      this.inject(...(JSON.parse(text || "[]") as Fault[]));
      out = this.faults;
    } else {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(out));
  }
}

export async function startAwsReplay(options: ReplayOptions = {}): Promise<AwsReplay> {
  return new AwsReplay(options).start();
}

export type { Seed } from "./aws-ec2.ts";
