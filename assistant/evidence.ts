/**
 * What `cco explain` rests on: one recommendation's warehouse rows, gathered into one JSON object
 * whose keys carry their units (_pct, _days, dates as YYYY-MM-DD). The same object feeds the
 * template and the model, and is printed beside the model's prose. What to watch after the change
 * is the executor's own check: its window and thresholds from config.actions.verification, its
 * baseline and predicted band from expectedRange (actions/executor/expected.ts).
 */
import { approvalStatus } from "../actions/approvals/status.ts";
import { expectedRange } from "../actions/executor/expected.ts";
import { KIND_FOR_DETECTOR } from "../actions/kinds/catalogue.ts";
import { kindNamed, type QueueRow } from "../actions/kinds/index.ts";
import type { ResourceState } from "../actions/providers/adapter.ts";
import type { Config } from "../core/config.ts";
import { CcoError } from "../core/errors.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";

export interface RiskFactor {
  factor: string;
  score: number;
  evidence: string;
}

export interface Evidence {
  recommendation: {
    recommendation_id: string;
    detector: string;
    category: string;
    action: string;
    provider: string;
    billing_account_id: string | null;
    sub_account_id: string | null;
    resource_id: string | null;
    resource_type: string | null;
    region: string | null;
    current_configuration: string | null;
    target_configuration: string | null;
    estimated_monthly_savings: string;
    estimated_monthly_savings_at_list: string | null;
    currency: string;
    lookback_days: number | null;
    confidence: number | null;
    data_source: string | null;
    explanation: string | null;
    status: string;
    status_reason: string | null;
    generated_at: string;
    /** The detector's own numbers (keys name their units). */
    detector_evidence: Record<string, unknown>;
  };
  risk: {
    source: "ml.recommendation_risk" | "marts.recommendations";
    score: number | null;
    level: string | null;
    effort: string | null;
    priority: string | null;
    factors: RiskFactor[];
    mitigations: string[];
    assessed_at: string | null;
  };
  resource: {
    resource_type: string | null;
    sku: string | null;
    state: string | null;
    monthly_cost: string | null;
    currency: string | null;
    tags: Record<string, string>;
    first_seen: string | null;
    last_seen: string | null;
  } | null;
  utilization: {
    from: string;
    to: string;
    days: number;
    cpu_avg_pct: number | null;
    /** Mean of the daily P95s. */
    cpu_p95_pct: number | null;
    cpu_p95_highest_day_pct: number | null;
    cpu_max_pct: number | null;
    memory_avg_pct: number | null;
    memory_max_pct: number | null;
  } | null;
  prediction: {
    horizon_start: string;
    horizon_end: string;
    size: string | null;
    cpu_p95_pct: { point: number; low: number; high: number } | null;
    cpu_peak_pct: { point: number; low: number; high: number } | null;
    memory_p95_pct: { point: number; low: number; high: number } | null;
  } | null;
  cost: {
    from: string;
    to: string;
    days: number;
    currency: string;
    effective_total: string;
    effective_per_day: string;
    by_month: { month: string; effective_cost: string }[];
  } | null;
  approval: {
    queued: boolean;
    state: string | null;
    approvals: number;
    required: number | null;
    approvers: string[];
    execute_after: string | null;
    expires_at: string | null;
  };
  actions: {
    action_id: string;
    kind: string;
    state: string;
    mode: string;
    executed_at: string | null;
    error: string | null;
    verification: Record<string, unknown> | null;
  }[];
  watch: {
    /** The executor's kind for this recommendation; null: done by hand. */
    action_kind: string | null;
    irreversible: boolean;
    verification: "metrics" | "state" | null;
    window_hours: number | null;
    cpu_p95_max_pct: number | null;
    over_prediction_pct: number | null;
    baseline_cpu_p95_pct: number | null;
    baseline_days: number | null;
    predicted_cpu_p95_pct: { point: number; low: number; high: number } | null;
    /** The P95 CPU above which the executor undoes the change: min(cpu_p95_max_pct, band top + over_prediction_pct). */
    rollback_above_cpu_p95_pct: number | null;
  };
}

const num = (v: unknown): number | null => (v === null || v === undefined || v === "" ? null : Number(v));
const round2 = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
const parseJson = <T>(v: unknown, fallback: T): T => {
  if (v === null || v === undefined) return fallback;
  if (typeof v !== "string") return v as T;
  try {
    return JSON.parse(v) as T;
  } catch {
    return fallback;
  }
};

