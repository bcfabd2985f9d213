/**
 * ops.actions rows and how they change. Every change of an action is one transaction: the row's
 * new state, its ops.action_events entry, the audit entry and any notification land together,
 * and each is written BEFORE the side effect it announces (a crash then leaves a record of what
 * may have happened, never a change nobody wrote down).
 */
import { randomUUID } from "node:crypto";
import type { Config } from "../../core/config.ts";
import type { TransactionScope, Warehouse } from "../../core/warehouse/warehouse.ts";
import { appendAudit } from "../audit/log.ts";
import { enqueueNotification, type Notice } from "../notify/outbox.ts";
import type { Operation, Provider, ResourceState } from "../providers/adapter.ts";

export const ACTOR = "cco:executor";

/** States an action passes through; the last five end it (planned: a dry run's). */
export const ACTION_STATES = [
  "approved",
  "preflight",
  "executing",
  "verifying",
  "rolling_back",
  "succeeded",
  "failed",
  "rolled_back",
  "needs_attention",
  "planned",
] as const;
export type ActionState = (typeof ACTION_STATES)[number];

/** States a crash can leave an action in: reconciled at the start of the next run. */
export const INTERRUPTED: readonly ActionState[] = ["approved", "preflight", "executing", "rolling_back"];
/** States that hold a change in flight (the per-account concurrency cap counts them). */
export const IN_FLIGHT: readonly ActionState[] = [...INTERRUPTED, "verifying"];

export interface Action {
  action_id: string;
  run_id: string;
  recommendation_id: string;
  version: string;
  kind: string;
  provider: Provider;
  billing_account_id: string | null;
  sub_account_id: string | null;
  resource_id: string;
  parameters: Record<string, unknown>;
  prior_state: ResourceState | null;
  plan: Operation[] | null;
  outputs: Record<string, string>;
  undo: Operation[] | null;
  undo_step: number;
  state: ActionState;
  mode: "dry_run" | "execute";
  idempotency_token: string;
  step: number;
  estimated_monthly_savings: string | null;
  currency: string | null;
  expected: object | null;
  verification: Record<string, unknown> | null;
  error: string | null;
  executed_at: string | null;
  verify_after: string | null;
}

const JSON_COLUMNS = new Set([
  "parameters",
  "prior_state",
  "plan",
  "outputs",
  "undo",
  "expected",
  "verification",
]);

/** The token a step sends: derived from the action and the step, so a retried step carries the same one. */
export const stepToken = (action: Pick<Action, "idempotency_token">, step: number, undo = false) =>
  `${action.idempotency_token}:${undo ? "undo:" : ""}${step}`;

export const newId = (prefix: string) => `${prefix}-${randomUUID().replaceAll("-", "").slice(0, 16)}`;

const SELECT = `select action_id, run_id, recommendation_id, version, kind, provider, billing_account_id, sub_account_id,
  resource_id, parameters::varchar as parameters, prior_state::varchar as prior_state, plan::varchar as plan,
  outputs::varchar as outputs, undo::varchar as undo, undo_step, state, mode, idempotency_token, step,
  estimated_monthly_savings::varchar as estimated_monthly_savings, currency, expected::varchar as expected,
  verification::varchar as verification, error, epoch_ms(executed_at) as executed_at,
  epoch_ms(verify_after) as verify_after from ops.actions`;

function fromRow(row: Record<string, unknown>): Action {
  const out = { ...row } as Record<string, unknown>;
  for (const column of JSON_COLUMNS)
    out[column] = row[column] == null ? null : JSON.parse(String(row[column]));
  out.outputs ??= {};
  out.step = Number(row.step);
  out.undo_step = Number(row.undo_step);
  for (const t of ["executed_at", "verify_after"])
    if (row[t] != null) out[t] = new Date(Number(row[t])).toISOString();
  return out as unknown as Action;
}

export async function loadActions(w: Warehouse | TransactionScope, where = "true", params: string[] = []) {
  return (
    await w.all<Record<string, unknown>>(`${SELECT} where ${where} order by created_at, action_id`, params)
  ).map(fromRow);
}

export async function loadAction(w: Warehouse, actionId: string): Promise<Action | undefined> {
  return (await loadActions(w, "action_id = $1", [actionId]))[0];
}

/** What one change of an action writes besides the row: its event, audit entry and notices. */
export interface Change {
  state?: ActionState;
  set?: Partial<Omit<Action, "state" | "action_id">> & { finished_at?: string };
  /** A provider operation the event is about (before the call: its intent; after: its result). */
  call?: string;
  requestId?: string;
  detail?: Record<string, unknown>;
  /** The audit event (default: action.state for a transition, action.step otherwise). */
  event?: string;
  notices?: Notice[];
}

