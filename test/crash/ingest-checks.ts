/**
 * What a killed `cco ingest` may leave, and what a finished one holds. A load is whole or absent:
 * every current lake file exists with the rows its ledger row says, the raw view shows exactly
 * those rows, and each load's files, read back, hold the cost per currency ops.loads recorded
 * (the same read-back the loader reconciles with). Lake files no load refers to are allowed
 * after a kill (the next load removes them), never after a finished run.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { probe } from "../../ingest/probe.ts";
import { FORMATS } from "../../ingest/providers.ts";
import { landedTotals } from "../../ingest/validate.ts";

interface Part {
  load_id: string;
  raw_table: string;
  lake_file: string;
  rows: string;
}

export async function ingestProblems(w: Warehouse): Promise<string[]> {
  const problems: string[] = [];
  const parts = await w.all<Part>(
    `select p.load_id::varchar as load_id, p.raw_table, p.lake_file, p.rows::varchar as rows
     from ops.load_parts p where p.superseded_by is null order by p.load_id, p.lake_file`,
  );
  const ledgered = new Set(
    (
      await w.all<{ id: string }>("select load_id::varchar as id from ops.loads where status <> 'failed'")
    ).map((r) => r.id),
  );
  for (const part of parts) {
    if (!ledgered.has(part.load_id))
      problems.push(`${part.lake_file}: a current part of load ${part.load_id}, which has no ledger row`);
    const [read] = await w
      .all<{ n: string }>(`select count(*)::varchar as n from read_parquet(${lit(part.lake_file)})`)
      .catch((error: Error) => [{ n: `unreadable (${error.message.split("\n")[0]})` }]);
    if (read?.n !== part.rows)
      problems.push(`${part.lake_file}: ${read?.n} rows, the ledger says ${part.rows}`);
  }
  // The raw views: exactly the current parts' rows, load by load.
  for (const table of new Set(parts.map((p) => p.raw_table))) {
    const mismatched = await w
      .all<Record<string, string>>(
        `with landed as (select _load_id::varchar as load_id, count(*) as n from ${table} group by 1),
            ledger as (select load_id::varchar as load_id, sum(rows) as n from ops.load_parts
                       where raw_table = ${lit(table)} and superseded_by is null group by 1)
       select coalesce(landed.load_id, ledger.load_id) as load_id, landed.n::varchar as raw, ledger.n::varchar as ledger
       from landed full join ledger using (load_id) where landed.n is distinct from ledger.n`,
      )
      .catch((error: Error): Record<string, string>[] => [
        { load_id: "?", raw: `unreadable (${error.message.split("\n")[0]})` },
      ]);
    for (const m of mismatched)
      problems.push(`${table}: load ${m.load_id} shows ${m.raw ?? 0} rows, the ledger says ${m.ledger ?? 0}`);
  }
  problems.push(...(await totalsProblems(w)));
  return problems;
}

/** Each wholly current load's lake files, read back: its rows and cost per currency as ops.loads recorded. */
async function totalsProblems(w: Warehouse): Promise<string[]> {
  const loads = await w.all<{ load_id: string; source: string; rows: string; totals: string; files: string }>(
    `select l.load_id::varchar as load_id, l.source, l.rows::varchar as rows,
        coalesce(l.cost_totals::varchar, '{}') as totals, to_json(list(p.lake_file order by p.lake_file))::varchar as files
     from ops.loads l join ops.load_parts p using (load_id)
     group by all having count(p.superseded_by) = 0 order by 1`,
  );
  const problems: string[] = [];
  const scratch = mkdtempSync(path.join(os.tmpdir(), "cco-crash-probe-"));
  try {
    for (const load of loads) {
      const format = FORMATS.find((f) => f.id === load.source);
      if (!format) {
        problems.push(`load ${load.load_id}: unknown source ${load.source}`);
        continue;
      }
      const files = JSON.parse(load.files) as string[];
      let back: Awaited<ReturnType<typeof landedTotals>>;
      try {
        const fileProbe = await probe(files[0]!, w, scratch);
        back = await landedTotals(w, files, {
          cost: format.cost(fileProbe),
          currency: format.currency(fileProbe),
        });
      } catch (error) {
        problems.push(
          `load ${load.load_id} (${load.source}): unreadable (${(error as Error).message.split("\n")[0]})`,
        );
        continue;
      }
      const recorded = JSON.parse(load.totals) as Record<string, string>;
      if (String(back.rows) !== load.rows || !sameTotals(back.totals, recorded))
        problems.push(
          `load ${load.load_id} (${load.source}): lake ${back.rows} rows ${JSON.stringify(back.totals)}, ` +
            `ops.loads ${load.rows} rows ${JSON.stringify(recorded)}`,
        );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return problems;
}

/** Decimal strings compared as numbers to the cent's ten-thousandth: "12.50" and "12.5000000000" agree. */
function sameTotals(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => a[k] !== undefined && b[k] !== undefined && Number(a[k]) === Number(b[k]));
}

/** Lake files on disk that no current load refers to. */
export async function orphanLakeFiles(w: Warehouse, lakeDir: string): Promise<string[]> {
  const live = new Set(
    (await w.all<{ f: string }>("select lake_file as f from ops.load_parts where superseded_by is null")).map(
      (r) => r.f,
    ),
  );
  let onDisk: string[] = [];
  try {
    onDisk = (readdirSync(lakeDir, { recursive: true }) as string[])
      .filter((f) => f.endsWith(".parquet") && !f.startsWith(".staging"))
      .map((f) => path.join(lakeDir, f));
  } catch {
    // No lake yet: a kill before the first file landed.
  }
  return onDisk.filter((f) => !live.has(f));
}

/** What a finished ingest holds: rows, files and cost per currency per table, and the ledger's outcomes. */
export async function ingestDigest(w: Warehouse, lakeDir: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  const tables = await w.all<{ t: string }>("select distinct raw_table as t from ops.load_parts order by 1");
  for (const { t } of tables) {
    const [row] = await w.all<{ n: string; files: string }>(
      `select count(*)::varchar as n, count(distinct _source_file)::varchar as files from ${t}`,
    );
    digest[t] = `${row!.n} rows from ${row!.files} files`;
  }
  const totals = await w.all<{ source: string; currency: string; total: string }>(
    `select l.source, j.key as currency, sum(json_extract_string(j.value, '$')::decimal(38, 10))::varchar as total
     from ops.loads l, json_each(l.cost_totals) j
     where l.load_id in (select load_id from ops.load_parts where superseded_by is null)
     group by all order by all`,
  );
  for (const r of totals) digest[`cost ${r.source} ${r.currency}`] = r.total;
  const outcomes = await w.all<{ status: string; n: string }>(
    "select status, count(*)::varchar as n from ops.loads group by 1 order by 1",
  );
  for (const r of outcomes) digest[`loads ${r.status}`] = r.n;
  digest["orphan lake files"] = String((await orphanLakeFiles(w, lakeDir)).length);
  return digest;
}
