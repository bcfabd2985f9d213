/**
 * A dry run's action: pre-flight as for real (describe() and the provider's permission dry-run
 * are read-only), then the plan is recorded, every operation it would send with the token it
 * would carry, and the action ends in state `planned` (or `failed` with the pre-flight's reason).
 * perform() is never called.
 */
import type { AnyKind } from "../kinds/kind.ts";
import type { QueueRow } from "../kinds/kind.ts";
import type { CallContext } from "./calls.ts";
import { expectedRange } from "./expected.ts";
import { preflight } from "./preflight.ts";
import { type Action, record, stepToken } from "./records.ts";

export async function plan(ctx: CallContext, kind: AnyKind, action: Action, row: QueueRow, now: Date) {
  const checked = await preflight(ctx, kind, action, row, now);
  if (!checked.ok) {
    await record(ctx.warehouse, ctx.config, action, {
      state: "failed",
      set: {
        error: `pre-flight: ${checked.reason}`,
        prior_state: checked.prior ?? null,
        finished_at: now.toISOString(),
      },
      detail: { reason: checked.reason, dry_run: true },
    });
    return;
  }
  for (const [i, operation] of checked.plan.entries()) {
    await record(ctx.warehouse, ctx.config, action, {
      call: operation.op,
      event: "provider.planned",
      detail: {
        dry_run: true,
        step: i,
        operation,
        idempotency_token: stepToken(action, i),
        target: action.resource_id,
      },
    });
  }
  const undo = kind.undo(checked.prior, action.parameters, {}, checked.plan.length);
  await record(ctx.warehouse, ctx.config, action, {
    state: "planned",
    set: {
      prior_state: checked.prior,
      plan: checked.plan,
      undo,
      expected: await expectedRange(ctx.warehouse, kind, action, checked.prior),
      finished_at: new Date().toISOString(),
    },
    detail: { dry_run: true, plan: checked.plan, undo, irreversible: kind.irreversible },
  });
}