/** The evidence for one recommendation; a CcoError (exit 1) naming the id when there is none. */
export async function gatherEvidence(warehouse: Warehouse, config: Config, id: string): Promise<Evidence> {
  if (!(await warehouse.tableExists("marts", "recommendations"))) {
    throw new CcoError("no recommendations in the warehouse yet: run cco run (or cco run --demo) first");
  }
  const rows = await warehouse.all<Record<string, unknown>>(
    `select * exclude (evidence, risk_factors, mitigations, generated_at),
       evidence::varchar as evidence, risk_factors::varchar as risk_factors, mitigations::varchar as mitigations,
       strftime(generated_at, '%Y-%m-%d %H:%M:%S') as generated_at
     from marts.recommendations where recommendation_id = $1 or (length($1) >= 8 and starts_with(recommendation_id, $1))
     order by recommendation_id limit 2`,
    [id],
  );
  if (rows.length === 0) {
    throw new CcoError(
      `no recommendation ${id} in marts.recommendations (cco approvals status lists the open ones)`,
    );
  }
  if (rows.length > 1 && rows[0]!.recommendation_id !== id) {
    throw new CcoError(`${id} is the start of several recommendation ids: give more of it`);
  }
  const r = rows[0]!;
  const recommendation: Evidence["recommendation"] = {
    recommendation_id: String(r.recommendation_id),
    detector: String(r.detector),
    category: String(r.category),
    action: String(r.action),
    provider: String(r.provider),
    billing_account_id: (r.billing_account_id as string | null) ?? null,
    sub_account_id: (r.sub_account_id as string | null) ?? null,
    resource_id: (r.resource_id as string | null) ?? null,
    resource_type: (r.resource_type as string | null) ?? null,
    region: (r.region as string | null) ?? null,
    current_configuration: (r.current_configuration as string | null) ?? null,
    target_configuration: (r.target_configuration as string | null) ?? null,
    estimated_monthly_savings: String(r.estimated_monthly_savings),
    estimated_monthly_savings_at_list: (r.estimated_monthly_savings_at_list as string | null) ?? null,
    currency: String(r.currency),
    lookback_days: num(r.lookback_days),
    confidence: num(r.confidence),
    data_source: (r.data_source as string | null) ?? null,
    explanation: (r.explanation as string | null) ?? null,
    status: String(r.status),
    status_reason: (r.status_reason as string | null) ?? null,
    generated_at: String(r.generated_at),
    detector_evidence: parseJson<Record<string, unknown>>(r.evidence, {}),
  };
  const resourceId = recommendation.resource_id;
  return {
    recommendation,
    risk: await risk(warehouse, r),
    resource: resourceId ? await resource(warehouse, resourceId) : null,
    utilization: resourceId
      ? await utilization(warehouse, resourceId, recommendation.lookback_days ?? 14)
      : null,
    prediction: resourceId ? await prediction(warehouse, resourceId) : null,
    cost: resourceId ? await cost(warehouse, resourceId) : null,
    ...(await approvalAndWatch(warehouse, config, recommendation)),
  };
}

async function risk(w: Warehouse, r: Record<string, unknown>): Promise<Evidence["risk"]> {
  const fromRecommendation: Evidence["risk"] = {
    source: "marts.recommendations",
    score: num(r.risk_score),
    level: (r.risk_level as string | null) ?? null,
    effort: (r.effort as string | null) ?? null,
    priority: (r.priority as string | null) ?? null,
    factors: parseJson<RiskFactor[]>(r.risk_factors, []),
    mitigations: parseJson<string[]>(r.mitigations, []),
    assessed_at: null,
  };
  if (!(await w.tableExists("ml", "recommendation_risk"))) return fromRecommendation;
  const [m] = await w.all<Record<string, unknown>>(
    `select risk_score, risk_level, effort, priority, risk_factors::varchar as risk_factors,
       mitigations::varchar as mitigations, strftime(assessed_at, '%Y-%m-%d %H:%M:%S') as assessed_at
     from ml.recommendation_risk where recommendation_id = $1 order by assessed_at desc limit 1`,
    [String(r.recommendation_id)],
  );
  if (!m) return fromRecommendation;
  return {
    source: "ml.recommendation_risk",
    score: num(m.risk_score),
    level: (m.risk_level as string | null) ?? null,
    effort: (m.effort as string | null) ?? null,
    priority: (m.priority as string | null) ?? null,
    factors: parseJson<RiskFactor[]>(m.risk_factors, []),
    mitigations: parseJson<string[]>(m.mitigations, []),
    assessed_at: (m.assessed_at as string | null) ?? null,
  };
}

