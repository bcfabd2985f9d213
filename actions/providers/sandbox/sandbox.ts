/**
 * The sandbox cloud: `openSandbox(config, warehouse?)` reads (or, the first time, makes from
 * the warehouse) the state file, and hands out one CloudAdapter per provider, all backed by
 * that one state. Every mutating call re-reads the state under the lock, applies, and writes
 * it back before answering, so a process killed after a call never loses what the call did.
 */
import { isDeepStrictEqual } from "node:util";
import { existsSync, rmSync } from "node:fs";
import path from "node:path";
import type { Config } from "../../../core/config.ts";
import { UsageError } from "../../../core/errors.ts";
import type { SandboxSettings } from "../../../core/sandbox-settings.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import {
  type CloudAdapter,
  type MetricSample,
  type OperationRequest,
  type OperationResult,
  type Provider,
  ProviderError,
  type ResourceState,
} from "../adapter.ts";
import { faultBefore, isDenied, requestIdFor, timesOutAfter } from "./faults.ts";
import { initialState } from "./init.ts";
import { withLock } from "./lock.ts";
import { metricsFor, readProfiles, writeProfiles } from "./metrics.ts";
import { apply, DURATION_S, target } from "./operations.ts";
import {
  readState,
  type RequestLogEntry,
  type SandboxState,
  sandboxDir,
  stateFile,
  writeState,
} from "./state.ts";

export class Sandbox {
  private readonly adapters = new Map<Provider, SandboxAdapter>();

  constructor(
    readonly dataDir: string,
    readonly settings: SandboxSettings,
  ) {}

  /** The adapter for one provider's resources. */
  adapter(provider: Provider): CloudAdapter {
    let adapter = this.adapters.get(provider);
    if (!adapter) {
      adapter = new SandboxAdapter(this, provider);
      this.adapters.set(provider, adapter);
    }
    return adapter;
  }

  /** The state as it is on disk now (a copy: changing it changes nothing). */
  state(): SandboxState {
    const state = readState(this.dataDir);
    if (!state)
      throw new Error(
        `${stateFile(this.dataDir)}: the sandbox state is missing; open the sandbox with the warehouse`,
      );
    return state;
  }

  now(): Date {
    return new Date(this.state().clock);
  }

  /** Read-change-write the state under the lock; the state is written even when `work` throws. */
  mutate<T>(work: (state: SandboxState) => T): T {
    return withLock(path.join(sandboxDir(this.dataDir), "state.lock"), () => {
      const state = this.state();
      try {
        return work(state);
      } finally {
        writeState(this.dataDir, state);
      }
    });
  }
}

export async function openSandbox(config: Config, warehouse?: Warehouse): Promise<Sandbox> {
  const sandbox = new Sandbox(config.dataDir, config.actions.sandbox);
  if (existsSync(stateFile(config.dataDir))) return sandbox;
  if (!warehouse) {
    throw new UsageError(
      `${stateFile(config.dataDir)} does not exist yet: the sandbox is made from the warehouse the first time (run the pipeline, then any sandbox command)`,
    );
  }
  const state = await initialState(warehouse, config.actions.sandbox.seed);
  const profiles = await readProfiles(warehouse, state);
  withLock(path.join(sandboxDir(config.dataDir), "state.lock"), () => {
    // Another process may have made it while this one read the warehouse: keep theirs.
    if (existsSync(stateFile(config.dataDir))) return;
    writeProfiles(config.dataDir, profiles);
    writeState(config.dataDir, state);
  });
  return sandbox;
}

/** Remove the sandbox's state, profiles and exports: the next open starts again from the warehouse. */
export function resetSandbox(config: Config): void {
  withLock(path.join(sandboxDir(config.dataDir), "state.lock"), () => {
    for (const name of ["state.json", "profiles.json", "exports"]) {
      rmSync(path.join(sandboxDir(config.dataDir), name), { recursive: true, force: true });
    }
  });
}

class SandboxAdapter implements CloudAdapter {
  readonly name = "sandbox";

  constructor(
    private readonly sandbox: Sandbox,
    readonly provider: Provider,
  ) {}

  now(): Date {
    return this.sandbox.now();
  }

