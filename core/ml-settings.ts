/**
 * The `ml:` section of cco.config.yaml: the forecasting, anomaly and utilization jobs' settings,
 * kept in the file's spelling once validated (as `recommend:` is). One block per job.
 */
import { z } from "zod";

const positiveInt = z.number().int().positive();
const pct = z.number().min(0).max(100);

export const mlSchema = z
  .strictObject({
    /** Every job is deterministic for a seed. */
    seed: z.number().int().default(42),
    forecast: z
      .strictObject({
        /** Days ahead forecast (the first is also the backtest's horizon). */
        horizons: z.array(positiveInt.max(366)).min(1).default([30, 90]),
        /** Prediction intervals, percent. */
        intervals: z.array(z.number().gt(0).lt(100)).min(1).default([80, 95]),
        /** Besides total, provider, service and billing account: the N largest other scopes by spend. */
        top_scopes: z.number().int().min(0).default(10),
        /** Under this many days of history a series gets a simpler model (and says so). */
        min_history_days: positiveInt.default(28),
        /**
         * Scope types where AutoARIMA (s = 7) competes with the fixed SARIMA orders at every weekly
         * origin; it takes 0.1-0.3 s a fit against a few ms, so only where it is worth the time.
         */
        auto_arima_scopes: z
          .array(z.enum(["total", "provider", "service", "billing_account", "sub_account", "region"]))
          .default(["total"]),
      })
      .prefault({}),
    anomalies: z
      .strictObject({
        /** A day counts only when its impact passes both minimums (as AWS and Vantage do). */
        min_impact: z.number().nonnegative().default(50),
        min_impact_pct: pct.default(20),
        /** The prediction interval a day must leave, percent. */
        interval: z.number().gt(0).lt(100).default(95),
      })
      .prefault({}),
    utilization: z
      .strictObject({
        /** Days ahead predicted (P95 and peak CPU, memory where measured); also the naive's window. */
        horizon_days: positiveInt.default(14),
        /** Days of history before a cutoff that its features are computed from. */
        lookback_days: positiveInt.max(366).default(28),
        /** Days between training cutoffs of one VM (consecutive rows of a VM overlap less). */
        cutoff_step_days: positiveInt.default(7),
        /** Time-series cross-validation folds: the latest cutoffs, each validated by a model trained before it. */
        cv_folds: positiveInt.max(10).default(3),
        trees: positiveInt.max(200).default(20),
        max_depth: positiveInt.max(30).default(8),
        /** Training rows sampled across the fleet (VM × cutoff), the pool every tree draws from. */
        max_training_rows: positiveInt.default(10000),
        /**
         * Rows each tree is trained on, drawn from the pool: ml-random-forest's time grows with a
         * tree's rows squared (here 0.33 s for 1,000 rows × 16 features, 0.065 s for 300 × 18), so
         * trees stay small and many; 500 was no more accurate than 300 on the demo estate.
         */
        rows_per_tree: z.number().int().min(20).default(300),
        /** Worker threads training the forests (0: one per core, at most 2). */
        workers: z.number().int().min(0).max(16).default(0),
      })
      .prefault({}),
  })
  .prefault({});

export type MlSettings = z.output<typeof mlSchema>;
