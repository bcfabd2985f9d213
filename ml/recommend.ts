/**
 * `cco recommend`: run the detectors over the marts and write
 * marts.recommendations with stable ids (hash of type + resource + target), so a
 * decision in the approval table keeps pointing at the same recommendation.
 */
import type { Config } from "../core/config.ts";
import type { Progress } from "../core/log.ts";
import { countRows } from "../core/sql.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { Detector } from "./detectors/detector.ts";
import { idleVms } from "./detectors/idle-vms.ts";

export const DETECTORS: Detector[] = [idleVms];

export async function recommend(warehouse: Warehouse, config: Config, progress: Progress): Promise<number> {
  return progress.step("Detecting savings", async () => {
    const union = DETECTORS.map((d) => `(${d.sql(config)})`).join("\nunion all by name\n");
    await warehouse.transaction(async (tx) => {
      await tx.run(`create or replace table marts.recommendations as
        select
          md5(detector || '|' || resource_id || '|' || coalesce(target_configuration, '')) as recommendation_id,
          *,
          -- Ranked by dollars within each currency; risk scoring arrives with the ML stage.
          row_number() over (partition by currency order by estimated_monthly_savings desc, resource_id) as priority,
          'open' as status,
          null::varchar as status_reason,
          now() as generated_at
        from (${union})`);
    });
    return countRows(warehouse, "marts.recommendations");
  });
}
