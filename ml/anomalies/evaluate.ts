/**
 * The anomaly job against a planted truth (the generator's truth.json, `anomalies`):
 * - recall: a planted anomaly counts as found when some stored anomaly of its currency overlaps
 *   its days in a scope that holds its root cause (its service, provider, billing account,
 *   account, region or the total) and names, as the top contributor of every dimension the truth
 *   gives (billing account, account, service, region, usage type, and the resource where there
 *   is one), the truth's value. An anomaly that shows in several scopes counts once.
 * - false alarms: a stored anomaly overlapping no planted one in a scope holding its cause is
 *   false; per scope, their number per 90 days examined must stay at most 1.
 * Without a truth neither can be scored: both checks say so and count as met, so that
 * `cco ml evaluate` on a real estate scores the forecast alone.
 */
import type { Config } from "../../core/config.ts";
import { UsageError } from "../../core/errors.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { fixed, shorten, textTable } from "../forecast/table.ts";
import type { JobEvaluation, MlTruth, TargetCheck } from "../jobs.ts";
import type { Contributor } from "./root-cause.ts";
import type { AnomalyRow } from "./store.ts";

export const TARGETS = { recall: 0.9, falseAlarmsPer90Days: 1 };

export interface PlantedAnomaly {
  id: string;
  kind?: string;
  start_date: string;
  end_date: string;
  currency: string;
  expected_cost?: string;
  actual_cost?: string;
  root_cause: {
    provider: string;
    billing_account_id?: string;
    sub_account_id?: string;
    service_name?: string;
    region?: string;
    usage_type?: string;
    resource_id?: string | null;
  };
}

/** An ml.cost_anomalies row as the evaluation reads it: the job's row with its id and parsed causes. */
export type StoredAnomaly = Omit<AnomalyRow, "impact_pct" | "root_cause"> & {
  anomaly_id: string;
  root_cause: Contributor[];
};

/** Ids compare exactly, except Azure's, which compare in lower case (Azure itself ignores case). */
function same(provider: string, a: string | null | undefined, b: string | null | undefined): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return a === b;
  return provider === "azure" ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** The stored anomaly's scope holds the planted root cause. */
export function holds(a: StoredAnomaly, p: PlantedAnomaly): boolean {
  const rc = p.root_cause;
  const pr = rc.provider;
  switch (a.scope_type) {
    case "total":
      return true;
    case "provider":
      return a.provider === pr;
    case "service":
      return a.provider === pr && same(pr, a.service_name, rc.service_name);
    case "billing_account":
      return a.provider === pr && same(pr, a.billing_account_id, rc.billing_account_id);
    case "sub_account":
      return a.provider === pr && same(pr, a.sub_account_id, rc.sub_account_id);
    case "region":
      return a.provider === pr && same(pr, a.region, rc.region);
    default:
      return false;
  }
}

export function overlaps(a: StoredAnomaly, p: PlantedAnomaly): boolean {
  return a.currency === p.currency && a.start_date <= p.end_date && a.end_date >= p.start_date;
}

const SPECIFICITY = ["service", "sub_account", "region", "billing_account", "provider", "total"];

const TRUTH_OF: Record<string, keyof PlantedAnomaly["root_cause"]> = {
  billing_account: "billing_account_id",
  account: "sub_account_id",
  service: "service_name",
  region: "region",
  usage_type: "usage_type",
  resource: "resource_id",
};

/** The dimensions whose top contributor differs from the truth (empty: the right root cause). */
export function wrongCauses(a: StoredAnomaly, p: PlantedAnomaly): string[] {
  const wrong: string[] = [];
  for (const [dimension, field] of Object.entries(TRUTH_OF)) {
    const truth = p.root_cause[field];
    if (truth === null || truth === undefined) continue;
    const top = a.root_cause.find((c) => c.dimension === dimension);
    if (!top || !same(p.root_cause.provider, top.value, truth))
      wrong.push(`${dimension} ${top?.value ?? "-"}`);
  }
  return wrong;
}

export interface Scored {
  planted: {
    anomaly: PlantedAnomaly;
    rows: StoredAnomaly[];
    right: StoredAnomaly | undefined;
    wrong: string[];
  }[];
  falseAlarms: StoredAnomaly[];
  /** Per scope key, false alarms per 90 days examined. */
  rates: Map<string, number>;
}

export function score(
  planted: PlantedAnomaly[],
  stored: StoredAnomaly[],
  daysExamined: Map<string, number>,
): Scored {
  const result = planted.map((anomaly) => {
    // Most specific scope first: the row an event is best reported by.
    const rows = stored
      .filter((a) => overlaps(a, anomaly) && holds(a, anomaly))
      .sort((a, b) => SPECIFICITY.indexOf(a.scope_type) - SPECIFICITY.indexOf(b.scope_type));
    const right = rows.find((a) => wrongCauses(a, anomaly).length === 0);
    const best = rows.map((a) => wrongCauses(a, anomaly)).sort((x, y) => x.length - y.length)[0] ?? [];
    return { anomaly, rows, right, wrong: right ? [] : best };
  });
  const matched = new Set(result.flatMap((r) => r.rows.map((a) => a.anomaly_id)));
  const falseAlarms = stored.filter((a) => !matched.has(a.anomaly_id));
  const rates = new Map<string, number>();
  for (const a of falseAlarms) {
    const key = `${a.scope_type}|${a.scope}|${a.currency}`;
    const days = daysExamined.get(key) ?? 90;
    rates.set(key, (rates.get(key) ?? 0) + 90 / Math.max(days, 1));
  }
  return { planted: result, falseAlarms, rates };
}

