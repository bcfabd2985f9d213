/** What a file must satisfy before any of it lands; each failure names file, row and column. */
import { readFileSync } from "node:fs";
import { InputError } from "../core/errors.ts";
import type { TransactionScope, Warehouse } from "../core/warehouse/warehouse.ts";
import { type FileProbe, hasColumns, ident, type SourceFormat } from "./format.ts";
import { firstLine } from "./probe.ts";

export function checkRequired(fileProbe: FileProbe, format: SourceFormat): void {
  const missing = format.requiredColumns.filter((group) => !hasColumns(fileProbe, [group]));
  if (missing.length) {
    const names = missing.map((group) => (Array.isArray(group) ? `one of ${group.join(" / ")}` : group));
    throw new InputError(
      fileProbe.path,
      `missing required column${missing.length > 1 ? "s" : ""} for ${format.id}: ${names.join(", ")}`,
      { row: 1, column: [missing[0]!].flat()[0] },
    );
  }
}

/** DuckDB's reader errors, said in the file's terms (line, fields, what was expected). */
export function readError(
  file: string,
  format: SourceFormat,
  fileProbe: FileProbe,
  error: unknown,
): InputError {
  const message = error instanceof Error ? error.message : String(error);
  const fields = message.match(
    /CSV Error on Line: (\d+)[\s\S]*Expected Number of Columns: (\d+) Found: (\d+)/,
  );
  if (fields) {
    return new InputError(file, `has ${fields[3]} fields where the header has ${fields[2]} columns`, {
      row: Number(fields[1]),
    });
  }
  if (/gzip|inflate|zlib|compressed/i.test(message) && fileProbe.compressed) {
    return new InputError(file, `is not a complete gzip file (truncated or corrupt): ${firstLine(error)}`);
  }
  return new InputError(file, `cannot be read as ${format.id}: ${firstLine(error)}`);
}

const CURRENCIES = new Set(
  readFileSync(new URL("./reference/currency_codes.csv", import.meta.url), "utf8")
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(",")[1]?.trim())
    .filter(Boolean),
);

/**
 * Every numeric column must parse (scientific notation and quoted numbers do),
 * every currency must be an ISO 4217 code, every row must have a billing period;
 * the first bad cell is named by row and column.
 */
export async function validate(
  warehouse: Warehouse,
  stage: string,
  fileProbe: FileProbe,
  format: SourceFormat,
  currency: string | null,
): Promise<void> {
  const file = fileProbe.path;
  const headerRows = fileProbe.kind === "csv" ? 1 : 0;
  // Columns the file already types as numbers (Parquet) need no parsing check.
  const staged = (await warehouse.all<{ column_name: string; column_type: string }>(`DESCRIBE ${stage}`))
    .filter(
      (r) =>
        !/^(DOUBLE|FLOAT|DECIMAL|BIGINT|INTEGER|HUGEINT|SMALLINT|TINYINT|UBIGINT|UINTEGER)/.test(
          r.column_type,
        ),
    )
    .map((r) => r.column_name);
  const firstBad = async (where: string, value: string) =>
    (
      await warehouse.all<{ row: string; value: string }>(
        `SELECT _row::VARCHAR AS row, (${value})::VARCHAR AS value FROM ${stage} WHERE ${where} ORDER BY _row LIMIT 1`,
      )
    )[0];
  for (const candidate of format.numericColumns) {
    const column = staged.find((c) => c.toLowerCase() === candidate.toLowerCase());
    if (!column) continue;
    const bad = await firstBad(
      `${ident(column)} IS NOT NULL AND TRY_CAST(trim(${ident(column)}::VARCHAR) AS DECIMAL(38,10)) IS NULL`,
      ident(column),
    );
    if (bad) {
      throw new InputError(file, `expected a number, found "${bad.value}"`, {
        row: Number(bad.row) + headerRows,
        column,
      });
    }
  }
  if (currency) {
    const codes = [...CURRENCIES].map((c) => `'${c}'`).join(", ");
    const bad = await firstBad(
      `${currency} IS NOT NULL AND ${currency} <> '' AND ${currency} NOT IN (${codes})`,
      currency,
    );
    if (bad) {
      throw new InputError(file, `unknown currency code "${bad.value}" (expected ISO 4217, e.g. USD)`, {
        row: Number(bad.row) + headerRows,
        column: currency.replace(/^coalesce\(|, ''\)$/g, "").replaceAll('"', ""),
      });
    }
  }
  const noPeriod = await firstBad("_billing_period IS NULL", "NULL");
  if (noPeriod) {
    throw new InputError(file, "billing period is missing or unparsable", {
      row: Number(noPeriod.row) + headerRows,
    });
  }
}

export interface MoneyColumns {
  cost: string | null;
  currency: string | null;
}

/** Cost per currency, exact; runs on the warehouse or inside a load's transaction. */
export async function totalsIn(
  tx: Pick<TransactionScope, "all">,
  table: string,
  money: MoneyColumns,
  where: string,
): Promise<Record<string, string>> {
  if (!money.cost || !money.currency) return {};
  const rows = await tx.all<{ currency: string; total: string }>(
    `SELECT coalesce(${money.currency}, '') AS currency,
       coalesce(sum(CAST(trim(${money.cost}::VARCHAR) AS DECIMAL(38,10))), 0)::VARCHAR AS total
     FROM ${table} WHERE ${where} GROUP BY 1 ORDER BY 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.currency, r.total]));
}
