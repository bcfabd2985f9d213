/** The anomalies job (placeholder until it lands: says so, does nothing). */
import type { Config } from "../../core/config.ts";
import { NotBuiltError } from "../../core/errors.ts";
import type { Progress } from "../../core/log.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { JobEvaluation, JobResult, MlTruth } from "../jobs.ts";

export async function run(_warehouse: Warehouse, _config: Config, _progress: Progress): Promise<JobResult> {
  throw new NotBuiltError("ml anomalies", "issue 13");
}

export async function evaluate(
  _warehouse: Warehouse,
  _config: Config,
  _truth: MlTruth | undefined,
): Promise<JobEvaluation> {
  throw new NotBuiltError("ml anomalies", "issue 13");
}
