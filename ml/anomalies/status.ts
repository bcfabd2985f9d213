/**
 * A user's word on an anomaly: acknowledged (seen, being handled) or expected (a known cause,
 * not a problem), given to every row of its event. Kept in ml.cost_anomalies across runs; the
 * detector never resets it.
 */
import type { Warehouse } from "../../core/warehouse/warehouse.ts";

export type AnomalyStatus = "open" | "acknowledged" | "expected";

/** Sets the status; false when no anomaly has the id. */
export async function setAnomalyStatus(
  warehouse: Warehouse,
  anomalyId: string,
  status: AnomalyStatus,
  reason: string | null,
  user: string,
): Promise<boolean> {
  const found = await warehouse.all("select 1 from ml.cost_anomalies where anomaly_id = $1", [anomalyId]);
  if (!found.length) return false;
  // The rows of one cause in other scopes (its provider, the total) share its event: one word covers them all.
  await warehouse.run(
    `update ml.cost_anomalies set status = $2, status_reason = $3, status_by = $4, status_at = now()
     where anomaly_id = $1
        or event_id = (select event_id from ml.cost_anomalies where anomaly_id = $1 and event_id is not null)`,
    [anomalyId, status, reason, user],
  );
  return true;
}
