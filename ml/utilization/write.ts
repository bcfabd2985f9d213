/**
 * The job's tables, replaced whole in one transaction: ml.utilization_predictions (per VM, the
 * next horizon's P95 and peak with their band, and the naive's), ml.utilization_backtest (the
 * forest-vs-naive error table, per fold and overall) and ml.utilization_feature_importance.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { Dataset } from "./dataset.ts";
import { FEATURE_NAMES } from "./features.ts";
import { type ModelOutput, TARGETS } from "./model.ts";

const round = (v: number | null | undefined, digits = 2) =>
  v === null || v === undefined || !Number.isFinite(v) ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/** An hour index on the fleet's axis as an ISO timestamp. */
export const hourToIso = (dataset: Dataset, index: number) =>
  new Date((dataset.windows.axisStartHour + index) * 3_600_000).toISOString();

export function predictionRows(dataset: Dataset, out: ModelOutput, runId: string) {
  const byVm = new Map<number, Record<string, unknown>>();
  for (const t of TARGETS) {
    for (const p of out.predictions[t.name] ?? []) {
      const vm = dataset.vms[p.vm]!;
      const row = byVm.get(p.vm) ?? {
        run_id: runId,
        resource_id: vm.resourceId,
        provider: vm.provider,
        size: vm.size,
        vcpu: vm.vcpu,
        memory_gib: vm.memoryGib,
        horizon_start: hourToIso(dataset, dataset.hours),
        horizon_end: hourToIso(dataset, dataset.hours + dataset.windows.horizonHours),
        horizon_days: dataset.windows.horizonHours / 24,
      };
      row[`${t.name}_pct`] = round(p.point);
      row[`${t.name}_low_pct`] = round(p.low);
      row[`${t.name}_high_pct`] = round(p.high);
      row[`naive_${t.name}_pct`] = round(p.naive);
      byVm.set(p.vm, row);
    }
  }
  return [...byVm.values()];
}

const PCT_COLUMNS = TARGETS.flatMap((t) => [
  `${t.name}_pct`,
  `${t.name}_low_pct`,
  `${t.name}_high_pct`,
  `naive_${t.name}_pct`,
]);

async function replaceFromJson(
  tx: { run(sql: string): Promise<void> },
  table: string,
  file: string,
  rows: object[],
  columns: Record<string, string>,
): Promise<void> {
  writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
  const spec = Object.entries(columns)
    .map(([name, type]) => `${name}: ${lit(type)}`)
    .join(", ");
  const empty = Object.entries(columns)
    .map(([name, type]) => `null::${type} as ${name}`)
    .join(", ");
  await tx.run(
    rows.length
      ? `create or replace table ${table} as select *, now() as written_at from read_json(${lit(file)}, format = 'newline_delimited', columns = {${spec}})`
      : `create or replace table ${table} as select ${empty}, now() as written_at limit 0`,
  );
}

export async function writeTables(
  warehouse: Warehouse,
  cacheDir: string,
  tables: { predictions: object[]; backtest: object[]; importance: object[] },
): Promise<void> {
  mkdirSync(cacheDir, { recursive: true });
  const file = (name: string) => path.join(cacheDir, `utilization-${name}-${process.pid}.ndjson`);
  try {
    await warehouse.transaction(async (tx) => {
      await replaceFromJson(tx, "ml.utilization_predictions", file("predictions"), tables.predictions, {
        run_id: "varchar",
        resource_id: "varchar",
        provider: "varchar",
        size: "varchar",
        vcpu: "double",
        memory_gib: "double",
        horizon_start: "timestamptz",
        horizon_end: "timestamptz",
        horizon_days: "integer",
        ...Object.fromEntries(PCT_COLUMNS.map((c) => [c, "double"])),
      });
      await replaceFromJson(tx, "ml.utilization_backtest", file("backtest"), tables.backtest, {
        run_id: "varchar",
        target: "varchar",
        fold_cutoff: "timestamptz",
        training_rows: "integer",
        rows: "integer",
        mae_forest: "double",
        mae_naive: "double",
        mae_change_pct: "double",
        band_coverage: "double",
        above_band_share: "double",
        below_band_share: "double",
        raw_band_coverage: "double",
        naive_exceeded_share: "double",
        mean_band_width: "double",
      });
      await replaceFromJson(tx, "ml.utilization_feature_importance", file("importance"), tables.importance, {
        run_id: "varchar",
        target: "varchar",
        feature: "varchar",
        importance: "double",
        rank: "integer",
      });
    });
  } finally {
    for (const name of ["predictions", "backtest", "importance"]) rmSync(file(name), { force: true });
  }
}

export function backtestRows(dataset: Dataset, out: ModelOutput, runId: string) {
  return [
    ...out.scores.map((s) => ({
      run_id: runId,
      target: s.target,
      fold_cutoff: null,
      training_rows: null,
      rows: s.rows,
      mae_forest: round(s.maeForest, 3),
      mae_naive: round(s.maeNaive, 3),
      mae_change_pct: round(s.maeChangePct, 1),
      band_coverage: round(s.bandCoverage, 4),
      above_band_share: round(s.aboveBandShare, 4),
      below_band_share: round(s.belowBandShare, 4),
      raw_band_coverage: round(s.rawBandCoverage, 4),
      naive_exceeded_share: round(s.naiveExceededShare, 4),
      mean_band_width: round(s.meanBandWidth),
    })),
    ...out.folds.map((f) => ({
      run_id: runId,
      target: f.target,
      fold_cutoff: hourToIso(dataset, f.cutoff),
      training_rows: f.trainingRows,
      rows: f.rows,
      mae_forest: round(f.maeForest, 3),
      mae_naive: round(f.maeNaive, 3),
      mae_change_pct: f.maeNaive ? round((100 * (f.maeForest - f.maeNaive)) / f.maeNaive, 1) : null,
    })),
  ];
}

export function importanceRows(out: ModelOutput, runId: string) {
  return TARGETS.flatMap((t) => {
    const imp = out.importance[t.name];
    if (!imp) return [];
    return FEATURE_NAMES.map((feature, i) => ({ feature, importance: imp[i]! }))
      .sort((a, b) => b.importance - a.importance)
      .map((r, rank) => ({
        run_id: runId,
        target: t.name,
        feature: r.feature,
        importance: round(r.importance, 4),
        rank: rank + 1,
      }));
  });
}