export async function evaluateAnomalies(
  warehouse: Warehouse,
  _config: Config,
  truth: MlTruth | undefined,
): Promise<JobEvaluation> {
  if (!(await warehouse.tableExists("ml", "cost_forecasts")))
    throw new UsageError("ml.cost_forecasts does not exist: run cco ml forecast and cco ml anomalies first");
  const planted = truth ? plantedOf(truth) : undefined;
  const stored = (
    await warehouse.all<Omit<StoredAnomaly, "root_cause"> & { root_cause: string }>(`
      select anomaly_id, scope_type, scope, provider, billing_account_id, sub_account_id, service_name, region, currency,
        start_date::varchar as start_date, end_date::varchar as end_date, expected_cost::varchar as expected_cost,
        actual_cost::varchar as actual_cost, impact::varchar as impact, root_cause::varchar as root_cause
      from ml.cost_anomalies order by start_date, scope_type, scope`)
  ).map((r) => ({ ...r, root_cause: JSON.parse(r.root_cause) as Contributor[] }));
  if (!planted) {
    return {
      job: "anomalies",
      checks: [
        {
          name: "anomaly recall with the right top root cause (not scored: no --truth)",
          value: null,
          target: `>= ${TARGETS.recall}`,
          met: true,
        },
        {
          name: "false alarms per scope per 90 days (not scored: no --truth)",
          value: null,
          target: `<= ${TARGETS.falseAlarmsPer90Days}`,
          met: true,
        },
      ],
      table: `${stored.length} anomalies stored; without a truth file nothing to score them against.`,
    };
  }
  const days = new Map(
    (
      await warehouse.all<{ key: string; days: number }>(`
        select scope_type || '|' || scope || '|' || currency as key, count(*)::integer as days
        from ml.cost_forecasts where kind = 'history' group by all`)
    ).map((r) => [r.key, r.days]),
  );
  const s = score(planted, stored, days);
  const right = s.planted.filter((p) => p.right).length;
  const recall = planted.length ? right / planted.length : null;
  const worst = Math.max(0, ...s.rates.values());
  const worstScope = [...s.rates].sort((a, b) => b[1] - a[1])[0]?.[0];
  const checks: TargetCheck[] = [
    {
      name: planted.length
        ? `anomaly recall with the right top root cause (${right} of ${planted.length} planted)`
        : "anomaly recall (not scored: the truth plants none, its window too short for four weeks of history)",
      value: recall === null ? null : Math.round(recall * 1000) / 1000,
      target: `>= ${TARGETS.recall}`,
      // Nothing planted is nothing to miss; the false-alarm check still applies.
      met: recall === null || recall >= TARGETS.recall,
    },
    {
      name: `false alarms per scope per 90 days (${s.falseAlarms.length} in all${worstScope ? `; most in ${worstScope.replaceAll("|", " ")}` : ""})`,
      value: Math.round(worst * 100) / 100,
      target: `<= ${TARGETS.falseAlarmsPer90Days}`,
      met: worst <= TARGETS.falseAlarmsPer90Days,
    },
  ];
  return { job: "anomalies", checks, table: formatTable(s) };
}

function plantedOf(truth: MlTruth): PlantedAnomaly[] {
  const list = truth.anomalies;
  if (!Array.isArray(list)) throw new UsageError("the truth file has no anomalies list");
  for (const a of list as PlantedAnomaly[])
    if (!a?.start_date || !a.end_date || !a.currency || !a.root_cause?.provider)
      throw new UsageError(
        "the truth file's anomalies need start_date, end_date, currency and root_cause.provider (cco generate writes them)",
      );
  return list as PlantedAnomaly[];
}

function formatTable(s: Scored): string {
  const planted = s.planted.map(({ anomaly: p, rows, right, wrong }) => {
    const shown = right ?? rows[0];
    const rc = p.root_cause;
    return [
      p.id,
      p.kind ?? "",
      `${p.start_date}..${p.end_date.slice(5)}`,
      shorten(`${rc.provider} ${rc.service_name ?? ""}${rc.resource_id ? ` ${rc.resource_id}` : ""}`),
      p.currency,
      fixed(Number(p.actual_cost) - Number(p.expected_cost)),
      shown ? fixed(shown.impact) : "-",
      String(rows.length),
      right ? `yes (${right.scope_type})` : rows.length ? `cause: ${wrong.join(", ")}` : "NOT FOUND",
    ];
  });
  const alarms = s.falseAlarms.slice(0, 20).map((a) => {
    const top = a.root_cause.find((c) => c.dimension === "service");
    return [
      a.scope_type,
      shorten(`${a.scope} ${a.currency}`),
      `${a.start_date}..${a.end_date.slice(5)}`,
      fixed(a.impact),
      top ? `${top.value} (${fixed((top.share ?? 0) * 100, 0)}%)` : "-",
    ];
  });
  return [
    "Planted anomalies:",
    textTable(
      [
        "id",
        "kind",
        "days",
        "root cause (planted)",
        "currency",
        "planted impact",
        "found impact",
        "scopes",
        "right cause",
      ],
      planted,
      [0, 1, 2, 3, 8],
    ),
    "",
    s.falseAlarms.length
      ? `False alarms (${s.falseAlarms.length}${s.falseAlarms.length > 20 ? ", first 20" : ""}):\n${textTable(["scope type", "scope", "days", "impact", "top service"], alarms, [0, 1, 2, 4])}`
      : "False alarms: none.",
  ].join("\n");
}
