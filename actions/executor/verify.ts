/**
 * Verification, once an action's window (verification.window_hours of the adapter's clock) has
 * passed. Every kind: the resource must still be as the change left it. Metrics kinds also: the
 * P95 CPU since the change must stay under cpu_p95_max_pct and under the predicted upper band plus
 * over_prediction_pct points; otherwise the change is undone (verification_failed, rolled_back).
 * A pass notifies executed.
 */
import type { AnyKind } from "../kinds/kind.ts";
import { mismatches } from "../kinds/kind.ts";
import { ProviderError } from "../providers/adapter.ts";
import { type CallContext, describe, metrics } from "./calls.ts";
import type { Expected } from "./expected.ts";
import { notice, rollBack } from "./machine.ts";
import { type Action, record } from "./records.ts";

export function p95(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  // Linear interpolation between ranks, as quantile_cont in marts.utilization_daily.
  const rank = 0.95 * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** Judge a change whose window has passed; false when its metrics cannot be read yet (judged next run). */
export async function verify(ctx: CallContext, kind: AnyKind, action: Action): Promise<boolean> {
  const settings = ctx.config.actions.verification;
  const state = await describe(ctx, action.resource_id);
  const off = mismatches(
    state,
    kind.after(action.prior_state!, action.parameters, action.plan!.length) ?? {},
  );
  if (off.length) {
    await record(ctx.warehouse, ctx.config, action, {
      state: "needs_attention",
      set: {
        error: `changed since the action: ${off.join("; ")}`,
        verification: { decision: "changed since", differs: off },
        finished_at: new Date().toISOString(),
      },
    });
    return true;
  }
  if (kind.verification === "state") {
    await pass(ctx, action, { decision: "passed", checked: "state" });
    return true;
  }
  const since = new Date(action.executed_at!);
  let read: Awaited<ReturnType<typeof metrics>>;
  try {
    read = await metrics(ctx, action.resource_id, since);
  } catch (error) {
    // Unreadable metrics end this action's verification, not the whole run: still throttled or
    // failing after the retries, it stays verifying for the next run; denied, a person decides.
    if (!(error instanceof ProviderError)) throw error;
    if (error.retryable) return false;
    await record(ctx.warehouse, ctx.config, action, {
      state: "needs_attention",
      set: {
        error: `metrics since the change could not be read: ${error.code}: ${error.message}`,
        verification: { decision: "metrics unreadable", code: error.code },
        finished_at: new Date().toISOString(),
      },
    });
    return true;
  }
  const samples = read.filter(
    (s) => new Date(s.hour).getTime() >= since.getTime() && Number.isFinite(s.cpuPct),
  );
  if (!samples.length) {
    await record(ctx.warehouse, ctx.config, action, {
      state: "needs_attention",
      set: {
        error: "no metrics since the change: cannot be verified",
        verification: { decision: "no metrics", samples: 0 },
        finished_at: new Date().toISOString(),
      },
    });
    return true;
  }
  const expected = action.expected as Expected | null;
  const measured = Math.round(p95(samples.map((s) => s.cpuPct)) * 100) / 100;
  const band = expected?.predicted_cpu_p95_pct ?? null;
  const reasons: string[] = [];
  if (measured > settings.cpu_p95_max_pct)
    reasons.push(`P95 CPU ${measured}% is above cpu_p95_max_pct ${settings.cpu_p95_max_pct}%`);
  if (band && measured > band.high + settings.over_prediction_pct)
    reasons.push(
      `P95 CPU ${measured}% is above the predicted band's top ${band.high}% by more than ${settings.over_prediction_pct} points`,
    );
  const verification = {
    checked: "metrics",
    samples: samples.length,
    since: since.toISOString(),
    cpu_p95_pct: measured,
    baseline_cpu_p95_pct: expected?.baseline_cpu_p95_pct ?? null,
    predicted_cpu_p95_pct: band,
    cpu_p95_max_pct: settings.cpu_p95_max_pct,
    over_prediction_pct: settings.over_prediction_pct,
    decision: reasons.length ? "degraded" : "passed",
    reasons,
  };
  if (!reasons.length) {
    await pass(ctx, action, verification);
    return true;
  }
  await record(ctx.warehouse, ctx.config, action, {
    event: "action.verification",
    set: { verification },
    detail: verification,
  });
  const reason = `verification failed: ${reasons.join("; ")}`;
  await rollBack(ctx, kind, action, reason, [
    notice("verification_failed", action, `Verification failed for ${action.kind} on ${action.resource_id}`, {
      reason,
      cpu_p95_pct: measured,
    }),
  ]);
  return true;
}

async function pass(ctx: CallContext, action: Action, verification: Record<string, unknown>): Promise<void> {
  await record(ctx.warehouse, ctx.config, action, {
    state: "succeeded",
    set: { verification, finished_at: new Date().toISOString() },
    detail: verification,
    notices: [notice("executed", action, `Executed ${action.kind} on ${action.resource_id}`)],
  });
}
