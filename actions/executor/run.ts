/**
 * One executor run (`cco actions run|plan`, the schedule, the pipeline): first the actions a crash
 * interrupted are reconciled, then changes whose verification window has passed are judged, then
 * the due approvals are taken in order: each is skipped with its reason (paused, manual, not
 * acknowledged, done or in flight, outside its window, a cap) or started. A dry run records the
 * plan (state planned) and every operation it would send; it reads (describe, the provider's
 * permission dry-run) and changes nothing. The run is one row of ops.action_runs.
 */
import type { AnyKind } from "../kinds/kind.ts";
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type ApprovalStatus, approvalStatus, type DueApproval, dueApprovals } from "../approvals/status.ts";
import { appendAudit } from "../audit/log.ts";
import { kindNamed } from "../kinds/index.ts";
import type { Provider } from "../providers/adapter.ts";
import type { CallContext } from "./calls.ts";
import { type AdapterOptions, contexts } from "./contexts.ts";
import { executorControl } from "./control.ts";
import { execute, recover } from "./machine.ts";
import { plan } from "./plan.ts";
import {
  type Action,
  ACTOR,
  createAction,
  IN_FLIGHT,
  INTERRUPTED,
  loadActions,
  newId,
  record,
} from "./records.ts";
import { verify } from "./verify.ts";
import { outsideWindows } from "./windows.ts";

export type Mode = "dry_run" | "execute";
export type Trigger = "schedule" | "cli" | "pipeline" | "api";

export interface RunOptions extends AdapterOptions {
  mode?: Mode;
  trigger: Trigger;
  /** The run's time for due approvals and maintenance windows (default: now). */
  now?: Date;
}

export interface Skip {
  recommendation_id: string;
  reason: string;
}

export interface RunSummary {
  run_id: string;
  mode: Mode;
  trigger: Trigger;
  paused: boolean;
  recovered: number;
  verified: number;
  planned: number;
  started: number;
  skipped: Skip[];
  actions: Pick<
    Action,
    "action_id" | "recommendation_id" | "kind" | "resource_id" | "state" | "error" | "mode" | "plan"
  >[];
  outcome: "succeeded" | "partial" | "failed" | "paused";
}

const cents = (amount: string | null) => Math.round(Number(amount ?? 0) * 100);
const accountOf = (a: { billing_account_id: string | null; sub_account_id: string | null }) =>
  a.sub_account_id ?? a.billing_account_id ?? "";

/** The run in progress per warehouse: runs in one process take turns (the schedule, the pipeline's
 * actions stage and the service's API could otherwise start the same approval twice). */
const running = new WeakMap<Warehouse, Promise<unknown>>();

export async function runExecutor(
  warehouse: Warehouse,
  config: Config,
  options: RunOptions,
): Promise<RunSummary> {
  const previous = running.get(warehouse) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => runOnce(warehouse, config, options));
  running.set(warehouse, run);
  try {
    return await run;
  } finally {
    if (running.get(warehouse) === run) running.delete(warehouse);
  }
}

