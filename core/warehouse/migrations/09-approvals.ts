import type { Migration } from "../migrations.ts";

/**
 * The approval table (actions/approvals). ops.approval_queue is rebuilt from the open
 * recommendations on every run; ops.approvals is append-only: a decision is never updated in
 * place, a later one supersedes it. ops.approval_exported_rows keeps each row as it was
 * exported, so an import can tell a cell the user edited from a value that moved since (a
 * risk score refreshed by the next run) without calling the latter an edit.
 */
export const approvalsMigration: Migration = {
  version: 9,
  name: "approval queue and decisions",
  sql: `
    CREATE TABLE ops.approval_queue (
      recommendation_id VARCHAR PRIMARY KEY,
      version VARCHAR NOT NULL,           -- etag: md5 of what the approver decides on
      provider VARCHAR NOT NULL,
      billing_account_id VARCHAR,
      sub_account_id VARCHAR,
      resource_id VARCHAR,
      region VARCHAR,
      detector VARCHAR NOT NULL,
      category VARCHAR NOT NULL,
      action VARCHAR NOT NULL,            -- the recommendation's action text
      action_kind VARCHAR,                -- the executor's kind; null: not automatable (manual)
      irreversible BOOLEAN NOT NULL,      -- the kind has a step no undo restores
      current_configuration VARCHAR,
      target_configuration VARCHAR,
      estimated_monthly_savings DECIMAL(18, 2) NOT NULL,
      list_monthly_savings DECIMAL(18, 2),
      currency VARCHAR NOT NULL,
      risk_level VARCHAR,
      risk_score INTEGER,
      top_risk_factor VARCHAR,
      mitigations VARCHAR,
      priority DECIMAL(6, 2),
      required_approvals INTEGER NOT NULL,
      queued_at TIMESTAMPTZ NOT NULL      -- first queued at this version
    );
    CREATE TABLE ops.approvals (
      approval_id VARCHAR PRIMARY KEY,
      recommendation_id VARCHAR NOT NULL,
      version VARCHAR NOT NULL,
      decision VARCHAR NOT NULL,          -- approve | reject | defer
      approver VARCHAR NOT NULL,
      decided_at TIMESTAMPTZ NOT NULL,
      execute_after TIMESTAMPTZ,
      expires_at TIMESTAMPTZ,
      acknowledge_irreversible BOOLEAN NOT NULL,
      note VARCHAR,
      source VARCHAR NOT NULL,            -- the imported file, or api / cli
      source_sha256 VARCHAR
    );
    CREATE TABLE ops.approval_exported_rows (
      recommendation_id VARCHAR NOT NULL,
      version VARCHAR NOT NULL,
      row_sha256 VARCHAR NOT NULL,        -- of the read-only cells as written
      cells JSON NOT NULL,                -- {column: text} as written to the sheet
      first_exported_at TIMESTAMPTZ NOT NULL,
      PRIMARY KEY (recommendation_id, version, row_sha256)
    );`,
};