async function resource(w: Warehouse, id: string): Promise<Evidence["resource"]> {
  if (!(await w.tableExists("marts", "resources"))) return null;
  const [row] = await w.all<Record<string, unknown>>(
    `select resource_type, sku, state, monthly_cost, currency, tags::varchar as tags,
       first_seen::varchar as first_seen, last_seen::varchar as last_seen
     from marts.resources where resource_id = $1 limit 1`,
    [id],
  );
  if (!row) return null;
  return {
    resource_type: (row.resource_type as string | null) ?? null,
    sku: (row.sku as string | null) ?? null,
    state: (row.state as string | null) ?? null,
    monthly_cost: (row.monthly_cost as string | null) ?? null,
    currency: (row.currency as string | null) ?? null,
    tags: parseJson<Record<string, string>>(row.tags, {}),
    first_seen: (row.first_seen as string | null) ?? null,
    last_seen: (row.last_seen as string | null) ?? null,
  };
}

/** The resource's last `days` days of marts.utilization_daily (the detector's lookback). */
async function utilization(w: Warehouse, id: string, days: number): Promise<Evidence["utilization"]> {
  if (!(await w.tableExists("marts", "utilization_daily"))) return null;
  const [row] = await w.all<Record<string, unknown>>(
    `with last as (
       select * from marts.utilization_daily where resource_id = $1 order by usage_date desc limit $2)
     select min(usage_date)::varchar as "from", max(usage_date)::varchar as "to", count(*)::integer as days,
       avg(cpu_avg_pct)::double as cpu_avg_pct, avg(cpu_p95_pct)::double as cpu_p95_pct,
       max(cpu_p95_pct)::double as cpu_p95_highest_day_pct, max(cpu_max_pct)::double as cpu_max_pct,
       avg(memory_avg_pct)::double as memory_avg_pct, max(memory_max_pct)::double as memory_max_pct
     from last`,
    [id, days],
  );
  if (!row?.days) return null;
  return {
    from: String(row.from),
    to: String(row.to),
    days: Number(row.days),
    cpu_avg_pct: round2(num(row.cpu_avg_pct)),
    cpu_p95_pct: round2(num(row.cpu_p95_pct)),
    cpu_p95_highest_day_pct: round2(num(row.cpu_p95_highest_day_pct)),
    cpu_max_pct: round2(num(row.cpu_max_pct)),
    memory_avg_pct: round2(num(row.memory_avg_pct)),
    memory_max_pct: round2(num(row.memory_max_pct)),
  };
}

/** The ML predictor's latest band for the resource (ml.utilization_predictions). */
async function prediction(w: Warehouse, id: string): Promise<Evidence["prediction"]> {
  if (!(await w.tableExists("ml", "utilization_predictions"))) return null;
  const [p] = await w.all<Record<string, unknown>>(
    `select horizon_start::date::varchar as horizon_start, horizon_end::date::varchar as horizon_end, size,
       cpu_p95_pct, cpu_p95_low_pct, cpu_p95_high_pct, cpu_peak_pct, cpu_peak_low_pct, cpu_peak_high_pct,
       memory_p95_pct, memory_p95_low_pct, memory_p95_high_pct
     from ml.utilization_predictions where resource_id = $1 order by horizon_start desc limit 1`,
    [id],
  );
  if (!p) return null;
  const band = (name: string) => {
    const point = num(p[`${name}_pct`]);
    const low = num(p[`${name}_low_pct`]);
    const high = num(p[`${name}_high_pct`]);
    return point === null || low === null || high === null
      ? null
      : { point: round2(point)!, low: round2(low)!, high: round2(high)! };
  };
  return {
    horizon_start: String(p.horizon_start),
    horizon_end: String(p.horizon_end),
    size: (p.size as string | null) ?? null,
    cpu_p95_pct: band("cpu_p95"),
    cpu_peak_pct: band("cpu_peak"),
    memory_p95_pct: band("memory_p95"),
  };
}

