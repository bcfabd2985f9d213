/**
 * The rules model's check functions as DuckDB SQL: a row-level predicate per check, a leaf
 * rule as "its conditions hold and its requirement does not" (the rows that break it), and
 * the group-level CheckDistinctCount as a count of the groups that break it.
 */
import { CURRENCY_CODES } from "../currencies.ts";
import { ident, isNumericType, isTimeType, lit, litList } from "../sql.ts";
import { type Check, conditionOf, type ModelRule } from "./model.ts";

/** A check function this compiler does not translate: the rule is reported as skipped. */
export class NotCheckable extends Error {}

/** The relation checked and its columns (name → DuckDB type, as DESCRIBE spells it). */
export interface Dataset {
  relation: string;
  columns: Map<string, string>;
}

const q = ident;
const literal = (v: unknown) => lit(typeof v === "number" ? v : String(v));
const ISO_UTC = "'^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$'";
const NUMERIC_TEXT = "'^[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?$'";

/**
 * A row-level SQL predicate for a check, or a constant for dataset-level ones. Columns it
 * names that the dataset lacks are added to `missing`. Throws NotCheckable.
 */
export function predicate(check: Check, ds: Dataset, missing: Set<string>): string {
  const column = (key = "ColumnName") => {
    const name = String(check[key]);
    if (!ds.columns.has(name)) missing.add(name);
    return q(name);
  };
  const type = (key = "ColumnName") => ds.columns.get(String(check[key])) ?? "";
  switch (check.CheckFunction) {
    case "OR": {
      // An allowed-values list governs values, not their absence (nullability rules do that).
      const items = check.Items as Check[];
      const column = items[0]?.ColumnName;
      if (
        column &&
        items.every((c) => c.CheckFunction === "CheckValue" && c.ColumnName === column && c.Value !== null)
      ) {
        const ref = String(column);
        if (!ds.columns.has(ref)) missing.add(ref);
        return `(${q(ref)} IS NULL OR ${oneOf(`${q(ref)}::VARCHAR`, items.map((c) => literal(c.Value)).join(", "))})`;
      }
      return items.map((c) => `(${predicate(c, ds, missing)})`).join(" OR ");
    }
    case "AND": {
      return (check.Items as Check[]).map((c) => `(${predicate(c, ds, missing)})`).join(" AND ");
    }
    case "ColumnPresent":
      return ds.columns.has(String(check.ColumnName)) ? "TRUE" : "FALSE";
    // A number compares as a number (0.4 is not 0; text that is no number is not 0 either),
    // anything else as text.
    // A column whose every value is a DECIMAL(38,10) compares as it is: TRY_CAST costs a 128-bit
    // parse a row (most of a 100M-line check).
    case "CheckValue":
      if (check.Value === null) return `${column()} IS NULL`;
      if (typeof check.Value === "number" && fitsDecimal38(type())) return `${column()} = ${check.Value}`;
      return typeof check.Value === "number"
        ? `TRY_CAST(${column()} AS DECIMAL(38, 10)) = ${check.Value}`
        : `${column()}::VARCHAR = ${literal(check.Value)}`;
    case "CheckNotValue":
      if (check.Value === null) return `${column()} IS NOT NULL`;
      if (typeof check.Value === "number" && fitsDecimal38(type()))
        return `${column()} IS DISTINCT FROM ${check.Value}`;
      return typeof check.Value === "number"
        ? `TRY_CAST(${column()} AS DECIMAL(38, 10)) IS DISTINCT FROM ${check.Value}`
        : `${column()}::VARCHAR IS DISTINCT FROM ${literal(check.Value)}`;
    case "CheckSameValue":
      return `${column("ColumnAName")}::VARCHAR IS NOT DISTINCT FROM ${column("ColumnBName")}::VARCHAR`;
    case "CheckNotSameValue":
      return `${column("ColumnAName")}::VARCHAR IS DISTINCT FROM ${column("ColumnBName")}::VARCHAR`;
    case "CheckGreaterOrEqualThanValue":
      return `(${column()} IS NULL OR TRY_CAST(${column()} AS DOUBLE) >= ${Number(check.Value)})`;
    case "CheckDecimalValue":
      return fitsDecimal38(type())
        ? "TRUE"
        : `(${column()} IS NULL OR TRY_CAST(${column()}::VARCHAR AS DECIMAL(38,10)) IS NOT NULL)`;
    case "TypeDecimal":
    case "FormatNumeric":
      return isNumericType(type())
        ? "TRUE"
        : `(${column()} IS NULL OR regexp_matches(trim(${column()}::VARCHAR), ${NUMERIC_TEXT}))`;
    case "TypeString":
      return "TRUE"; // every value has a text form; the column type itself is checked by the typed marts
    case "TypeDateTime":
      return isTimeType(type())
        ? "TRUE"
        : `(${column()} IS NULL OR TRY_CAST(${column()}::VARCHAR AS TIMESTAMPTZ) IS NOT NULL)`;
    case "FormatDateTime":
      return isTimeType(type())
        ? "TRUE"
        : `(${column()} IS NULL OR regexp_matches(${column()}::VARCHAR, ${ISO_UTC}))`;
    case "FormatString":
      return `(${column()} IS NULL OR ${column()}::VARCHAR = trim(${column()}::VARCHAR))`;
    case "FormatUnit":
      return `(${column()} IS NULL OR regexp_matches(${column()}::VARCHAR, '^[A-Za-z0-9][A-Za-z0-9 ./()-]*$'))`;
    case "FormatKeyValue": {
      // json_type raises on text that is not JSON, and AND does not guard it: CASE does.
      const text = `${column()}::VARCHAR`;
      return `(${column()} IS NULL OR (json_valid(${text}) AND CASE WHEN json_valid(${text}) THEN json_type(${text}) END = 'OBJECT'))`;
    }
    case "FormatCurrency":
    case "CheckNationalCurrency":
      return `(${column()} IS NULL OR ${oneOf(`${column()}::VARCHAR`, litList(CURRENCY_CODES))})`;
    case "ColumnByColumnEqualsColumnValue": {
      const [a, b, r] = [column("ColumnAName"), column("ColumnBName"), column("ResultColumnName")];
      const n = (x: string) => `TRY_CAST(${x} AS DOUBLE)`;
      return `(${a} IS NULL OR ${b} IS NULL OR ${r} IS NULL OR abs(${n(a)} * ${n(b)} - ${n(r)}) <= 0.000001 + 0.000001 * abs(${n(r)}))`;
    }
    default:
      throw new NotCheckable(
        `check function ${check.CheckFunction ?? "(none)"} is not machine-checkable here`,
      );
  }
}

