// Data quality: the last load of each source, refused files, freshness per provider, the FOCUS
// conformance of focus_costs and the last model build's tests.
import { dataWindow, emit, has, json, mart, query } from "./marts.js";

const { last_day: lastDay } = await dataWindow();
const loads = has("ops/loads")
  ? await query(`select source, count(*) filter (where status in ('loaded', 'replaced'))::integer as files_loaded,
        count(*) filter (where status = 'failed')::integer as files_failed,
        count(*) filter (where status = 'skipped')::integer as files_skipped,
        max(finished_at)::varchar as last_load, sum(try_cast(rows as bigint)) filter (where status in ('loaded', 'replaced'))::bigint::double as rows,
        arg_max(error, finished_at) filter (where status = 'failed') as last_error
      from ${mart("ops/loads")} group by source order by source`)
  : null;
const freshness = await query(`select provider, currency, max(charge_date)::varchar as last_day,
    (date '${lastDay}' - max(charge_date))::integer as days_behind, count(distinct charge_date)::integer as days
  from ${mart("cost_daily")} group by all order by provider, currency`);
const focus = json("ops/focus_conformance.json");
const runResults = json("ops/run_results.json");
const tests = runResults
  ? (() => {
      const results = runResults.results ?? [];
      const count = (s) => results.filter((r) => r.status === s).length;
      return {
        generated_at: runResults.metadata?.generated_at ?? null,
        models: results.filter((r) => String(r.unique_id).startsWith("model.")).length,
        tests: results.filter((r) => String(r.unique_id).startsWith("test.")).length,
        pass: count("pass"),
        success: count("success"),
        warn: count("warn"),
        fail: count("fail"),
        error: count("error"),
        failing: results
          .filter((r) => ["fail", "error", "warn"].includes(r.status))
          .map((r) => ({
            unique_id: r.unique_id,
            status: r.status,
            failures: r.failures,
            message: r.message,
          })),
      };
    })()
  : null;
emit({ last_day: lastDay, loads, freshness, focus, tests });