async function runOnce(warehouse: Warehouse, config: Config, options: RunOptions): Promise<RunSummary> {
  const mode = options.mode ?? config.actions.mode;
  const now = options.now ?? new Date();
  const runId = newId("run");
  const context = contexts(warehouse, config, options);

  await warehouse.transaction(async (tx) => {
    await tx.run(
      "insert into ops.action_runs (run_id, mode, triggered_by, started_at) values ($1, $2, $3, $4::timestamptz)",
      [runId, mode, options.trigger, new Date().toISOString()],
    );
    await appendAudit(tx, {
      actor: ACTOR,
      event: "executor.run",
      subject: runId,
      detail: { mode, trigger: options.trigger, at: now.toISOString() },
    });
  });

  // 1. Interrupted actions, whatever this run's mode: a crash left them, they are settled first.
  const interrupted = await loadActions(
    warehouse,
    `mode = 'execute' and state in (${INTERRUPTED.map((s) => `'${s}'`).join(", ")})`,
  );
  for (const action of interrupted) await recover(await context(action.provider), kindOf(action), action);

  // 2. Changes whose verification window has passed on their adapter's clock.
  let verified = 0;
  for (const action of await loadActions(warehouse, "mode = 'execute' and state = 'verifying'")) {
    const ctx = await context(action.provider);
    if (ctx.adapter.now().getTime() < new Date(action.verify_after!).getTime()) continue;
    if (await verify(ctx, kindOf(action), action)) verified++;
  }

  // 3. New actions.
  const skipped: Skip[] = [];
  const started: Action[] = [];
  const statuses = await approvalStatus(warehouse, config, now);
  const due = await dueApprovals(warehouse, config, now);
  skipped.push(...notDue(statuses, due));
  const control = await executorControl(warehouse, config);
  const tags = await resourceTags(warehouse);
  const inFlight = await loadActions(
    warehouse,
    `mode = 'execute' and state in (${IN_FLIGHT.map((s) => `'${s}'`).join(", ")})`,
  );
  const perAccount = new Map<string, number>();
  for (const a of inFlight) perAccount.set(accountOf(a), (perAccount.get(accountOf(a)) ?? 0) + 1);
  const money = new Map<string, number>();
  const caps = config.actions.caps;
  let paused = control.paused;

  for (const item of due) {
    const skip = (reason: string) => skipped.push({ recommendation_id: item.recommendationId, reason });
    // The kill switch is read again before every start: a pause stops the rest of the run.
    if (!paused) paused = (await executorControl(warehouse, config)).paused;
    if (paused) {
      skip(`paused (${control.by ?? "cco actions pause"})`);
      continue;
    }
    const row = item.row;
    const kind = kindNamed(item.actionKind);
    if (!kind || !row.resource_id) {
      skip(`manual: ${item.actionKind} has no automated action kind`);
      continue;
    }
    if (!(config.actions.kinds as readonly string[]).includes(kind.name)) {
      skip(`${kind.name} is not enabled (actions.kinds)`);
      continue;
    }
    if (kind.irreversible && !item.acknowledgedIrreversible) {
      skip(`${kind.name} is irreversible and the approval does not acknowledge it`);
      continue;
    }
    if (item.expiresAt && item.expiresAt.getTime() <= now.getTime()) {
      skip(`the approval expired at ${item.expiresAt.toISOString()}`);
      continue;
    }
    const earlier = await loadActions(
      warehouse,
      "recommendation_id = $1 and version = $2 and mode = 'execute' and not (state = 'failed' and step = 0)",
      [item.recommendationId, item.version],
    );
    if (earlier.length) {
      const last = earlier.at(-1)!;
      skip(`already ${last.state} (action ${last.action_id}) for this version`);
      continue;
    }
    const account = accountOf(row);
    const closed = outsideWindows(
      config.actions,
      { accounts: [row.billing_account_id, row.sub_account_id], tags: tags.get(row.resource_id) ?? {} },
      now,
    );
    if (closed) {
      skip(closed);
      continue;
    }
    if (started.length >= caps.max_actions) {
      skip(`cap: max_actions ${caps.max_actions} reached in this run`);
      continue;
    }
    const currency = row.currency ?? "";
    const atStake = (money.get(currency) ?? 0) + cents(row.estimated_monthly_savings);
    if (atStake > caps.max_monthly_savings * 100) {
      skip(`cap: max_monthly_savings ${caps.max_monthly_savings} ${currency} would be passed in this run`);
      continue;
    }
    if ((perAccount.get(account) ?? 0) >= caps.max_concurrent_per_account) {
      skip(
        `cap: max_concurrent_per_account ${caps.max_concurrent_per_account} changes in flight in ${account}`,
      );
      continue;
    }
    money.set(currency, atStake);
    perAccount.set(account, (perAccount.get(account) ?? 0) + 1);
    const ctx = await context(row.provider as Provider);
    const action = await createAction(
      warehouse,
      {
        action_id: newId("act"),
        run_id: runId,
        recommendation_id: item.recommendationId,
        version: item.version,
        kind: kind.name,
        provider: row.provider as Provider,
        billing_account_id: row.billing_account_id,
        sub_account_id: row.sub_account_id,
        resource_id: row.resource_id,
        parameters: {},
        mode,
        idempotency_token: newId("cco"),
        estimated_monthly_savings: row.estimated_monthly_savings,
        currency: row.currency,
      },
      {
        approvers: item.approvers,
        expires_at: item.expiresAt?.toISOString() ?? null,
        adapter: ctx.adapter.name,
      },
    );
    started.push(action);
    if (!(await parametersOf(ctx, kind, action, row))) continue;
    if (mode === "dry_run") await plan(ctx, kind, action, row, now);
    else await execute(ctx, kind, action, row, now);
  }

  const summary: RunSummary = {
    run_id: runId,
    mode,
    trigger: options.trigger,
    paused,
    recovered: interrupted.length,
    verified,
    planned: due.length,
    started: started.length,
    skipped,
    actions: started.map(({ action_id, recommendation_id, kind, resource_id, state, error, mode, plan }) => ({
      action_id,
      recommendation_id,
      kind,
      resource_id,
      state,
      error,
      mode,
      plan,
    })),
    outcome: outcome(started, paused),
  };
  await warehouse.transaction(async (tx) => {
    await tx.run(
      `update ops.action_runs set finished_at = $2::timestamptz, planned = $3, started = $4, skipped = $5::json,
         verified = $6, recovered = $7, outcome = $8 where run_id = $1`,
      [
        runId,
        new Date().toISOString(),
        summary.planned,
        summary.started,
        JSON.stringify(skipped),
        verified,
        summary.recovered,
        summary.outcome,
      ],
    );
    await appendAudit(tx, {
      actor: ACTOR,
      event: "executor.run.finished",
      subject: runId,
      detail: { outcome: summary.outcome, started: summary.started, skipped: skipped.length, verified },
    });
  });
  return summary;
}

