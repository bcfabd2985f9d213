/**
 * What a killed `cco recommend` (its first run on an estate) may leave, and what a finished one
 * holds. marts.recommendations has one row per id; ops.recommendation_history is empty or holds
 * the whole first batch (one 'new' row for each recommendation, none missing); the approval
 * queue has one row per id; approvals.csv is absent or lists exactly the queue, each row remembered
 * as exported (ops.approval_exported_rows, what the import compares edits with).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { relationsDigest } from "./model-checks.ts";

const duplicates = (w: Warehouse, table: string, key: string) =>
  w.all<{ id: string; n: string }>(
    `select ${key} as id, count(*)::varchar as n from ${table} group by 1 having count(*) > 1`,
  );

export async function recommendProblems(w: Warehouse, dataDir: string): Promise<string[]> {
  const problems: string[] = [];
  const hasRecommendations = await w.tableExists("marts", "recommendations");
  if (hasRecommendations)
    for (const d of await duplicates(w, "marts.recommendations", "recommendation_id"))
      problems.push(`marts.recommendations: ${d.id} ${d.n} times`);
  for (const d of await duplicates(w, "ops.approval_queue", "recommendation_id"))
    problems.push(`ops.approval_queue: ${d.id} ${d.n} times`);

  // The first run's history is one batch: all of it or none of it.
  const history = await w.all<{ id: string; status: string; n: string }>(
    "select recommendation_id as id, min(status) as status, count(*)::varchar as n from ops.recommendation_history group by 1",
  );
  if (history.length) {
    if (!hasRecommendations) problems.push("history recorded, but no marts.recommendations");
    else {
      const ids = new Set(
        (await w.all<{ id: string }>("select recommendation_id as id from marts.recommendations")).map(
          (r) => r.id,
        ),
      );
      const recorded = new Set(history.map((h) => h.id));
      const missing = [...ids].filter((id) => !recorded.has(id));
      const extra = [...recorded].filter((id) => !ids.has(id));
      if (missing.length || extra.length)
        problems.push(
          `history batch: ${missing.length} recommendations missing, ${extra.length} unknown ids`,
        );
      for (const h of history.filter((x) => x.n !== "1" || x.status !== "new"))
        problems.push(`history: ${h.id} has ${h.n} rows (${h.status}) after one run`);
    }
  }

  const table = path.join(dataDir, "exports", "approvals.csv");
  if (existsSync(table)) {
    const [diff] = await w.all<{ only_file: string; only_queue: string }>(
      `with f as (select recommendation_id from read_csv(${lit(table)}, all_varchar = true)),
            q as (select recommendation_id from ops.approval_queue)
       select (select count(*) from (from f except from q))::varchar as only_file,
              (select count(*) from (from q except from f))::varchar as only_queue`,
    );
    if (diff!.only_file !== "0" || diff!.only_queue !== "0")
      problems.push(
        `approvals.csv: ${diff!.only_file} rows not in the queue, ${diff!.only_queue} queued rows not in it`,
      );
    // The import tells an edited cell from a moved value by the rows as exported: each row of a
    // table on disk must have been remembered.
    const [unremembered] = await w.all<{ n: string }>(
      `select count(*)::varchar as n from read_csv(${lit(table)}, all_varchar = true) f
       where not exists (select 1 from ops.approval_exported_rows e
                         where e.recommendation_id = f.recommendation_id and e.version = f.version)`,
    );
    if (unremembered!.n !== "0")
      problems.push(`approvals.csv: ${unremembered!.n} rows not in ops.approval_exported_rows`);
  }
  return problems;
}

/** What a finished run holds: the detectors' and recommendations' tables, the history, the queue and the files. */
export async function recommendDigest(w: Warehouse, dataDir: string): Promise<Record<string, string>> {
  const digest = await relationsDigest(w, ["intermediate", "marts", "ml"]);
  const count = async (sql: string) =>
    (await w.all<{ n: string }>(`select count(*)::varchar as n from ${sql}`))[0]!.n;
  for (const status of ["new", "open", "resolved", "superseded", "dismissed"])
    digest[`history ${status}`] = await count(`ops.recommendation_history where status = '${status}'`);
  digest["approval queue"] = await count("ops.approval_queue");
  digest["approval rows exported"] = await count("ops.approval_exported_rows");
  const exports = path.join(dataDir, "exports");
  const table = path.join(exports, "approvals.csv");
  digest["approvals.csv rows"] = existsSync(table)
    ? await count(`read_csv(${lit(table)}, all_varchar = true)`)
    : "absent";
  // A dated table beside approvals.csv means the run thought approvals.csv held decisions.
  digest["dated approval tables"] = String(
    (existsSync(exports) ? readdirSync(exports) : []).filter((f) => /^approvals\.\d{8}T/.test(f)).length,
  );
  const marts = path.join(dataDir, "marts");
  digest["mart snapshots"] = (existsSync(marts) ? readdirSync(marts) : [])
    .filter((f) => f.endsWith(".parquet"))
    .sort()
    .join(" ");
  return digest;
}
