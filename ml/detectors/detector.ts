/** A recommendation detector: one SQL-backed rule over the marts, writing rows of marts.recommendations. */
import type { Config } from "../../core/config.ts";

export interface Detector {
  id: string;
  category: "rightsizing" | "deactivation" | "commitment" | "modernization" | "storage" | "schedule";
  description: string;
  /** SELECT producing the recommendation columns (see recommend.ts RECOMMENDATION_COLUMNS). */
  sql(config: Config): string;
}
