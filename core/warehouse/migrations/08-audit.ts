import type { Migration } from "../migrations.ts";

/**
 * The audit log and the notification outbox (actions/audit, actions/notify). The audit log is
 * append-only and hash-chained: each entry's hash covers the previous entry's hash and its own
 * content, so `cco audit verify` finds any edit, deletion or gap. DuckDB has no triggers to
 * forbid UPDATE or DELETE, so a cut tail is caught by the head anchor beside the warehouse
 * (actions/audit/head.ts), not by the table.
 */
export const auditMigration: Migration = {
  version: 8,
  name: "audit log and notification outbox",
  sql: `
    CREATE TABLE ops.audit_log (
      seq BIGINT PRIMARY KEY,             -- 1, 2, 3, … with no gap
      logged_at TIMESTAMPTZ NOT NULL,
      actor VARCHAR NOT NULL,             -- a user, or cco:<component>
      event VARCHAR NOT NULL,             -- e.g. approval.decided, action.state, provider.call
      subject VARCHAR,                    -- the recommendation, action or run it concerns
      detail JSON NOT NULL,               -- secrets never: redacted before hashing
      prev_hash VARCHAR NOT NULL,         -- the previous entry's hash ('' for seq 1)
      hash VARCHAR NOT NULL               -- sha256(prev_hash | seq | logged_at (ISO, ms) | actor | event | subject | detail)
    );
    CREATE TABLE ops.notifications (
      notification_id VARCHAR PRIMARY KEY,
      event VARCHAR NOT NULL,             -- approval_needed | escalation | executed | verification_failed | rolled_back
      subject VARCHAR,
      channel VARCHAR NOT NULL,           -- the channel's name in config
      payload JSON NOT NULL,
      status VARCHAR NOT NULL,            -- pending | sent | failed
      attempts INTEGER NOT NULL,          -- sends tried so far
      next_attempt_at TIMESTAMPTZ,        -- when a pending row is due (backoff with jitter after a failure)
      last_error VARCHAR,                 -- the last failure, target named by its origin only
      created_at TIMESTAMPTZ NOT NULL,
      sent_at TIMESTAMPTZ
    );`,
};