/** A leaf rule as SQL: its requirement (`ok`) and its conditions (`cond`) as row predicates. */
export interface RowCheck {
  ok: string;
  cond: string;
}

/**
 * A leaf rule as SQL: its requirement as a row predicate, its conditions (inherited ones
 * first, then its own) ANDed, and the columns they name that the dataset lacks. Throws
 * NotCheckable.
 */
export function compileRule(
  rule: ModelRule,
  ds: Dataset,
  inherited: readonly Check[],
): RowCheck & { missing: Set<string> } {
  const missing = new Set<string>();
  const ok = predicate(rule.ValidationCriteria.Requirement, ds, missing);
  const own = conditionOf(rule);
  const conditions = [...inherited, ...(own ? [own] : [])];
  const cond = conditions.length
    ? conditions.map((c) => `(${predicate(c, ds, missing)})`).join(" AND ")
    : "TRUE";
  return { ok, cond, missing };
}

/** True for the rows a leaf rule's check fails: its conditions hold and its requirement does not. */
export function failingRows(check: RowCheck): string {
  return `coalesce((${check.cond}), FALSE) AND NOT coalesce((${check.ok}), FALSE)`;
}

/** True for the rows that meet none of the alternatives (each: its condition does not hold, or it is met). */
export function failingAlternatives(alternatives: readonly RowCheck[]): string {
  return `NOT (${alternatives
    .map((l) => `(NOT coalesce((${l.cond}), FALSE) OR coalesce((${l.ok}), FALSE))`)
    .join(" OR ")})`;
}

/**
 * CheckDistinctCount (each value of column A has ExpectedCount distinct values of column B)
 * as a scalar query: the number of A values that break it.
 */
export function failingGroups(check: Check, relation: string): string {
  const [a, b] = [q(String(check.ColumnAName)), q(String(check.ColumnBName))];
  return `(SELECT count(*) FROM (SELECT ${a} FROM ${relation} WHERE ${a} IS NOT NULL GROUP BY 1 HAVING count(DISTINCT ${b}) <> ${Number(check.ExpectedCount)}))`;
}

/** Whether every value of a DuckDB column type is a DECIMAL(38,10) as it is: integers, and decimals of scale <= 10 and <= 28 whole digits. */
export function fitsDecimal38(type: string): boolean {
  if (/^U?(TINYINT|SMALLINT|INTEGER|BIGINT)$/i.test(type)) return true;
  const decimal = /^DECIMAL\((\d+),\s*(\d+)\)$/i.exec(type);
  return decimal !== null && Number(decimal[2]) <= 10 && Number(decimal[1]) - Number(decimal[2]) <= 28;
}

/**
 * `text IN (literals)` as DuckDB evaluates it fast: inside count(*) FILTER an IN list becomes a chain
 * of comparisons (the 180 currency codes: 0.8 s a million rows), list_contains a lookup (25 ms).
 */
function oneOf(text: string, literals: string): string {
  return `list_contains([${literals}], ${text})`;
}
