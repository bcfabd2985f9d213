/** ml.model_runs: one row per run of an ML job (model, parameters, data window, metrics, duration). */
import { randomUUID } from "node:crypto";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { JobName } from "./jobs.ts";

export interface ModelRun {
  job: JobName;
  model: string;
  parameters: Record<string, unknown>;
  seed?: number;
  dataStart?: string | null;
  dataEnd?: string | null;
  rowsIn?: number;
  rowsOut?: number;
  metrics: Record<string, unknown>;
  durationSeconds: number;
}

export async function recordRun(warehouse: Warehouse, run: ModelRun): Promise<string> {
  const id = randomUUID();
  await warehouse.run(
    `insert into ml.model_runs values ($1, $2, $3, $4::json, $5, $6::date, $7::date, $8, $9, $10::json, $11, now())`,
    [
      id,
      run.job,
      run.model,
      JSON.stringify(run.parameters),
      run.seed ?? null,
      run.dataStart ?? null,
      run.dataEnd ?? null,
      run.rowsIn ?? null,
      run.rowsOut ?? null,
      JSON.stringify(run.metrics),
      run.durationSeconds,
    ],
  );
  return id;
}
