/**
 * The `recommend:` section of cco.config.yaml: every detector's thresholds and lookback, the
 * protected tags, and the weights of priority. Defaults follow the clouds' own advisors (named
 * beside each). The section keeps the file's spelling once validated: the detectors are dbt
 * models and read it as dbt vars (`recommend`), as the file writes it.
 */
import { z } from "zod";

const positiveInt = z.number().int().positive();
const pct = z.number().min(0).max(100);

export const recommendSchema = z
  .strictObject({
    /** Resources tagged with any of these (key: value; "*" = any value) are never recommended. */
    protected_tags: z
      .record(z.string().min(1), z.string().min(1))
      .default({ "cco:skip": "true", "do-not-touch": "true" }),
    idle_vm: z
      .strictObject({
        lookback_days: positiveInt.max(365).default(14),
        // GCP Recommender: under 0.03 vCPU for 97% of the time ...
        cpu_vcpu_max: z.number().positive().default(0.03),
        time_share_min: z.number().positive().max(1).default(0.97),
        // ... or Azure Advisor: P95 CPU under 3%; and low network either way.
        cpu_p95_max_pct: pct.default(3),
        network_mib_per_day_max: z.number().nonnegative().default(50),
        min_days_observed: positiveInt.default(7),
      })
      .prefault({}),
    rightsizing: z
      .strictObject({
        // AWS Compute Optimizer: CPU at P99.5 with 20% headroom, 14 days.
        lookback_days: positiveInt.max(365).default(14),
        cpu_percentile: z.number().positive().max(100).default(99.5),
        headroom_pct: pct.default(20),
        memory_percentile: z.number().positive().max(100).default(99.5),
        min_days_observed: positiveInt.default(7),
      })
      .prefault({}),
    storage: z
      .strictObject({
        /** Snapshots older than this are flagged. */
        snapshot_max_age_days: positiveInt.default(180),
        /** A VM stopped this long still paying for its disks is flagged. */
        stopped_vm_min_days: positiveInt.default(7),
      })
      .prefault({}),
    schedule: z
      .strictObject({
        lookback_days: positiveInt.max(365).default(14),
        /** Values of the allocation config's environment dimension that mean non-production. */
        non_production: z
          .array(z.string().min(1))
          .default(["dev", "development", "test", "qa", "staging", "sandbox"]),
        /** Hours a week the proposed schedule keeps a VM on (weekdays 07:00-19:00 = 60). */
        on_hours_per_week: z.number().positive().max(168).default(60),
        /** A VM counts as running around the clock at this share of the lookback's hours billed. */
        min_running_share: z.number().positive().max(1).default(0.95),
      })
      .prefault({}),
    commitments: z
      .strictObject({
        lookback_days: positiveInt.max(365).default(30),
        term_years: z.union([z.literal(1), z.literal(3)]).default(1),
        payment_option: z.enum(["no_upfront", "partial_upfront", "all_upfront"]).default("no_upfront"),
        /** Existing commitments used less than this are flagged. */
        min_utilization_pct: pct.default(80),
      })
      .prefault({}),
    spot: z
      .strictObject({
        /** Tags that mark interruption-tolerant workloads (key: value; "*" = any value). */
        tags: z
          .record(z.string().min(1), z.string().min(1))
          .default({ "aws:autoscaling:groupName": "*", workload: "batch", "spot-ok": "true" }),
        /** Discount assumed where neither the billing nor the catalogue has a spot price. */
        fallback_discount_pct: pct.default(60),
      })
      .prefault({}),
    bucket_lifecycle: z
      .strictObject({
        /** Days an AWS bucket must have billed S3 Standard storage, every one of them. */
        lookback_days: positiveInt.max(365).default(30),
        /** Smallest bucket worth a rule (mean GB-month stored in Standard over the lookback). */
        min_gb_month: z.number().nonnegative().default(100),
        /** Cold: fewer GET requests (Requests-Tier2) a month per GB stored than this. */
        max_gets_per_gb_month: z.number().nonnegative().default(10),
        /** Age at which the proposed rule moves objects to Standard-IA (S3's minimum is 30). */
        transition_days: z.number().int().min(30).default(30),
        /** Mean object size assumed for Standard-IA's per-GB retrieval fee (the CUR does not say it). */
        assumed_object_mb: z.number().positive().default(1),
      })
      .prefault({}),
    priority: z
      .strictObject({
        // The product plan's formula: min(savings / per, cap) - risk penalty + effort bonus.
        savings_per_point: z.number().positive().default(1000),
        max_savings_points: z.number().positive().default(10),
        risk_penalty: z
          .strictObject({
            low: z.number().default(0),
            medium: z.number().default(2),
            high: z.number().default(5),
          })
          .prefault({}),
        effort_bonus: z
          .strictObject({
            easy: z.number().default(2),
            medium: z.number().default(1),
            hard: z.number().default(0),
          })
          .prefault({}),
      })
      .prefault({}),
    risk: z
      .strictObject({
        /** Overall score at or above which risk is medium, and high. */
        medium_from: pct.default(35),
        high_from: pct.default(65),
        /** Tag values (any key) that mark business-critical resources. */
        critical_values: z.array(z.string().min(1)).default(["critical", "tier-0", "tier0", "prod-critical"]),
        /** Values of the allocation config's environment dimension that mean production. */
        production: z.array(z.string().min(1)).default(["prod", "production", "prd", "live"]),
      })
      .prefault({}),
  })
  .prefault({});

export type RecommendSettings = z.output<typeof recommendSchema>;
