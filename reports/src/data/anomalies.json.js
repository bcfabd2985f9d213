// Cost anomalies (the anomaly job's ml.cost_anomalies), one entry per event: the rows of one
// cause seen in several scopes (a service, its provider, the total) share an event id, and the
// event is shown by its most specific row, with each dimension's top contributor to the deviation.
import { emit, jobRan, mart, query } from "./marts.js";

if (!(await jobRan("anomalies"))) {
  emit(null);
} else {
  const rows =
    await query(`select anomaly_id, coalesce(event_id, anomaly_id) as event_id, scope_type, scope, currency,
      start_date::varchar as start_date, end_date::varchar as end_date, expected_cost::double as expected,
      actual_cost::double as actual, impact::double as impact, root_cause::varchar as root_cause, status,
      count(*) over (partition by coalesce(event_id, anomaly_id))::integer as scopes
    from ${mart("ml/cost_anomalies")}
    qualify row_number() over (partition by coalesce(event_id, anomaly_id) order by (anomaly_id = coalesce(event_id, anomaly_id)) desc, abs(impact)) = 1
    order by start_date desc`);
  emit(
    rows.map(({ root_cause, ...r }) => {
      // Each dimension's largest contributor, largest first.
      const causes = JSON.parse(root_cause ?? "[]");
      const top = new Map();
      for (const c of causes)
        if (!top.has(c.dimension) || c.impact > top.get(c.dimension).impact) top.set(c.dimension, c);
      return { ...r, causes: [...top.values()].sort((a, b) => b.impact - a.impact) };
    }),
  );
}
