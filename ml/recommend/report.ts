/**
 * What `cco recommend` shows of marts.recommendations: the top of the list by priority (ties by
 * savings) and the open savings per currency, never summed across currencies.
 */
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { EvaluatedRecommendation } from "./evaluate.ts";

export interface TopRecommendation {
  recommendation_id: string;
  priority: string | null;
  detector: string;
  resource_id: string;
  current_configuration: string | null;
  target_configuration: string | null;
  estimated_monthly_savings: string;
  currency: string;
  risk_level: string | null;
  risk_score: number | null;
  effort: string | null;
}

export interface CurrencyTotal {
  currency: string;
  recommendations: number;
  estimated_monthly_savings: string;
  estimated_monthly_savings_at_list: string;
}

export function topRecommendations(warehouse: Warehouse, limit: number): Promise<TopRecommendation[]> {
  return warehouse.all<TopRecommendation>(
    `select recommendation_id, priority::varchar as priority, detector, resource_id, current_configuration,
        target_configuration, estimated_monthly_savings::varchar as estimated_monthly_savings, currency,
        risk_level, risk_score, effort
     from marts.recommendations r where status = 'open'
     -- The table's columns, not the text aliases above: 10.5 sorts above 9.
     order by r.priority desc nulls last, r.estimated_monthly_savings desc, r.recommendation_id
     limit $1`,
    [limit],
  );
}

export function totalsByCurrency(warehouse: Warehouse): Promise<CurrencyTotal[]> {
  return warehouse.all<CurrencyTotal>(
    `select currency, count(*)::integer as recommendations,
        sum(estimated_monthly_savings)::varchar as estimated_monthly_savings,
        sum(estimated_monthly_savings_at_list)::varchar as estimated_monthly_savings_at_list
     from marts.recommendations where status = 'open' group by currency order by currency`,
  );
}

export function recommendationsForEvaluation(warehouse: Warehouse): Promise<EvaluatedRecommendation[]> {
  return warehouse
    .all<EvaluatedRecommendation>(
      `select recommendation_id, detector, resource_id, target_configuration,
          estimated_monthly_savings_at_list::double as estimated_monthly_savings_at_list
       from marts.recommendations`,
    )
    .then((rows) =>
      rows.map((r) => ({
        ...r,
        estimated_monthly_savings_at_list: Number(r.estimated_monthly_savings_at_list),
      })),
    );
}
