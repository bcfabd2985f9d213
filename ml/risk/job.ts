/**
 * The risk job: every detector finding (intermediate.int_recommend__candidates) with its VM's
 * utilization (int_recommend__utilization) through the assessor, into ml.recommendation_risk,
 * which the marts.recommendations model joins. The table is replaced whole in one transaction.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "../../core/config.ts";
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { type Assessment, assess, type Candidate, type RiskSettings, type Usage } from "./assess.ts";

interface CandidateRow extends Omit<Candidate, "evidence" | "tags"> {
  evidence: string;
  tags: string | null;
  usage: string | null;
}

export function riskSettings(config: Config): RiskSettings {
  const env = config.allocation.dimensions.find((d) => d.name === "environment");
  return { recommend: config.recommend, environmentTagKeys: env?.tagKeys ?? ["env", "environment"] };
}

export async function readCandidates(
  warehouse: Warehouse,
): Promise<{ candidate: Candidate; usage?: Usage }[]> {
  const rows = await warehouse.all<CandidateRow>(`
    select c.recommendation_id, c.detector, c.action, c.resource_id, c.resource_type,
        c.current_configuration, c.target_configuration,
        c.estimated_monthly_savings::double as estimated_monthly_savings, c.currency,
        c.confidence::double as confidence, c.lookback_days::integer as lookback_days,
        c.evidence::varchar as evidence, c.tags::varchar as tags,
        case when u.resource_id is not null then to_json(u)::varchar end as usage
    from intermediate.int_recommend__candidates c
    left join intermediate.int_recommend__utilization u using (resource_id)`);
  return rows.map(({ evidence, tags, usage, ...rest }) => ({
    candidate: { ...rest, evidence: JSON.parse(evidence), tags: tags ? JSON.parse(tags) : {} },
    usage: usage ? (JSON.parse(usage) as Usage) : undefined,
  }));
}

/** Assess every candidate and replace ml.recommendation_risk; returns the assessments. */
export async function assessRisk(warehouse: Warehouse, config: Config): Promise<Assessment[]> {
  const settings = riskSettings(config);
  const assessments = (await readCandidates(warehouse)).map(({ candidate, usage }) =>
    assess(candidate, usage, settings),
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
