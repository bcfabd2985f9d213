/**
 * One action's state machine: approved → preflight → executing → verifying → succeeded | failed |
 * rolled_back | needs_attention (rolling_back while an undo runs). Each transition is recorded
 * before the side effect that follows it (records.ts); fault points between steps let the crash
 * tests kill the process exactly there. recover() settles an action a crash interrupted by
 * reading the resource's real state, never by re-running it blindly.
 */
import type { AnyKind } from "../kinds/kind.ts";
import { faultPoint } from "../../core/faults.ts";
import type { QueueRow } from "../kinds/kind.ts";
import { mismatches } from "../kinds/kind.ts";
import { ProviderError } from "../providers/adapter.ts";
import type { Notice } from "../notify/outbox.ts";
import { type CallContext, describe, send } from "./calls.ts";
import { expectedRange } from "./expected.ts";
import { preflight } from "./preflight.ts";
import { type Action, record, stepToken } from "./records.ts";

const _message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const hoursLater = (from: Date, hours: number) => new Date(from.getTime() + hours * 3_600_000).toISOString();

export function verificationHours(ctx: CallContext, kind: AnyKind): number {
  const v = ctx.config.actions.verification;
  return v.window_hours_by_kind[kind.name as keyof typeof v.window_hours_by_kind] ?? v.window_hours;
}

export function notice(
  event: Notice["event"],
  action: Action,
  title: string,
  extra: Notice["fields"] = {},
): Notice {
  return {
    event,
    subject: action.action_id,
    title,
    fields: {
      action_id: action.action_id,
      recommendation_id: action.recommendation_id,
      kind: action.kind,
      resource_id: action.resource_id,
      provider: action.provider,
      estimated_monthly_savings: action.estimated_monthly_savings,
      currency: action.currency,
      ...extra,
    },
  };
}

/** Pre-flight then the forward steps of a new execute-mode action (state approved). */
export async function execute(ctx: CallContext, kind: AnyKind, action: Action, row: QueueRow, now: Date) {
  await record(ctx.warehouse, ctx.config, action, { state: "preflight" });
  faultPoint("action:preflight:0");
  const checked = await preflight(ctx, kind, action, row, now);
  if (!checked.ok) {
    await record(ctx.warehouse, ctx.config, action, {
      state: "failed",
      set: {
        error: `pre-flight: ${checked.reason}`,
        prior_state: checked.prior ?? null,
        finished_at: now.toISOString(),
      },
      detail: { reason: checked.reason, changed: false },
    });
    return;
  }
  const expected = await expectedRange(ctx.warehouse, kind, action, checked.prior);
  if (kind.irreversible) {
    // What the step destroys goes on the record before the step can run.
    await record(ctx.warehouse, ctx.config, action, {
      event: "action.irreversible",
      detail: { loses: kind.loses?.(checked.prior) ?? { resource: checked.prior } },
    });
  }
  await record(ctx.warehouse, ctx.config, action, {
    state: "executing",
    set: { prior_state: checked.prior, plan: checked.plan, expected },
    detail: { plan: checked.plan },
  });
  await forward(ctx, kind, action);
}

/**
 * actions.sandbox.crash_after ("<kind>:<step>", 0 the first step): the sandbox's configured crash
 * between two steps, killing the process as kill -9 would once the step is recorded as done. Only
 * with the sandbox adapter: a config typo must never kill a run against a real cloud.
 */
function crashAfter(ctx: CallContext, kind: AnyKind, step: number): void {
  if (ctx.adapter.name === "sandbox" && ctx.config.actions.sandbox.crash_after === `${kind.name}:${step}`)
    process.kill(process.pid, "SIGKILL");
}

/** The remaining forward steps from action.step, then the check, then verifying. */
async function forward(ctx: CallContext, kind: AnyKind, action: Action): Promise<void> {
  const prior = action.prior_state!;
  const plan = action.plan!;
  while (action.step < plan.length) {
    const i = action.step;
    faultPoint(`action:executing:${i}`);
    try {
      await send(ctx, action, plan[i]!, stepToken(action, i), {
        label: `step ${i}`,
        landed: kind.after(prior, action.parameters, i + 1),
        done: (result) => ({ step: i + 1, outputs: { ...action.outputs, ...result.output } }),
      });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      const reason = `step ${i} (${plan[i]!.op}) failed: ${error.code}: ${error.message}`;
      if (i === 0) {
        await record(ctx.warehouse, ctx.config, action, {
          state: "failed",
          set: { error: reason, finished_at: new Date().toISOString() },
          detail: { reason, changed: false },
        });
      } else await rollBack(ctx, kind, action, reason);
      return;
    }
    faultPoint(`action:executing:${i}:applied`);
    crashAfter(ctx, kind, i);
  }
  const state = await describe(ctx, action.resource_id);
  const off = mismatches(state, kind.after(prior, action.parameters, plan.length) ?? {});
  if (off.length)
    return rollBack(ctx, kind, action, `the check after the last step failed: ${off.join("; ")}`);
  const executedAt = ctx.adapter.now();
  await record(ctx.warehouse, ctx.config, action, {
    state: "verifying",
    set: {
      executed_at: executedAt.toISOString(),
      verify_after: hoursLater(executedAt, verificationHours(ctx, kind)),
      undo: kind.undo(prior, action.parameters, action.outputs, plan.length),
    },
    detail: { check: "passed", verification: kind.verification },
  });
  faultPoint("action:verifying:0");
}

