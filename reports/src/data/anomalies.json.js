// Cost anomalies (the anomaly job's ml.cost_anomalies) with their root-cause breakdown and status.
import { emit, jobRan, mart, query } from "./marts.js";

if (!(await jobRan("anomalies"))) {
  emit(null);
} else {
  emit(
    await query(`select anomaly_id, scope_type, scope, provider, billing_account_id, service_name, currency,
        start_date::varchar as start_date, end_date::varchar as end_date, expected_cost::double as expected,
        actual_cost::double as actual, impact::double as impact, impact_pct, root_cause::varchar as root_cause,
        status, status_by, status_reason
      from ${mart("ml/cost_anomalies")} order by start_date desc, abs(impact) desc`),
  );
}