function kindOf(action: Action): AnyKind {
  const kind = kindNamed(action.kind);
  if (!kind) throw new Error(`ops.actions ${action.action_id}: unknown kind ${action.kind}`);
  return kind;
}

/** The kind's input from the queue row; a bad row fails the action naming the row and column. */
async function parametersOf(
  ctx: CallContext,
  kind: AnyKind,
  action: Action,
  row: DueApproval["row"],
): Promise<boolean> {
  const parsed = kind.input.safeParse(kind.parameters(row));
  if (parsed.success) {
    await record(ctx.warehouse, ctx.config, action, {
      set: { parameters: parsed.data },
      event: "action.parameters",
    });
    return true;
  }
  const issue = parsed.error.issues[0]!;
  const column = issue.message.match(/\((\w+)\)$/)?.[1] ?? String(issue.path[0] ?? "");
  const error = `ops.approval_queue, recommendation ${row.recommendation_id}, column ${column}: ${issue.message.replace(/ \(\w+\)$/, "")} (${kind.name}: ${String(issue.path.join(".") || "input")})`;
  await record(ctx.warehouse, ctx.config, action, {
    state: "failed",
    set: { error, finished_at: new Date().toISOString() },
    detail: { reason: error, changed: false },
  });
  return false;
}

/** Approved rows dueApprovals leaves out, with the reason (recorded with the run). */
function notDue(statuses: ApprovalStatus[], due: DueApproval[]): Skip[] {
  const taken = new Set(due.map((d) => d.recommendationId));
  return statuses
    .filter((s) => s.state === "approved" && !taken.has(s.recommendationId))
    .map((s) => ({
      recommendation_id: s.recommendationId,
      reason: !s.row.action_kind
        ? `manual: ${s.row.detector} has no automated action kind`
        : s.row.irreversible && !s.acknowledged
          ? `${s.row.action_kind} is irreversible and the approval does not acknowledge it`
          : `not due before ${s.executeAfter?.toISOString() ?? "?"}`,
    }));
}

/** Tags per resource from marts.resources (where it exists), for the run's window check. */
async function resourceTags(warehouse: Warehouse): Promise<Map<string, Record<string, string>>> {
  if (!(await warehouse.tableExists("marts", "resources"))) return new Map();
  const rows = await warehouse.all<{ resource_id: string; tags: string | null }>(
    "select resource_id, tags::varchar as tags from marts.resources where resource_id in (select resource_id from ops.approval_queue)",
  );
  return new Map(
    rows.map((r) => [r.resource_id, r.tags ? (JSON.parse(r.tags) as Record<string, string>) : {}]),
  );
}

function outcome(started: Action[], paused: boolean): RunSummary["outcome"] {
  if (!started.length) return paused ? "paused" : "succeeded";
  const bad = started.filter((a) => ["failed", "needs_attention", "rolled_back"].includes(a.state)).length;
  if (!bad) return "succeeded";
  return bad === started.length ? "failed" : "partial";
}
