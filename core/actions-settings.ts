/**
 * The `actions:` section of cco.config.yaml: the executor's mode, schedule, caps, maintenance
 * windows, kill switch, verification thresholds, the adapter per provider and the sandbox's
 * injected faults. A new install runs dry: nothing changes until `mode: execute`.
 */
import { z } from "zod";
import { awsAdapterSchema, azureAdapterSchema, gcpAdapterSchema } from "./cloud-adapter-settings.ts";
import { sandboxSchema } from "./sandbox-settings.ts";

/** The executor's kinds (actions/kinds), named here so the config is checked without loading them. */
export const ACTION_KINDS = [
  "stop_vm",
  "resize_vm",
  "schedule_vm",
  "change_disk_type",
  "snapshot_delete_disk",
  "delete_snapshot",
  "release_address",
  "bucket_lifecycle",
] as const;

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "expected HH:MM" });
/** An IANA time zone name, checked against Intl. */
export const timezone = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `${issue.input} is not a time zone (expected an IANA name such as Europe/Paris)` },
);

const window = z.strictObject({
  name: z.string().min(1),
  /** Applies to resources in these accounts (billing or sub account ids), or carrying any of these tags. */
  accounts: z.array(z.string()).optional(),
  tags: z.record(z.string(), z.string()).optional(),
  days: z
    .array(z.enum(DAYS))
    .min(1)
    .default([...DAYS]),
  start: hhmm,
  end: hhmm,
  timezone,
});

export const actionsSchema = z
  .strictObject({
    mode: z.enum(["dry_run", "execute"]).default("dry_run"),
    /** The kill switch in config: no new action starts while true (`cco actions pause` is the other). */
    paused: z.boolean().default(false),
    schedule: z
      .strictObject({
        cron: z.string().min(9).default("0 2 * * *"),
        timezone: timezone.default("UTC"),
      })
      .prefault({}),
    caps: z
      .strictObject({
        max_actions: z.number().int().min(0).default(20),
        /** Sum of the estimated monthly savings of the actions one run starts (per currency). */
        max_monthly_savings: z.number().nonnegative().default(10000),
        max_concurrent_per_account: z.number().int().min(1).default(2),
      })
      .prefault({}),
    /** Resources a window names are changed only inside it; others any time. */
    maintenance_windows: z.array(window).default([]),
    verification: z
      .strictObject({
        /** Hours of fresh metrics after a change before it is judged. */
        window_hours: z.number().int().min(1).default(24),
        /** Undo when P95 CPU after the change passes this percent … */
        cpu_p95_max_pct: z.number().min(1).max(100).default(90),
        /** … or the predicted P95 upper band by this many points. */
        over_prediction_pct: z.number().min(0).default(15),
        /** A kind's own window (e.g. resize_vm: 72 to see a weekly peak sooner than a schedule's). */
        window_hours_by_kind: z.partialRecord(z.enum(ACTION_KINDS), z.number().int().min(1)).default({}),
      })
      .prefault({}),
    /** Retryable provider errors (throttling, timeouts, 5xx): attempts per call, backoff with jitter from base_ms. */
    retries: z
      .strictObject({
        attempts: z.number().int().min(1).max(20).default(5),
        base_ms: z.number().int().min(0).default(500),
        max_ms: z.number().int().min(0).default(30000),
      })
      .prefault({}),
    /** The action kinds the executor may run (and `cco actions policy` grants); others are skipped. */
    kinds: z.array(z.enum(ACTION_KINDS)).default([...ACTION_KINDS]),
    /** The adapter executing each provider's actions: the sandbox cloud, or the provider's own API. */
    adapters: z
      .strictObject({
        aws: z.enum(["sandbox", "aws"]).default("sandbox"),
        azure: z.enum(["sandbox", "azure"]).default("sandbox"),
        gcp: z.enum(["sandbox", "gcp"]).default("sandbox"),
      })
      .prefault({}),
    /** How the real adapters reach each cloud (core/cloud-adapter-settings.ts). */
    aws: awsAdapterSchema,
    azure: azureAdapterSchema,
    gcp: gcpAdapterSchema,
    /** The sandbox cloud the demo and the tests execute in (core/sandbox-settings.ts). */
    sandbox: sandboxSchema,
  })
  .prefault({});

export type ActionsSettings = z.output<typeof actionsSchema>;