/** Apply a change to the row and to `action` in one transaction with its event, audit entry and notices. */
export async function record(w: Warehouse, config: Config, action: Action, change: Change): Promise<void> {
  const from = action.state;
  const to = change.state ?? from;
  const set: Record<string, unknown> = { ...change.set, state: to, updated_at: new Date().toISOString() };
  await w.transaction(async (tx) => {
    const columns = Object.keys(set);
    const assignments = columns.map((c, i) => `${c} = $${i + 2}${JSON_COLUMNS.has(c) ? "::json" : ""}`);
    await tx.run(`update ops.actions set ${assignments.join(", ")} where action_id = $1`, [
      action.action_id,
      ...columns.map((c) => dbValue(c, set[c])),
    ]);
    await insertEvent(tx, action.action_id, change.state ? from : null, change.state ?? null, change);
    await appendAudit(tx, {
      actor: ACTOR,
      event: change.event ?? (change.call ? "provider.call" : change.state ? "action.state" : "action.step"),
      subject: action.action_id,
      detail: {
        recommendation_id: action.recommendation_id,
        version: action.version,
        kind: action.kind,
        resource_id: action.resource_id,
        mode: action.mode,
        ...(change.state ? { from, to } : {}),
        ...(change.call ? { call: change.call, request_id: change.requestId ?? null } : {}),
        ...change.detail,
      },
    });
    for (const notice of change.notices ?? []) await enqueueNotification(tx, config, notice);
  });
  Object.assign(action, change.set ?? {}, { state: to });
}

async function insertEvent(
  tx: TransactionScope,
  actionId: string,
  from: string | null,
  to: string | null,
  change: Change,
): Promise<void> {
  await tx.run("insert into ops.action_events values ($1, $2::timestamptz, $3, $4, $5, $6, $7::json)", [
    actionId,
    new Date().toISOString(),
    from,
    to,
    change.call ?? null,
    change.requestId ?? null,
    JSON.stringify(change.detail ?? {}),
  ]);
}

function dbValue(column: string, value: unknown): string | number | boolean | null {
  if (value === undefined || value === null) return null;
  if (JSON_COLUMNS.has(column)) return JSON.stringify(value);
  return value as string | number | boolean;
}

/** A new action row in state approved, with its first event and audit entry. */
export async function createAction(
  w: Warehouse,
  fields: Omit<
    Action,
    | "state"
    | "step"
    | "undo_step"
    | "outputs"
    | "prior_state"
    | "plan"
    | "undo"
    | "expected"
    | "verification"
    | "error"
    | "executed_at"
    | "verify_after"
  >,
  detail: Record<string, unknown>,
): Promise<Action> {
  const now = new Date().toISOString();
  await w.transaction(async (tx) => {
    await tx.run(
      `insert into ops.actions (action_id, run_id, recommendation_id, version, kind, provider, billing_account_id,
         sub_account_id, resource_id, parameters, outputs, state, mode, idempotency_token, step, undo_step,
         estimated_monthly_savings, currency, created_at, updated_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::json, '{}'::json, 'approved', $11, $12, 0, 0, $13::decimal(18, 2), $14,
         $15::timestamptz, $15::timestamptz)`,
      [
        fields.action_id,
        fields.run_id,
        fields.recommendation_id,
        fields.version,
        fields.kind,
        fields.provider,
        fields.billing_account_id,
        fields.sub_account_id,
        fields.resource_id,
        JSON.stringify(fields.parameters),
        fields.mode,
        fields.idempotency_token,
        fields.estimated_monthly_savings,
        fields.currency,
        now,
      ],
    );
    await insertEvent(tx, fields.action_id, null, "approved", { detail });
    await appendAudit(tx, {
      actor: ACTOR,
      event: "action.created",
      subject: fields.action_id,
      detail: {
        recommendation_id: fields.recommendation_id,
        version: fields.version,
        kind: fields.kind,
        resource_id: fields.resource_id,
        mode: fields.mode,
        run_id: fields.run_id,
        ...detail,
      },
    });
  });
  return {
    ...fields,
    state: "approved",
    step: 0,
    undo_step: 0,
    outputs: {},
    prior_state: null,
    plan: null,
    undo: null,
    expected: null,
    verification: null,
    error: null,
    executed_at: null,
    verify_after: null,
  };
}