/**
 * Undo what the action applied: its recorded undo (or the kind's undo for the steps done so far),
 * each operation with its own token. Ends rolled_back when the resource is back as recorded,
 * needs_attention when it cannot be (irreversible, an undo step refused, a failed check).
 */
export async function rollBack(
  ctx: CallContext,
  kind: AnyKind,
  action: Action,
  reason: string,
  notices: Notice[] = [],
): Promise<void> {
  const prior = action.prior_state!;
  if (action.state !== "rolling_back") {
    const undo = kind.undo(prior, action.parameters, action.outputs, action.step);
    if (undo === null) {
      await record(ctx.warehouse, ctx.config, action, {
        state: "needs_attention",
        set: { error: `${reason}; ${kind.name} cannot be undone`, finished_at: new Date().toISOString() },
        detail: { reason },
        notices,
      });
      return;
    }
    await record(ctx.warehouse, ctx.config, action, {
      state: "rolling_back",
      set: { undo, undo_step: 0, error: reason },
      detail: { reason, undo },
    });
  }
  const undo = action.undo ?? [];
  const undoOutputs: Record<string, string> = Object.fromEntries(
    Object.entries(action.outputs)
      .filter(([k]) => k.startsWith("undo:"))
      .map(([k, v]) => [k.slice(5), v]),
  );
  while (action.undo_step < undo.length) {
    const j = action.undo_step;
    faultPoint(`action:rolling_back:${j}`);
    try {
      await send(ctx, action, undo[j]!, stepToken(action, j, true), {
        label: `undo ${j}`,
        done: (result) => {
          for (const [k, v] of Object.entries(result.output ?? {})) undoOutputs[k] = v;
          const prefixed = Object.fromEntries(
            Object.entries(result.output ?? {}).map(([k, v]) => [`undo:${k}`, v]),
          );
          return { undo_step: j + 1, outputs: { ...action.outputs, ...prefixed } };
        },
      });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      await record(ctx.warehouse, ctx.config, action, {
        state: "needs_attention",
        set: {
          error: `${reason}; undo step ${j} (${undo[j]!.op}) failed: ${error.code}: ${error.message}`,
          finished_at: new Date().toISOString(),
        },
        detail: { reason, undo_failed: j },
        notices,
      });
      return;
    }
  }
  const target = kind.undoneResource?.(prior, undoOutputs) ?? action.resource_id;
  const state = await describe(ctx, target);
  const off = mismatches(state, kind.after(prior, action.parameters, 0) ?? {});
  await record(ctx.warehouse, ctx.config, action, {
    state: off.length ? "needs_attention" : "rolled_back",
    set: {
      error: off.length ? `${reason}; after the undo: ${off.join("; ")}` : reason,
      finished_at: new Date().toISOString(),
    },
    detail: { reason, restored: target, ...(off.length ? { differs: off } : {}) },
    notices: off.length
      ? notices
      : [
          ...notices,
          notice("rolled_back", action, `Rolled back ${action.kind} on ${action.resource_id}`, { reason }),
        ],
  });
}

/**
 * An action a crash left behind. Before the first side effect (approved, preflight) nothing
 * changed: it fails and the next run may start the recommendation afresh. In executing, the
 * resource is read: a step whose result shows was applied and is recorded as done; a step that
 * shows no result is sent again with its token; a resource that is neither needs attention.
 * An interrupted undo resumes with the same tokens.
 */
export async function recover(ctx: CallContext, kind: AnyKind, action: Action): Promise<void> {
  const found = action.state;
  if (found === "approved" || found === "preflight") {
    await record(ctx.warehouse, ctx.config, action, {
      state: "failed",
      set: { error: `interrupted in ${found}, before any change`, finished_at: new Date().toISOString() },
      detail: { recovered: true, changed: false },
    });
    return;
  }
  if (found === "rolling_back") {
    await record(ctx.warehouse, ctx.config, action, {
      event: "action.recovered",
      detail: { found, undo_step: action.undo_step },
    });
    return rollBack(ctx, kind, action, action.error ?? "interrupted undo");
  }
  // executing
  const prior = action.prior_state!;
  const plan = action.plan!;
  while (action.step < plan.length) {
    const i = action.step;
    const state = await describe(ctx, action.resource_id);
    const applied = kind.after(prior, action.parameters, i + 1);
    const before = kind.after(prior, action.parameters, i);
    if (applied && !mismatches(state, applied).length) {
      await record(ctx.warehouse, ctx.config, action, {
        event: "action.recovered",
        set: { step: i + 1 },
        detail: { found, step: i, resolution: "applied before the crash: recorded as done" },
      });
      continue;
    }
    // Not applied: the step's result does not show, and the resource is as the steps before left
    // it (or those steps leave no trace to compare: a snapshot taken).
    if (!applied || !before || !mismatches(state, before).length) {
      await record(ctx.warehouse, ctx.config, action, {
        event: "action.recovered",
        detail: {
          found,
          step: i,
          resolution: applied
            ? "not applied: sent now"
            : "leaves no trace on the resource: sent again with its token",
        },
      });
      break;
    }
    const off = [...mismatches(state, applied), ...(before ? mismatches(state, before) : [])];
    await record(ctx.warehouse, ctx.config, action, {
      state: "needs_attention",
      set: {
        error: `interrupted in step ${i} (${plan[i]!.op}); the resource is neither as before nor as after it: ${off.join("; ")}`,
        finished_at: new Date().toISOString(),
      },
      detail: { recovered: true, step: i, observed: state },
    });
    return;
  }
  await forward(ctx, kind, action);
}
