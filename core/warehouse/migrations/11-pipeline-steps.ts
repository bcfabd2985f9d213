import type { Migration } from "../migrations.ts";

/**
 * The resumable pipeline (orchestrator/pipeline.ts). ops.pipeline_steps: one row per stage of
 * a run, with its inputs' fingerprint (a stage whose fingerprint equals its last success's is
 * skipped), rows, cost totals, attempts and outcome. ops.pipeline_runs gains how the run was
 * started, what it selected and the run it resumed.
 */
export const pipelineStepsMigration: Migration = {
  version: 11,
  name: "pipeline steps, run trigger and selection",
  sql: `
    ALTER TABLE ops.pipeline_runs ADD COLUMN trigger VARCHAR;       -- cli | schedule | api
    ALTER TABLE ops.pipeline_runs ADD COLUMN selection JSON;        -- {from, to, only, stages}
    ALTER TABLE ops.pipeline_runs ADD COLUMN resumed_from BIGINT;   -- the failed run this one resumed
    CREATE TABLE ops.pipeline_steps (
      run_id BIGINT NOT NULL,
      step VARCHAR NOT NULL,              -- generate | ingest | models | ml | recommend | actions | snapshot | report
      started_at TIMESTAMPTZ NOT NULL,
      finished_at TIMESTAMPTZ,
      status VARCHAR NOT NULL,            -- running | succeeded | failed | skipped
      fingerprint VARCHAR,                -- sha256 of the step's inputs; equal to the last success's: skipped
      rows BIGINT,                        -- rows the step wrote (or read, for steps that write none)
      cost_totals JSON,                   -- {"USD": "123.45"} where the step has money
      attempts INTEGER NOT NULL DEFAULT 1,
      detail JSON,
      error VARCHAR,
      PRIMARY KEY (run_id, step)
    );`,
};
