/**
 * End to end: the executor runs an approved bucket_lifecycle row with the real AWS adapter (S3
 * through @aws-sdk/client-s3) against the replay: pre-flight reads the bucket, throttled writes
 * (SlowDown) are retried with backoff until they pass, the check sees our rule beside the bucket's
 * own; a rollback deletes ours and keeps the earlier rule as it was; and a bucket that already has
 * our rule is refused in pre-flight, nothing written.
 */
import { rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { verifyAudit } from "../../../../actions/audit/verify.ts";
import { loadActions } from "../../../../actions/executor/records.ts";
import { rollbackAction } from "../../../../actions/executor/rollback.ts";
import { runExecutor } from "../../../../actions/executor/run.ts";
import { lifecycleRuleId } from "../../../../actions/kinds/bucket-lifecycle.ts";
import { loadConfig } from "../../../../core/config.ts";
import { Warehouse } from "../../../../core/warehouse/warehouse.ts";
import { type AwsReplay, startAwsReplay } from "../../../helpers/replay/aws.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { adapterFor, awsYaml, REQUEST_TIMEOUT_MS } from "./adapter-options.ts";
import { NOW } from "./scenario.ts";

const BUCKET = "acme-prod-payments-archive";
const EARLIER = { id: "expire-logs", prefix: "logs/", expirationDays: 365 };
const OURS = lifecycleRuleId({ storage_class: "STANDARD_IA", transition_days: 30 });

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function world(rules: { id: string; prefix?: string; expirationDays?: number }[]) {
  const replay: AwsReplay = await startAwsReplay({
    holdMs: REQUEST_TIMEOUT_MS * 3,
    buckets: [{ name: BUCKET, tags: { team: "payments" }, rules }],
  });
  const dataDir = tempDir("cco-aws-bucket-");
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, awsYaml(replay.url));
  const config = loadConfig({ configFile, dataDir, env: {} });
  config.actions.retries.base_ms = 1;
  const warehouse = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
  await warehouse.run(
    `insert into ops.approval_queue (recommendation_id, version, provider, billing_account_id, sub_account_id, resource_id,
       region, detector, category, action, action_kind, irreversible, current_configuration, target_configuration,
       estimated_monthly_savings, currency, risk_level, risk_score, priority, required_approvals, queued_at)
     values ('rec-b', 'v1', 'aws', '999999999999', '111122223333', $1, 'us-east-1', 'bucket_lifecycle', 'storage',
       'add_lifecycle_rule', 'bucket_lifecycle', false, 'S3 Standard 8000 GB, 1.16 GETs per GB-month',
       'lifecycle: STANDARD_IA after 30 days', 83.85, 'USD', 'low', 12, 5, 1, '2026-11-01T00:00:00Z')`,
    [BUCKET],
  );
  await warehouse.run(
    `insert into ops.approvals values ('ap-b', 'rec-b', 'v1', 'approve', 'alice', '2026-11-01T12:00:00Z', null,
       '2026-11-08T12:00:00Z', false, null, 'test', null)`,
  );
  const adapter = adapterFor(config, replay.url);
  const delays: number[] = [];
  const options = {
    now: NOW,
    adapters: { aws: adapter },
    sleep: async (ms: number) => {
      delays.push(ms);
    },
  };
  cleanup = async () => {
    adapter.close();
    await warehouse.close();
    await replay.close();
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { replay, warehouse, config, adapter, options, delays };
}

const s3Calls = (replay: AwsReplay) =>
  replay.log.filter((r) => r.resource === BUCKET).map((r) => `${r.action} ${r.outcome}`);

describe("bucket_lifecycle through S3", () => {
  it("retries throttled writes, adds the rule beside the bucket's own; the rollback keeps the earlier rule", async () => {
    const w = await world([EARLIER]);
    w.replay.inject({ fault: "throttle", action: "PutBucketLifecycleConfiguration", times: 2 });
    await runExecutor(w.warehouse, w.config, { trigger: "cli", ...w.options });

    const [action] = await loadActions(w.warehouse, "mode = 'execute'");
    expect(action).toMatchObject({ kind: "bucket_lifecycle", state: "verifying", error: null });
    expect(action!.prior_state).toMatchObject({
      lifecycleRules: ["expire-logs"],
      tags: { team: "payments" },
    });
    expect(w.replay.s3.ruleIds(BUCKET)).toEqual(["expire-logs", OURS]);
    // Each attempt reads the configuration afresh and writes it whole: SlowDown twice, then through.
    expect(s3Calls(w.replay).filter((c) => c.startsWith("Put"))).toEqual([
      "PutBucketLifecycleConfiguration SlowDown",
      "PutBucketLifecycleConfiguration SlowDown",
      "PutBucketLifecycleConfiguration ok",
    ]);
    // The executor backed off between the attempts (its own retries; the SDK's are off).
    expect(w.delays.length).toBeGreaterThanOrEqual(2);
    const retried = await w.warehouse.all<{ detail: string }>(
      "select detail::varchar as detail from ops.action_events where call = 'put_lifecycle_rule' order by occurred_at",
    );
    const attempts = retried.map(
      (r) => JSON.parse(r.detail) as { code?: string; idempotency_token?: string },
    );
    expect(attempts.filter((a) => a.code === "throttled")).toHaveLength(2);
    expect(new Set(attempts.map((a) => a.idempotency_token).filter(Boolean)).size).toBe(1);

    await rollbackAction(w.warehouse, w.config, action!.action_id, "bob", { ...w.options, reason: "test" });
    const [undone] = await loadActions(w.warehouse, "mode = 'execute'");
    expect(undone!.state).toBe("rolled_back");
    expect(w.replay.s3.ruleIds(BUCKET)).toEqual(["expire-logs"]);
    expect(w.replay.s3.buckets.get(BUCKET)!.rules![0]).toEqual({
      id: "expire-logs",
      status: "Enabled",
      prefix: "logs/",
      transitions: [],
      expirationDays: 365,
    });
    expect((await verifyAudit(w.warehouse)).intact).toBe(true);
  });

  it("a bucket that has our rule already is refused in pre-flight: nothing written", async () => {
    const w = await world([EARLIER, { id: OURS }]);
    await runExecutor(w.warehouse, w.config, { trigger: "cli", ...w.options });
    const [action] = await loadActions(w.warehouse, "mode = 'execute'");
    expect(action!.state).toBe("failed");
    expect(action!.error).toContain(`lifecycle rule ${OURS} is present`);
    expect(s3Calls(w.replay).filter((c) => !c.startsWith("GetBucket"))).toEqual([]);
  });
});
