import type { Generated } from "kysely";
import { auditMigration } from "./migrations/08-audit.ts";
import { approvalsMigration } from "./migrations/09-approvals.ts";
import { actionsMigration } from "./migrations/10-actions.ts";
import { pipelineStepsMigration } from "./migrations/11-pipeline-steps.ts";
import { serviceMigration } from "./migrations/12-service.ts";

/**
 * Versioned migrations for the `ops` schema. Append only: a released migration is
 * never edited, a change is a new entry. Applied versions are recorded in
 * ops.schema_migrations, so opening the warehouse again applies nothing twice.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: "loads ledger",
    sql: `
      CREATE SEQUENCE IF NOT EXISTS ops.loads_seq;
      CREATE TABLE ops.loads (
        load_id BIGINT PRIMARY KEY DEFAULT nextval('ops.loads_seq'),
        source VARCHAR NOT NULL,            -- format id, e.g. aws_cur2
        raw_table VARCHAR NOT NULL,
        billing_account VARCHAR,            -- billing account (metrics: provider)
        billing_period VARCHAR,             -- YYYY-MM
        file_path VARCHAR NOT NULL,
        file_bytes BIGINT NOT NULL,
        file_sha256 VARCHAR NOT NULL,
        rows BIGINT,
        cost_totals JSON,                   -- {"USD": "123.45", ...} as landed
        status VARCHAR NOT NULL,            -- loaded | skipped | replaced | failed
        error VARCHAR,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ
      );`,
  },
  {
    version: 2,
    name: "pipeline runs",
    sql: `
      CREATE SEQUENCE IF NOT EXISTS ops.pipeline_runs_seq;
      CREATE TABLE ops.pipeline_runs (
        run_id BIGINT PRIMARY KEY DEFAULT nextval('ops.pipeline_runs_seq'),
        command VARCHAR NOT NULL,
        started_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        status VARCHAR NOT NULL,            -- running | succeeded | failed
        steps JSON,                         -- [{name, seconds, status}]
        error VARCHAR
      );`,
  },
  {
    version: 3,
    name: "load parts (lake files behind the raw views)",
    sql: `
      CREATE TABLE ops.load_parts (
        load_id BIGINT NOT NULL,
        raw_table VARCHAR NOT NULL,
        billing_account VARCHAR NOT NULL,
        billing_period VARCHAR NOT NULL,
        lake_file VARCHAR NOT NULL,         -- immutable zstd Parquet in the lake
        rows BIGINT NOT NULL,
        superseded_by BIGINT,               -- the load that restated this period, if any
        PRIMARY KEY (load_id, billing_account, billing_period)
      );`,
  },
  {
    version: 4,
    name: "billing periods marked final",
    // True when the export says the period's invoice is final (e.g. CUR bill/InvoiceId
    // filled on every row); null when the format cannot tell.
    sql: "ALTER TABLE ops.load_parts ADD COLUMN is_final BOOLEAN;",
  },
  {
    version: 5,
    name: "how a load relates to its billing period",
    // delivery: 'restatement' (the file, or its manifest's set of files, restates whole periods)
    // or 'slice' (it adds to its periods; a re-delivered file of the same key restates only itself).
    // file_key: the file's identity across deliveries (its last path segments).
    sql: `ALTER TABLE ops.loads ADD COLUMN delivery VARCHAR;
      ALTER TABLE ops.loads ADD COLUMN file_key VARCHAR;`,
  },
  {
    version: 6,
    name: "recommendation risk and history",
    // ml.recommendation_risk: the recommend job's assessment of each open recommendation (the
    // marts.recommendations model joins it). ops.recommendation_history: every state change of
    // a recommendation, append only: new, open, resolved, superseded, dismissed.
    sql: `
      CREATE TABLE ml.recommendation_risk (
        recommendation_id VARCHAR PRIMARY KEY,
        risk_score INTEGER NOT NULL,
        risk_level VARCHAR NOT NULL,        -- low | medium | high
        risk_factors JSON NOT NULL,         -- [{factor, score, evidence}]
        mitigations JSON NOT NULL,          -- [text]
        effort VARCHAR NOT NULL,            -- easy | medium | hard
        priority DECIMAL(18, 2) NOT NULL,
        assessed_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE ops.recommendation_history (
        recommendation_id VARCHAR NOT NULL,
        changed_at TIMESTAMPTZ NOT NULL,
        status VARCHAR NOT NULL,            -- new | open | resolved | superseded | dismissed
        reason VARCHAR,
        detector VARCHAR,
        resource_id VARCHAR,
        target_configuration VARCHAR,
        estimated_monthly_savings DECIMAL(18, 2),
        currency VARCHAR,
        changed_by VARCHAR NOT NULL         -- cco recommend, or the user who dismissed it
      );`,
  },
  {
    version: 7,
    name: "ML model runs and cost anomalies",
    // ml.model_runs: every run of an ML job (model, parameters, data window, metrics,
    // duration). ml.cost_anomalies keeps its rows across runs: a user's status (acknowledged,
    // expected) must survive the next detection.
    sql: `
      CREATE TABLE ml.model_runs (
        run_id VARCHAR PRIMARY KEY,
        job VARCHAR NOT NULL,               -- forecast | anomalies | utilization
        model VARCHAR NOT NULL,
        parameters JSON NOT NULL,
        seed INTEGER,
        data_start DATE,
        data_end DATE,
        rows_in BIGINT,
        rows_out BIGINT,
        metrics JSON NOT NULL,
        duration_seconds DOUBLE NOT NULL,
        started_at TIMESTAMPTZ NOT NULL
      );
      CREATE TABLE ml.cost_anomalies (
        anomaly_id VARCHAR PRIMARY KEY,     -- md5(scope, currency, start date)
        scope_type VARCHAR NOT NULL,        -- total | provider | service | billing_account | sub_account | region
        scope VARCHAR NOT NULL,
        provider VARCHAR,
        billing_account_id VARCHAR,
        sub_account_id VARCHAR,
        service_name VARCHAR,
        region VARCHAR,
        currency VARCHAR NOT NULL,
        start_date DATE NOT NULL,
        end_date DATE NOT NULL,
        expected_cost DECIMAL(18, 2) NOT NULL,
        actual_cost DECIMAL(18, 2) NOT NULL,
        impact DECIMAL(18, 2) NOT NULL,
        impact_pct DOUBLE,
        root_cause JSON NOT NULL,           -- [{dimension, value, actual, expected, impact, share}], top 3 per dimension
        event_id VARCHAR,                   -- shared by the rows of one cause seen in several scopes: its most specific row's id
        status VARCHAR NOT NULL,            -- open | acknowledged | expected
        status_by VARCHAR,
        status_reason VARCHAR,
        status_at TIMESTAMPTZ,
        first_detected_at TIMESTAMPTZ NOT NULL,
        last_detected_at TIMESTAMPTZ NOT NULL
      );`,
  },
  // From here one file per migration (migrations/), each owned by the part that uses it.
  auditMigration,
  approvalsMigration,
  actionsMigration,
  pipelineStepsMigration,
  serviceMigration,
];

/** Typed view of the ops tables for Kysely (values as DuckDB's JSON conversion returns them). */
export interface OpsDatabase {
  "ops.schema_migrations": { version: number; name: string; applied_at: string };
  "ops.loads": {
    load_id: Generated<string>;
    source: string;
    raw_table: string;
    billing_account: string | null;
    billing_period: string | null;
    file_path: string;
    file_bytes: number | string;
    file_sha256: string;
    rows: number | string | null;
    cost_totals: string | null;
    status: "loaded" | "skipped" | "replaced" | "failed";
    error: string | null;
    started_at: string;
    finished_at: string | null;
    delivery: "restatement" | "slice" | null;
    file_key: string | null;
  };
  "ops.load_parts": {
    load_id: string;
    raw_table: string;
    billing_account: string;
    billing_period: string;
    lake_file: string;
    rows: number | string;
    superseded_by: string | null;
    is_final: boolean | null;
  };
  "ml.recommendation_risk": {
    recommendation_id: string;
    risk_score: number;
    risk_level: "low" | "medium" | "high";
    risk_factors: string;
    mitigations: string;
    effort: "easy" | "medium" | "hard";
    priority: number | string;
    assessed_at: string;
  };
  "ops.recommendation_history": {
    recommendation_id: string;
    changed_at: string;
    status: "new" | "open" | "resolved" | "superseded" | "dismissed";
    reason: string | null;
    detector: string | null;
    resource_id: string | null;
    target_configuration: string | null;
    estimated_monthly_savings: number | string | null;
    currency: string | null;
    changed_by: string;
  };
  "ops.pipeline_runs": {
    run_id: Generated<string>;
    command: string;
    started_at: string;
    finished_at: string | null;
    status: "running" | "succeeded" | "failed";
    steps: string | null;
    error: string | null;
    trigger: "cli" | "schedule" | "api" | null;
    selection: string | null;
    resumed_from: string | null;
  };
  "ops.pipeline_steps": {
    run_id: string;
    step: string;
    started_at: string;
    finished_at: string | null;
    status: "running" | "succeeded" | "failed" | "skipped";
    fingerprint: string | null;
    rows: number | string | null;
    cost_totals: string | null;
    attempts: Generated<number>;
    detail: string | null;
    error: string | null;
  };
  "ops.users": {
    username: string;
    password_hash: string;
    role: "viewer" | "approver" | "operator" | "admin";
    created_at: string;
    updated_at: string;
    disabled: Generated<boolean>;
  };
  "ops.api_tokens": {
    token_id: string;
    username: string;
    name: string;
    token_sha256: string;
    role: "viewer" | "approver" | "operator" | "admin";
    created_at: string;
    expires_at: string | null;
    last_used_at: string | null;
    revoked_at: string | null;
  };
}
