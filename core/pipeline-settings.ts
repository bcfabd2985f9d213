/**
 * The `pipeline:` section of cco.config.yaml: what `cco run` and the service's scheduler
 * ingest, when each stage runs (cron with an explicit time zone), how transient errors are
 * retried and when a lock file is stale.
 */
import { z } from "zod";
import { timezone } from "./actions-settings.ts";

/** The pipeline's stages in run order (generate runs with --demo only). */
export const PIPELINE_STAGES = [
  "generate",
  "ingest",
  "models",
  "ml",
  "recommend",
  "actions",
  "snapshot",
  "report",
] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

const schedule = z.strictObject({
  /** node-cron expression (5 fields, or 6 with seconds). */
  cron: z.string().min(9),
  timezone,
  /** The stages this schedule runs; default: all (from ingest to report). */
  stages: z.array(z.enum(PIPELINE_STAGES)).min(1).optional(),
});

export const pipelineSchema = z
  .strictObject({
    /** Exports `cco run` ingests when given no paths (files, folders, s3://, azblob://, bq:// …). */
    sources: z.array(z.string().min(1)).default([]),
    /** Named schedules run inside `cco serve`; none by default. */
    schedules: z.record(z.string().regex(/^[a-z][a-z0-9_-]*$/), schedule).default({}),
    retry: z
      .strictObject({
        /** Attempts of a stage that failed on a transient error (throttling, network). */
        attempts: z.number().int().min(1).max(10).default(3),
        /** First backoff; doubled each attempt, with jitter. */
        base_delay_ms: z.number().int().min(0).default(2000),
      })
      .prefault({}),
    /** A lock file older than this whose holder is not alive is stale and taken over. */
    lock_stale_minutes: z.number().int().positive().default(240),
  })
  .prefault({});

export type PipelineSettings = z.output<typeof pipelineSchema>;
