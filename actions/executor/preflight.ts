/**
 * Pre-flight: everything checked before the first side effect, all read-only (describe() and the
 * provider's own permission dry-run), so a dry run runs it too. A refusal says why; nothing changed.
 */
import type { Config } from "../../core/config.ts";
import type { ActionKind, QueueRow } from "../kinds/kind.ts";
import { mismatches } from "../kinds/kind.ts";
import { type Operation, ProviderError, type ResourceState } from "../providers/adapter.ts";
import { type CallContext, describe } from "./calls.ts";
import { type Action, stepToken } from "./records.ts";
import { outsideWindows } from "./windows.ts";

export type Preflight =
  | { ok: true; prior: ResourceState; plan: Operation[] }
  | { ok: false; reason: string; prior?: ResourceState };

/** A tag matching config.recommend.protected_tags (keys as the detectors compare them, "*" any value). */
export function protectedTag(config: Config, tags: Record<string, string>): string | undefined {
  const norm = (k: string) =>
    k
      .replace(/^user[:_]/i, "")
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "");
  for (const [key, value] of Object.entries(tags)) {
    for (const [pk, pv] of Object.entries(config.recommend.protected_tags)) {
      if (norm(key) === norm(pk) && (pv === "*" || value.toLowerCase() === pv.toLowerCase()))
        return `${key}=${value}`;
    }
  }
  return undefined;
}

export async function preflight(
  ctx: CallContext,
  kind: ActionKind<Record<string, unknown>>,
  action: Action,
  row: QueueRow,
  now: Date,
): Promise<Preflight> {
  const prior = await describe(ctx, action.resource_id);
  if (!prior.exists) return { ok: false, reason: `${action.resource_id} does not exist any more`, prior };
  if (!kind.startStates.includes(prior.status ?? ""))
    return {
      ok: false,
      reason: `${kind.name} cannot start from status ${prior.status ?? "unknown"} (only ${kind.startStates.join(", ")})`,
      prior,
    };
  const drift = mismatches(prior, kind.recorded(row, action.parameters));
  if (drift.length)
    return { ok: false, reason: `the resource changed since it was recommended: ${drift.join("; ")}`, prior };
  const guarded = protectedTag(ctx.config, prior.tags);
  if (guarded) return { ok: false, reason: `protected tag ${guarded} (recommend.protected_tags)`, prior };
  const closed = outsideWindows(
    ctx.config.actions,
    { accounts: [action.billing_account_id, action.sub_account_id], tags: prior.tags },
    now,
  );
  if (closed) return { ok: false, reason: closed, prior };
  const plan = kind.steps(prior, action.parameters, action.action_id);
  for (const [i, operation] of plan.entries()) {
    try {
      await ctx.adapter.checkPermissions({
        resourceId: action.resource_id,
        operation,
        idempotencyToken: stepToken(action, i),
      });
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      const needs = kind.permissions[action.provider].join(", ");
      return {
        ok: false,
        reason: `permission check for ${operation.op} failed (${error.code}: ${error.message}); ${kind.name} needs ${needs}`,
        prior,
      };
    }
  }
  return { ok: true, prior, plan };
}
