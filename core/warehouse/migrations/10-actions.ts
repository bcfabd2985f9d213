import type { Migration } from "../migrations.ts";

/**
 * The executor (actions/executor). ops.actions holds each action's current state, written before
 * every side effect; ops.action_events is its append-only history of transitions and provider
 * calls; ops.action_runs one row per executor run; ops.executor_control the kill switch.
 */
export const actionsMigration: Migration = {
  version: 10,
  name: "actions, their events and runs, the kill switch",
  sql: `
    CREATE TABLE ops.action_runs (
      run_id VARCHAR PRIMARY KEY,
      mode VARCHAR NOT NULL,              -- dry_run | execute
      triggered_by VARCHAR NOT NULL,      -- schedule | cli | pipeline
      started_at TIMESTAMPTZ NOT NULL,
      finished_at TIMESTAMPTZ,
      planned INTEGER,
      started INTEGER,
      skipped JSON,                       -- [{recommendation_id, reason}]
      verified INTEGER,                   -- actions judged after their verification window
      recovered INTEGER,                  -- actions found interrupted and reconciled
      outcome VARCHAR                     -- succeeded | partial | failed | paused
    );
    CREATE TABLE ops.actions (
      action_id VARCHAR PRIMARY KEY,
      run_id VARCHAR NOT NULL,
      recommendation_id VARCHAR NOT NULL,
      version VARCHAR NOT NULL,
      kind VARCHAR NOT NULL,
      provider VARCHAR NOT NULL,
      billing_account_id VARCHAR,
      sub_account_id VARCHAR,
      resource_id VARCHAR NOT NULL,
      parameters JSON NOT NULL,
      prior_state JSON,                   -- recorded in preflight; what the undo restores
      plan JSON,                          -- the forward operations, built from the prior state
      outputs JSON,                       -- what the steps returned (a snapshot's id, …)
      undo JSON,                          -- the reverse operations, once known
      undo_step INTEGER NOT NULL DEFAULT 0, -- undo operations done
      state VARCHAR NOT NULL,             -- approved | preflight | executing | verifying | rolling_back | succeeded | failed | rolled_back | needs_attention; planned (dry run)
      mode VARCHAR NOT NULL,
      idempotency_token VARCHAR NOT NULL, -- the action's; step n sends <token>:<n>, undo step n <token>:undo:<n>
      step INTEGER NOT NULL,              -- forward steps done
      estimated_monthly_savings DECIMAL(18, 2),
      currency VARCHAR,
      expected JSON,                      -- the verification's expected range (ML prediction)
      verification JSON,                  -- what was measured and decided
      error VARCHAR,
      created_at TIMESTAMPTZ NOT NULL,
      updated_at TIMESTAMPTZ NOT NULL,
      executed_at TIMESTAMPTZ,            -- the adapter's clock when the last forward step finished
      verify_after TIMESTAMPTZ,           -- executed_at + the verification window (adapter clock)
      finished_at TIMESTAMPTZ
    );
    CREATE TABLE ops.action_events (
      action_id VARCHAR NOT NULL,
      occurred_at TIMESTAMPTZ NOT NULL,
      from_state VARCHAR,
      to_state VARCHAR,
      call VARCHAR,                       -- a provider operation, when the event is one
      request_id VARCHAR,
      detail JSON
    );
    CREATE TABLE ops.executor_control (
      changed_at TIMESTAMPTZ NOT NULL,
      paused BOOLEAN NOT NULL,
      changed_by VARCHAR NOT NULL,
      reason VARCHAR
    );`,
};