  async describe(resourceId: string): Promise<ResourceState> {
    const resource = this.sandbox.state().resources[resourceId];
    if (!resource || resource.provider !== this.provider) {
      throw new ProviderError("not_found", `the resource '${resourceId}' does not exist in ${this.provider}`);
    }
    return {
      resourceId,
      provider: this.provider,
      kind: resource.kind,
      exists: resource.exists,
      status: resource.status,
      size: resource.size,
      ...(resource.sizeGb !== undefined ? { sizeGb: resource.sizeGb } : {}),
      attachedTo: [...resource.attachedTo],
      tags: { ...resource.tags },
      region: resource.region,
      account: resource.account,
      ...(resource.kind === "bucket"
        ? { lifecycleRules: (resource.lifecycleRules ?? []).map((r) => r.id) }
        : {}),
    };
  }

  async perform(request: OperationRequest): Promise<OperationResult> {
    const { settings } = this.sandbox;
    return this.sandbox.mutate((state) => {
      const seq = ++state.seq;
      const requestId = requestIdFor(state.seed, seq);
      const op = request.operation.op;
      const entry: RequestLogEntry = {
        seq,
        at: state.clock,
        call: "perform",
        requestId,
        resourceId: request.resourceId,
        operation: op,
        token: request.idempotencyToken,
        outcome: "ok",
        applied: false,
      };
      state.requests.push(entry);
      const fail = (error: ProviderError): never => {
        entry.outcome = error.code;
        entry.message = error.message;
        throw new ProviderError(error.code, error.message, requestId);
      };
      const fault = faultBefore(settings, seq, request.resourceId, op);
      if (fault) fail(new ProviderError(fault.code, fault.message));
      const seen = state.tokens[request.idempotencyToken];
      if (seen) {
        if (seen.resourceId !== request.resourceId || !isDeepStrictEqual(seen.operation, request.operation)) {
          fail(
            new ProviderError(
              "invalid",
              `IdempotentParameterMismatch: token ${request.idempotencyToken} was used for ${seen.operation.op} on ${seen.resourceId}`,
            ),
          );
        }
        entry.outcome = "replayed";
        if (seen.output) entry.output = seen.output;
        return { requestId: seen.requestId, ...(seen.output ? { output: seen.output } : {}) };
      }
      let output: Record<string, string> | undefined;
      try {
        const resource =
          op === "restore_disk"
            ? state.resources[request.resourceId]
            : target(state, this.provider, request.resourceId, op);
        output = apply(
          { state, provider: this.provider, settings, seq, at: state.clock },
          resource,
          request.operation,
        );
        if (resource) resource.lastModifiedAt = state.clock;
      } catch (error) {
        if (error instanceof ProviderError) fail(error);
        throw error;
      }
      entry.applied = true;
      if (output) entry.output = output;
      state.tokens[request.idempotencyToken] = {
        resourceId: request.resourceId,
        operation: request.operation,
        requestId,
        ...(output ? { output } : {}),
      };
      state.clock = new Date(Date.parse(state.clock) + DURATION_S[op] * 1000).toISOString();
      if (timesOutAfter(settings, seq)) {
        fail(
          new ProviderError(
            "timeout",
            `the ${op} request on ${request.resourceId} timed out; its outcome is unknown`,
          ),
        );
      }
      return { requestId, ...(output ? { output } : {}) };
    });
  }

  async checkPermissions(request: OperationRequest): Promise<void> {
    const { settings } = this.sandbox;
    this.sandbox.mutate((state) => {
      const seq = ++state.seq;
      const requestId = requestIdFor(state.seed, seq);
      const op = request.operation.op;
      const denied = isDenied(settings, op, request.resourceId);
      state.requests.push({
        seq,
        at: state.clock,
        call: "checkPermissions",
        requestId,
        resourceId: request.resourceId,
        operation: op,
        outcome: denied ? "denied" : "ok",
        applied: false,
      });
      if (denied) {
        throw new ProviderError(
          "denied",
          `UnauthorizedOperation: you are not authorized to perform ${op} on ${request.resourceId}`,
          requestId,
        );
      }
    });
  }

  async metrics(resourceId: string, since: Date): Promise<MetricSample[]> {
    const state = this.sandbox.state();
    const resource = state.resources[resourceId];
    if (!resource || resource.provider !== this.provider) {
      throw new ProviderError("not_found", `the resource '${resourceId}' does not exist in ${this.provider}`);
    }
    return metricsFor(
      state,
      this.sandbox.settings,
      readProfiles.fromFile(this.sandbox.dataDir),
      resource,
      since,
      new Date(state.clock),
    );
  }
}
