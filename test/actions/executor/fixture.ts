/**
 * A small world for the executor's unit tests: a warehouse with queued, approved rows, and an
 * in-test CloudAdapter (a double of the interface: in-memory resources, idempotency tokens, a
 * request log, injectable faults and metrics). The sandbox-backed tests use the real sandbox.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type Config, loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import {
  type CloudAdapter,
  type MetricSample,
  type OperationRequest,
  type OperationResult,
  ProviderError,
  type ResourceState,
} from "../../../actions/providers/adapter.ts";
import { tempDir } from "../../helpers/tmp.ts";

export const NOW = new Date("2026-11-02T10:00:00Z");

export interface Logged {
  call: "perform" | "checkPermissions";
  resourceId: string;
  op: string;
  token: string;
  applied: boolean;
  outcome: string;
}

/** Thrown by a planted crash: not a ProviderError, so it escapes the run as a killed process would. */
export class Crash extends Error {}

export class FakeCloud implements CloudAdapter {
  readonly provider = "aws" as const;
  readonly name = "fake";
  clock = new Date(NOW);
  log: Logged[] = [];
  tokens = new Map<string, OperationResult>();
  /** Errors thrown before the n-th matching perform applies (op name or "*"). */
  failures: { op: string; error: ProviderError; times: number }[] = [];
  /** An op after which the call times out (the change applied), once. */
  timeoutAfter?: string;
  crashAfter?: string;
  denied = new Set<string>();
  cpu = 30;
  private seq = 0;

  constructor(readonly resources: Record<string, ResourceState>) {}

  now(): Date {
    return new Date(this.clock);
  }

  advanceHours(h: number): void {
    this.clock = new Date(this.clock.getTime() + h * 3_600_000);
  }

  async describe(id: string): Promise<ResourceState> {
    const r = this.resources[id];
    if (!r) throw new ProviderError("not_found", `${id} not found`);
    return structuredClone(r);
  }

  async checkPermissions(request: OperationRequest): Promise<void> {
    const op = request.operation.op;
    const denied = this.denied.has(op);
    this.log.push({
      call: "checkPermissions",
      resourceId: request.resourceId,
      op,
      token: request.idempotencyToken,
      applied: false,
      outcome: denied ? "denied" : "ok",
    });
    if (denied) throw new ProviderError("denied", `UnauthorizedOperation: ${op}`);
  }

  async perform(request: OperationRequest): Promise<OperationResult> {
    const { operation: o, idempotencyToken: token, resourceId } = request;
    const entry: Logged = { call: "perform", resourceId, op: o.op, token, applied: false, outcome: "ok" };
    this.log.push(entry);
    const failure = this.failures.find((f) => (f.op === o.op || f.op === "*") && f.times > 0);
    if (failure) {
      failure.times--;
      entry.outcome = failure.error.code;
      throw failure.error;
    }
    const seen = this.tokens.get(token);
    if (seen) {
      entry.outcome = "replayed";
      return seen;
    }
    const r = this.resources[resourceId];
    let output: Record<string, string> | undefined;
    if (o.op === "restore_disk") {
      const id = `vol-restored-${++this.seq}`;
      this.resources[id] = {
        ...structuredClone(r!),
        resourceId: id,
        exists: true,
        status: o.attachTo ? "in-use" : "available",
        size: o.size ?? r?.size,
        attachedTo: o.attachTo ? [o.attachTo] : [],
      };
      output = { resourceId: id };
    } else {
      if (!r?.exists) throw new ProviderError("not_found", `${resourceId} not found`);
      switch (o.op) {
        case "stop_vm":
          r.status = "stopped";
          break;
        case "start_vm":
          r.status = "running";
          break;
        case "resize_vm":
          r.size = o.size;
          break;
        case "change_disk_type":
          r.size = o.type;
          break;
        case "set_tags":
          Object.assign(r.tags, o.tags);
          break;
        case "remove_tags":
          for (const k of o.keys) delete r.tags[k];
          break;
        case "snapshot_disk":
          output = { snapshotId: `snap-${++this.seq}` };
          break;
        case "delete_disk":
        case "delete_snapshot":
        case "release_address":
          r.exists = false;
          break;
      }
    }
    entry.applied = true;
    const result = { requestId: `req-${this.log.length}`, ...(output ? { output } : {}) };
    this.tokens.set(token, result);
    if (this.timeoutAfter === o.op) {
      this.timeoutAfter = undefined;
      throw new ProviderError("timeout", `${o.op} timed out`);
    }
    if (this.crashAfter === o.op) {
      this.crashAfter = undefined;
      throw new Crash(`crash after ${o.op}`);
    }
    return result;
  }

  async metrics(_id: string, since: Date): Promise<MetricSample[]> {
    const out: MetricSample[] = [];
    for (let t = since.getTime(); t < this.clock.getTime(); t += 3_600_000)
      out.push({ hour: new Date(t).toISOString(), cpuPct: this.cpu });
    return out;
  }

  performed(): Logged[] {
    return this.log.filter((l) => l.call === "perform");
  }
  applied(): Logged[] {
    return this.log.filter((l) => l.call === "perform" && l.applied);
  }
}

export const vm = (id: string, extra: Partial<ResourceState> = {}): ResourceState => ({
  resourceId: id,
  provider: "aws",
  kind: "vm",
  exists: true,
  status: "running",
  size: "m5.xlarge",
  attachedTo: [],
  tags: { team: "web" },
  region: "us-east-1",
  account: "111111111111",
  ...extra,
});

export interface QueueSeed {
  id: string;
  detector: string;
  kind: string | null;
  resource: string;
  current: string;
  target?: string | null;
  savings?: number;
  currency?: string;
  account?: string;
  irreversible?: boolean;
  /** Approve it (default) and acknowledge an irreversible step. */
  approve?: boolean;
  acknowledge?: boolean;
}

export async function world(
  seeds: QueueSeed[],
  yaml = "",
): Promise<{ warehouse: Warehouse; config: Config; dataDir: string }> {
  const dataDir = tempDir();
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, yaml || "actions:\n  mode: execute\n");
  const config = loadConfig({ configFile, dataDir, env: {} });
  config.actions.retries.base_ms = 0;
  const warehouse = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
  for (const s of seeds) {
    await warehouse.run(
      `insert into ops.approval_queue (recommendation_id, version, provider, billing_account_id, sub_account_id, resource_id,
         region, detector, category, action, action_kind, irreversible, current_configuration, target_configuration,
         estimated_monthly_savings, currency, risk_level, risk_score, priority, required_approvals, queued_at)
       values ($1, 'v1', 'aws', '999999999999', $2, $3, 'us-east-1', $4, 'rightsizing', $4, $5, $6, $7, $8, $9, $10, 'low', 10, 5, 1,
         '2026-11-01T00:00:00Z')`,
      [
        s.id,
        s.account ?? "111111111111",
        s.resource,
        s.detector,
        s.kind,
        s.irreversible ?? false,
        s.current,
        s.target ?? null,
        s.savings ?? 100,
        s.currency ?? "USD",
      ],
    );
    if (s.approve !== false)
      await warehouse.run(
        `insert into ops.approvals values ($1, $2, 'v1', 'approve', 'alice', '2026-11-01T12:00:00Z', null,
           '2026-11-08T12:00:00Z', $3, null, 'test', null)`,
        [`ap-${s.id}`, s.id, s.acknowledge ?? false],
      );
  }
  return { warehouse, config, dataDir };
}

export const noSleep = async () => undefined;