/** The resource's effective cost over its last 30 billed days (marts.cost_daily), in its main currency. */
async function cost(w: Warehouse, id: string): Promise<Evidence["cost"]> {
  if (!(await w.tableExists("marts", "cost_daily"))) return null;
  const days = await w.all<{ day: string; currency: string; cost: string }>(
    `with c as (
       select charge_date, currency, sum(effective_cost) as cost from marts.cost_daily
       where resource_id = $1 group by all),
     main as (select currency from c group by currency order by count(*) desc, currency limit 1)
     select charge_date::varchar as day, currency, cost::decimal(18, 2)::varchar as cost
     from c semi join main using (currency)
     where charge_date > (select max(charge_date) from c) - interval 30 day
     order by charge_date`,
    [id],
  );
  if (!days.length) return null;
  const cents = (v: string) => Math.round(Number(v) * 100);
  const total = days.reduce((sum, d) => sum + cents(d.cost), 0);
  const months = new Map<string, number>();
  for (const d of days) months.set(d.day.slice(0, 7), (months.get(d.day.slice(0, 7)) ?? 0) + cents(d.cost));
  return {
    from: days[0]!.day,
    to: days.at(-1)!.day,
    days: days.length,
    currency: days[0]!.currency,
    effective_total: (total / 100).toFixed(2),
    effective_per_day: (total / 100 / days.length).toFixed(2),
    by_month: [...months].map(([month, c]) => ({ month, effective_cost: (c / 100).toFixed(2) })),
  };
}

/** Where the row stands in approvals and actions, and the check the executor runs after the change. */
async function approvalAndWatch(
  w: Warehouse,
  config: Config,
  r: Evidence["recommendation"],
): Promise<Pick<Evidence, "approval" | "actions" | "watch">> {
  const status = (await w.tableExists("ops", "approval_queue"))
    ? (await approvalStatus(w, config)).find((s) => s.recommendationId === r.recommendation_id)
    : undefined;
  const approval: Evidence["approval"] = status
    ? {
        queued: true,
        state: status.state,
        approvals: status.approvals,
        required: status.required,
        approvers: status.approvers,
        execute_after: status.executeAfter?.toISOString() ?? null,
        expires_at: status.expiresAt?.toISOString() ?? null,
      }
    : {
        queued: false,
        state: null,
        approvals: 0,
        required: null,
        approvers: [],
        execute_after: null,
        expires_at: null,
      };
  const actions = (
    await w.all<Record<string, unknown>>(
      `select action_id, kind, state, mode, strftime(executed_at, '%Y-%m-%d %H:%M:%S') as executed_at, error,
         verification::varchar as verification
       from ops.actions where recommendation_id = $1 order by created_at, action_id`,
      [r.recommendation_id],
    )
  ).map((a) => ({
    action_id: String(a.action_id),
    kind: String(a.kind),
    state: String(a.state),
    mode: String(a.mode),
    executed_at: (a.executed_at as string | null) ?? null,
    error: (a.error as string | null) ?? null,
    verification: parseJson<Record<string, unknown> | null>(a.verification, null),
  }));
  // The queue's kind when queued (it is null for a provider no adapter changes), else the detector's.
  const kindName = status ? status.row.action_kind : (KIND_FOR_DETECTOR[r.detector]?.kind ?? null);
  const kind = kindName ? kindNamed(kindName) : undefined;
  const watch: Evidence["watch"] = {
    action_kind: kind?.name ?? null,
    irreversible: kind?.irreversible ?? false,
    verification: kind?.verification ?? null,
    window_hours: null,
    cpu_p95_max_pct: null,
    over_prediction_pct: null,
    baseline_cpu_p95_pct: null,
    baseline_days: null,
    predicted_cpu_p95_pct: null,
    rollback_above_cpu_p95_pct: null,
  };
  if (!kind || !r.resource_id) return { approval, actions, watch };
  const v = config.actions.verification;
  watch.window_hours =
    v.window_hours_by_kind[kind.name as keyof typeof v.window_hours_by_kind] ?? v.window_hours;
  if (kind.verification !== "metrics") return { approval, actions, watch };
  const row = (status?.row ?? r) as QueueRow;
  const expected = await expectedRange(
    w,
    kind,
    {
      resource_id: r.resource_id,
      provider: r.provider as ResourceState["provider"],
      parameters: kind.parameters(row),
    },
    { size: r.current_configuration?.split(/[\s,]/)[0] } as ResourceState,
  );
  watch.cpu_p95_max_pct = v.cpu_p95_max_pct;
  watch.over_prediction_pct = v.over_prediction_pct;
  watch.baseline_cpu_p95_pct = expected?.baseline_cpu_p95_pct ?? null;
  watch.baseline_days = expected?.baseline_days ?? null;
  watch.predicted_cpu_p95_pct = expected?.predicted_cpu_p95_pct ?? null;
  const band = watch.predicted_cpu_p95_pct;
  watch.rollback_above_cpu_p95_pct = band
    ? round2(Math.min(v.cpu_p95_max_pct, band.high + v.over_prediction_pct))
    : v.cpu_p95_max_pct;
  return { approval, actions, watch };
}
