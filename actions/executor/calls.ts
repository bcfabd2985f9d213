/**
 * Provider calls with their record: each operation's intent is written before it is sent and its
 * result after; retryable errors (throttling, timeouts, 5xx) are retried with exponential backoff
 * and full jitter, always with the step's own idempotency token, so a retried step never applies
 * twice; a timeout is first reconciled by describe(): the change may have landed.
 */
import type { Config } from "../../core/config.ts";
import { faultPoint } from "../../core/faults.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type Expectation, mismatches } from "../kinds/kind.ts";
import {
  type CloudAdapter,
  type MetricSample,
  type Operation,
  type OperationResult,
  ProviderError,
  type ResourceState,
} from "../providers/adapter.ts";
import { type Action, type Change, record } from "./records.ts";

export interface CallContext {
  warehouse: Warehouse;
  config: Config;
  adapter: CloudAdapter;
  /** Waits between retries; tests pass one that does not sleep. */
  sleep: (ms: number) => Promise<void>;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Delay before retry `attempt` (1-based): full jitter over an exponential ceiling. */
export function backoff(config: Config, attempt: number, random = Math.random): number {
  const { base_ms, max_ms } = config.actions.retries;
  return Math.round(random() * Math.min(max_ms, base_ms * 2 ** (attempt - 1)));
}

/**
 * Send one operation for `action` with `token`: recorded before and after. `landed` is the state
 * the resource shows once the operation applied, used to settle a timeout; without one the call
 * is re-sent with the same token (the provider answers a repeated token with the first result).
 */
export async function send(
  ctx: CallContext,
  action: Action,
  operation: Operation,
  token: string,
  options: {
    resourceId?: string;
    landed?: Expectation;
    label: string;
    /** Columns that change with the result (the step counter, its outputs): written with it. */
    done?: (result: OperationResult) => Change["set"];
  },
): Promise<OperationResult> {
  const resourceId = options.resourceId ?? action.resource_id;
  await record(ctx.warehouse, ctx.config, action, {
    call: operation.op,
    event: "provider.request",
    detail: { step: options.label, operation, idempotency_token: token, target: resourceId },
  });
  const { attempts } = ctx.config.actions.retries;
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await ctx.adapter.perform({ resourceId, operation, idempotencyToken: token });
      // The widest gap: the provider applied the call and nothing here has recorded it yet.
      faultPoint("action:sent");
      await record(ctx.warehouse, ctx.config, action, {
        call: operation.op,
        requestId: result.requestId,
        set: options.done?.(result),
        detail: { step: options.label, attempt, idempotency_token: token, output: result.output ?? {} },
      });
      return result;
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      if (error.code === "timeout" && options.landed) {
        const state = await describe(ctx, resourceId);
        if (!mismatches(state, options.landed).length) {
          const result = { requestId: error.requestId ?? `reconciled:${token}` };
          await record(ctx.warehouse, ctx.config, action, {
            call: operation.op,
            requestId: error.requestId,
            set: options.done?.(result),
            detail: {
              step: options.label,
              attempt,
              idempotency_token: token,
              reconciled: "timed out, but landed",
            },
          });
          return result;
        }
      }
      const retry = error.retryable && attempt < attempts;
      await record(ctx.warehouse, ctx.config, action, {
        call: operation.op,
        requestId: error.requestId,
        event: "provider.error",
        detail: { step: options.label, attempt, code: error.code, message: error.message, retry },
      });
      if (!retry) throw error;
      await ctx.sleep(backoff(ctx.config, attempt));
    }
  }
}

/** describe() with the same retries (it is read-only: safe in a dry run too); not_found reads as gone. */
export async function describe(
  ctx: Pick<CallContext, "adapter" | "config" | "sleep">,
  resourceId: string,
): Promise<ResourceState> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.adapter.describe(resourceId);
    } catch (error) {
      if (error instanceof ProviderError && error.code === "not_found")
        return { resourceId, provider: ctx.adapter.provider, kind: "vm", exists: false, tags: {} };
      if (
        !(error instanceof ProviderError) ||
        !error.retryable ||
        attempt >= ctx.config.actions.retries.attempts
      )
        throw error;
      await ctx.sleep(backoff(ctx.config, attempt));
    }
  }
}

/** metrics() with the same retries as describe(): a read, safe to send again. */
export async function metrics(
  ctx: Pick<CallContext, "adapter" | "config" | "sleep">,
  resourceId: string,
  since: Date,
): Promise<MetricSample[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.adapter.metrics(resourceId, since);
    } catch (error) {
      if (
        !(error instanceof ProviderError) ||
        !error.retryable ||
        attempt >= ctx.config.actions.retries.attempts
      )
        throw error;
      await ctx.sleep(backoff(ctx.config, attempt));
    }
  }
}
