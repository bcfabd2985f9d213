/**
 * What the crash and fault tests check after a run, read from the warehouse and the sandbox: the
 * actions' rows, whether each resource is as its action's state says (changed as planned, or back
 * as before), and operations the sandbox applied twice (the same token, or the same operation on
 * the same resource in the same direction: forward steps or undo).
 */
import { kindNamed } from "../../../actions/kinds/index.ts";
import { mismatches } from "../../../actions/kinds/kind.ts";
import type { ResourceState } from "../../../actions/providers/adapter.ts";
import type { Sandbox } from "../../../actions/providers/sandbox/sandbox.ts";
import type { RequestLogEntry } from "../../../actions/providers/sandbox/state.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";

export interface ActionRow {
  action_id: string;
  recommendation_id: string;
  kind: string;
  provider: string;
  resource_id: string;
  state: string;
  error: string | null;
  idempotency_token: string;
  step: number;
  undo_step: number;
  prior_state: string | null;
  parameters: string;
  plan: string | null;
  outputs: string;
}

export async function executedActions(w: Pick<Warehouse, "all">): Promise<ActionRow[]> {
  return w.all<ActionRow>(
    `select action_id, recommendation_id, kind, provider, resource_id, state, error, idempotency_token,
       step::integer as step, undo_step::integer as undo_step, prior_state::varchar as prior_state,
       parameters::varchar as parameters, plan::varchar as plan, outputs::varchar as outputs
     from ops.actions where mode = 'execute' order by created_at, action_id`,
  );
}

/** The sandbox's applied calls made by one action (its tokens are `<token>:<n>` and `<token>:undo:<n>`). */
export function appliedBy(requests: RequestLogEntry[], action?: Pick<ActionRow, "idempotency_token">) {
  return requests.filter(
    (r) =>
      r.call === "perform" && r.applied && (!action || r.token?.startsWith(`${action.idempotency_token}:`)),
  );
}

/** Operations applied more than once: a token twice, or one operation twice on a resource in one direction. */
export function appliedTwice(applied: RequestLogEntry[]): string[] {
  const seen = new Map<string, number>();
  for (const r of applied) {
    const direction = r.token?.includes(":undo:") ? "undo" : "forward";
    for (const key of [`token ${r.token}`, `${direction} ${r.operation} on ${r.resourceId}`])
      seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} applied ${n} times`);
}

/**
 * How the resource differs from what the action's state says: a changed action (verifying,
 * succeeded) left it as its last step does, an undone or refused one as it was before. Empty: as stated.
 */
export async function resourceDiffers(sandbox: Sandbox, a: ActionRow): Promise<string[]> {
  const kind = kindNamed(a.kind);
  if (!kind) return [`unknown kind ${a.kind}`];
  if (!a.prior_state) return a.state === "failed" ? [] : ["no prior state recorded"];
  const prior = JSON.parse(a.prior_state) as ResourceState;
  const params = JSON.parse(a.parameters) as Record<string, unknown>;
  const changed = ["verifying", "succeeded"].includes(a.state);
  if (!changed && !["failed", "rolled_back"].includes(a.state)) return [`state ${a.state}`];
  const steps = changed ? (JSON.parse(a.plan!) as unknown[]).length : 0;
  const expected = kind.after(prior, params, steps);
  if (!expected) return [];
  // A restored disk is checked under its new id (the undo's output).
  const outputs = JSON.parse(a.outputs) as Record<string, string>;
  const undoOutputs = Object.fromEntries(
    Object.entries(outputs)
      .filter(([k]) => k.startsWith("undo:"))
      .map(([k, v]) => [k.slice(5), v]),
  );
  const target =
    a.state === "rolled_back" ? (kind.undoneResource?.(prior, undoOutputs) ?? a.resource_id) : a.resource_id;
  let now: ResourceState;
  try {
    now = await sandbox.adapter(prior.provider).describe(target);
  } catch {
    now = { resourceId: target, provider: prior.provider, kind: prior.kind, exists: false, tags: {} };
  }
  return mismatches(now, expected);
}
