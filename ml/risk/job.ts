/**
 * The risk job: every detector finding (intermediate.int_recommend__candidates) with its VM's
 * utilization (int_recommend__utilization) and, where the utilization job has predicted it, its
 * predicted utilization on the target size, through the assessor, into ml.recommendation_risk,
 * which the marts.recommendations model joins. The table is replaced whole in one transaction.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../../core/config.ts";
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type Capacity, onTarget, type UtilizationPrediction } from "../utilization/on-target.ts";
import {
  type Assessment,
  assess,
  type Candidate,
  type PredictedOnTarget,
  type RiskSettings,
  type Usage,
} from "./assess.ts";

interface CandidateRow extends Omit<Candidate, "evidence" | "tags"> {
  evidence: string;
  tags: string | null;
  usage: string | null;
  prediction: string | null;
  current_vcpu: number | null;
  current_memory_gib: number | null;
  target_vcpu: number | null;
  target_memory_gib: number | null;
}

/** The prediction moved to the target size, where there is one and the catalogue knows both sizes' vCPUs. */
export function predictedOnTarget(
  prediction: UtilizationPrediction | undefined,
  targetSize: string | null,
  current: Partial<Capacity>,
  target: Partial<Capacity>,
): PredictedOnTarget | undefined {
  if (!prediction || !targetSize || !current.vcpu || !target.vcpu) return undefined;
  return {
    size: targetSize,
    ...onTarget(
      prediction,
      { vcpu: current.vcpu, memory_gib: current.memory_gib ?? null },
      { vcpu: target.vcpu, memory_gib: target.memory_gib ?? null },
    ),
  };
}

/**
 * Predictions of the VM at its current size made from the latest metrics: a prediction older than
 * the data (metrics loaded since the ML stage ran) or of a VM since resized is not used.
 */
async function predictionJoin(warehouse: Warehouse): Promise<string> {
  if (!(await warehouse.tableExists("ml", "utilization_predictions"))) return "";
  return `left join (
      select * from ml.utilization_predictions
      where epoch(horizon_start) > (select coalesce(max(epoch(hour_start)), 0) from staging.stg_metrics__hourly)
    ) p on p.resource_id = c.resource_id and p.size = c.current_configuration`;
}

export function riskSettings(config: Config): RiskSettings {
  const env = config.allocation.dimensions.find((d) => d.name === "environment");
  return { recommend: config.recommend, environmentTagKeys: env?.tagKeys ?? ["env", "environment"] };
}

export async function readCandidates(
  warehouse: Warehouse,
): Promise<{ candidate: Candidate; usage?: Usage; predicted?: PredictedOnTarget }[]> {
  const join = await predictionJoin(warehouse);
  const rows = await warehouse.all<CandidateRow>(`
    select c.recommendation_id, c.detector, c.action, c.resource_id, c.resource_type,
        c.current_configuration, c.target_configuration,
        c.estimated_monthly_savings::double as estimated_monthly_savings, c.currency,
        c.confidence::double as confidence, c.lookback_days::integer as lookback_days,
        c.evidence::varchar as evidence, c.tags::varchar as tags,
        case when u.resource_id is not null then to_json(u)::varchar end as usage,
        ${join ? "case when p.resource_id is not null then to_json(p)::varchar end" : "null"} as prediction,
        cur.vcpu::double as current_vcpu, cur.memory_gib::double as current_memory_gib,
        tgt.vcpu::double as target_vcpu, tgt.memory_gib::double as target_memory_gib
    from intermediate.int_recommend__candidates c
    left join intermediate.int_recommend__utilization u on u.resource_id = c.resource_id
    left join marts.catalog_vm_sizes cur on cur.provider = c.provider and cur.size = c.current_configuration
    left join marts.catalog_vm_sizes tgt on tgt.provider = c.provider and tgt.size = c.target_configuration
    ${join}`);
  return rows.map(
    ({
      evidence,
      tags,
      usage,
      prediction,
      current_vcpu,
      current_memory_gib,
      target_vcpu,
      target_memory_gib,
      ...rest
    }) => ({
      candidate: { ...rest, evidence: JSON.parse(evidence), tags: tags ? JSON.parse(tags) : {} },
      usage: usage ? (JSON.parse(usage) as Usage) : undefined,
      predicted: predictedOnTarget(
        prediction ? (JSON.parse(prediction) as UtilizationPrediction) : undefined,
        rest.target_configuration,
        { vcpu: current_vcpu ?? undefined, memory_gib: current_memory_gib },
        { vcpu: target_vcpu ?? undefined, memory_gib: target_memory_gib },
      ),
    }),
  );
}

/** Assess every candidate and replace ml.recommendation_risk; returns the assessments. */
export async function assessRisk(warehouse: Warehouse, config: Config): Promise<Assessment[]> {
  const settings = riskSettings(config);
  const assessments = (await readCandidates(warehouse)).map(({ candidate, usage, predicted }) =>
    assess(candidate, usage, settings, predicted),
  );
  // DuckDB reads a newline-delimited JSON file in one statement, far faster than row inserts.
  mkdirSync(config.paths.cache, { recursive: true });
  const file = path.join(config.paths.cache, `recommendation-risk-${process.pid}.ndjson`);
  writeFileSync(file, assessments.map((a) => JSON.stringify(a)).join("\n"));
  try {
    await warehouse.transaction(async (tx) => {
      await tx.run("delete from ml.recommendation_risk");
      if (!assessments.length) return;
      await tx.run(`insert into ml.recommendation_risk
        select recommendation_id, risk_score, risk_level, risk_factors, mitigations, effort, priority, now()
        from read_json(${lit(file)}, format = 'newline_delimited', columns = {
          recommendation_id: 'varchar', risk_score: 'integer', risk_level: 'varchar', risk_factors: 'json',
          mitigations: 'json', effort: 'varchar', priority: 'decimal(18, 2)'})`);
    });
  } finally {
    rmSync(file, { force: true });
  }
  return assessments;
}
