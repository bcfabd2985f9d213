/**
 * FOCUS conformance, driven by the official machine-readable rules model
 * (model-1.2.json): each rule's check function compiles to DuckDB SQL over the
 * dataset. A rule passes, fails (with the count of offending rows), or is skipped
 * with the reason (not applicable, column absent, not machine-checkable).
 */
import { readFileSync } from "node:fs";
import { CURRENCY_CODES } from "../currencies.ts";
import { ident, isNumericType, isTimeType, lit, litList } from "../sql.ts";
import type { Warehouse } from "../warehouse/warehouse.ts";

type Check = Record<string, unknown> & { CheckFunction?: string };

interface ModelRule {
  Function: string;
  Reference: string;
  EntityType: string;
  ApplicabilityCriteria: string[];
  Type: string;
  ValidationCriteria: {
    MustSatisfy: string;
    Keyword: string;
    Requirement: Check;
    Condition: Check;
    Dependencies: string[];
  };
}

interface Model {
  ModelRules: Record<string, ModelRule>;
  ApplicabilityCriteria: Record<string, { Description: string }>;
}

export interface RuleResult {
  id: string;
  keyword: string;
  reference: string;
  status: "pass" | "fail" | "skipped";
  /** Rows (or groups) that break the rule, for row-level checks. */
  failing?: number;
  reason?: string;
  requirement: string;
  /** Where the model's encoding of the rule was corrected to match its text. */
  erratum?: string;
}

export interface ConformanceReport {
  relation: string;
  version: string;
  rules: RuleResult[];
  passed: number;
  failed: number;
  skipped: number;
  /** Share of applicable rules that pass, 0-100. */
  score: number;
  /** Applicable MUST / MUST NOT rules that fail. */
  mustFailures: number;
}

export interface ConformanceOptions {
  /** FOCUS version of the data: rules about columns introduced later are skipped. */
  version?: "1.0" | "1.1" | "1.2";
  /** Applicability criteria the provider meets (e.g. COMMITMENT_DISCOUNT_SUPPORTED). */
  criteria?: string[];
}

/** Columns FOCUS added after 1.0 (1.1) and after 1.1 (1.2). */
const ADDED_IN: Record<string, "1.1" | "1.2"> = {
  CapacityReservationId: "1.1",
  CapacityReservationStatus: "1.1",
  CommitmentDiscountQuantity: "1.1",
  CommitmentDiscountUnit: "1.1",
  ServiceSubcategory: "1.1",
  SkuMeter: "1.1",
  SkuPriceDetails: "1.1",
  BillingAccountType: "1.2",
  SubAccountType: "1.2",
  InvoiceId: "1.2",
  PricingCurrency: "1.2",
  PricingCurrencyContractedUnitPrice: "1.2",
  PricingCurrencyEffectiveCost: "1.2",
  PricingCurrencyListUnitPrice: "1.2",
};

/**
 * Rules whose machine-readable form contradicts their own text in model 1.2; the
 * text (the specification) wins. Each correction is reported with the rule.
 */
const ERRATA: Record<string, { requirement?: Check; condition?: Check; note: string }> = {
  "CommitmentDiscountStatus-C-004-C": {
    condition: {
      CheckFunction: "AND",
      Items: [
        { CheckFunction: "CheckNotValue", ColumnName: "CommitmentDiscountId", Value: null },
        { CheckFunction: "CheckValue", ColumnName: "ChargeCategory", Value: "Usage" },
      ],
    },
    note: "model's condition is 'CommitmentDiscountId is null'; the text says not null and ChargeCategory Usage",
  },
  "CommitmentDiscountStatus-C-003-C": {
    requirement: { CheckFunction: "CheckValue", ColumnName: "CommitmentDiscountStatus", Value: null },
    note: "model encodes CheckNotValue for 'MUST be null'",
  },
  "CommitmentDiscountStatus-C-005-M": {
    requirement: {
      CheckFunction: "OR",
      Items: [
        { CheckFunction: "CheckValue", ColumnName: "CommitmentDiscountStatus", Value: "Used" },
        { CheckFunction: "CheckValue", ColumnName: "CommitmentDiscountStatus", Value: "Unused" },
      ],
    },
    note: "model lists Active/Expired/Pending; the specification's allowed values are Used and Unused",
  },
};

/** Some conditions in model 1.2 are written {"AND": [...]} instead of {CheckFunction: "AND", Items: [...]}. */
function normalize(check: Check): Check {
  if (!check || check.CheckFunction) return check;
  for (const op of ["AND", "OR"]) {
    if (Array.isArray(check[op])) return { CheckFunction: op, Items: (check[op] as Check[]).map(normalize) };
  }
  return check;
}

export function loadModel(): Model {
  const model = JSON.parse(readFileSync(new URL("./model-1.2.json", import.meta.url), "utf8")) as Model;
  for (const rule of Object.values(model.ModelRules)) {
    rule.ValidationCriteria.Condition = normalize(rule.ValidationCriteria.Condition);
    rule.ValidationCriteria.Requirement = normalize(rule.ValidationCriteria.Requirement);
  }
  for (const [id, fix] of Object.entries(ERRATA)) {
    const rule = model.ModelRules[id];
    if (rule && fix.requirement) rule.ValidationCriteria.Requirement = fix.requirement;
    if (rule && fix.condition) rule.ValidationCriteria.Condition = fix.condition;
  }
  return model;
}

class NotCheckable extends Error {}

interface Dataset {
  relation: string;
  columns: Map<string, string>; // name -> DuckDB type
}

const q = ident;
const literal = (v: unknown) => lit(typeof v === "number" ? v : String(v));
const ISO_UTC = "'^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z$'";
const NUMERIC_TEXT = "'^[-+]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][-+]?\\d+)?$'";

/** A row-level SQL predicate for a check, or a constant for dataset-level ones. */
function predicate(check: Check, ds: Dataset, missing: Set<string>): string {
  const column = (key = "ColumnName") => {
    const name = String(check[key]);
    if (!ds.columns.has(name)) {
      missing.add(name);
      return q(name);
    }
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
        return `(${q(ref)} IS NULL OR ${q(ref)}::VARCHAR IN (${items.map((c) => literal(c.Value)).join(", ")}))`;
      }
      return items.map((c) => `(${predicate(c, ds, missing)})`).join(" OR ");
    }
    case "AND": {
      return (check.Items as Check[]).map((c) => `(${predicate(c, ds, missing)})`).join(" AND ");
    }
    case "ColumnPresent":
      return ds.columns.has(String(check.ColumnName)) ? "TRUE" : "FALSE";
    case "CheckValue":
      return check.Value === null ? `${column()} IS NULL` : `${column()}::VARCHAR = ${literal(check.Value)}`;
    case "CheckNotValue":
      return check.Value === null
        ? `${column()} IS NOT NULL`
        : `${column()}::VARCHAR IS DISTINCT FROM ${literal(check.Value)}`;
    case "CheckSameValue":
      return `${column("ColumnAName")}::VARCHAR IS NOT DISTINCT FROM ${column("ColumnBName")}::VARCHAR`;
    case "CheckNotSameValue":
      return `${column("ColumnAName")}::VARCHAR IS DISTINCT FROM ${column("ColumnBName")}::VARCHAR`;
    case "CheckGreaterOrEqualThanValue":
      return `(${column()} IS NULL OR TRY_CAST(${column()} AS DOUBLE) >= ${Number(check.Value)})`;
    case "CheckDecimalValue":
      return `(${column()} IS NULL OR TRY_CAST(${column()}::VARCHAR AS DECIMAL(38,10)) IS NOT NULL)`;
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
    case "FormatKeyValue":
      return `(${column()} IS NULL OR (json_valid(${column()}::VARCHAR) AND json_type(${column()}::VARCHAR) = 'OBJECT'))`;
    case "FormatCurrency":
    case "CheckNationalCurrency":
      return `(${column()} IS NULL OR ${column()}::VARCHAR IN (${litList(CURRENCY_CODES)}))`;
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

export async function checkConformance(
  warehouse: Warehouse,
  relation: string,
  options: ConformanceOptions = {},
): Promise<ConformanceReport> {
  const model = loadModel();
  const version = options.version ?? "1.2";
  const criteria = new Set(options.criteria ?? []);
  const described = await warehouse.all<{ column_name: string; column_type: string }>(
    `DESCRIBE SELECT * FROM ${relation}`,
  );
  const ds: Dataset = { relation, columns: new Map(described.map((c) => [c.column_name, c.column_type])) };
  const results = new Map<string, RuleResult>();

  // A composite's condition ("when X is not null, X adheres to…") applies to the rules it names.
  const evaluate = async (id: string, trail: Set<string>, inherited: Check[]): Promise<RuleResult> => {
    const cached = results.get(id);
    if (cached) return cached;
    const rule = model.ModelRules[id]!;
    const vc = rule.ValidationCriteria;
    const base = {
      id,
      keyword: vc.Keyword,
      reference: rule.Reference,
      requirement: vc.MustSatisfy,
      ...(ERRATA[id] ? { erratum: ERRATA[id]!.note } : {}),
    };
    const done = (r: RuleResult) => {
      results.set(id, r);
      return r;
    };
    const notHere = inapplicable(rule, version, criteria);
    if (notHere) return done({ ...base, status: "skipped", reason: notHere });
    const req = vc.Requirement;
    if (!req.CheckFunction)
      return done({ ...base, status: "skipped", reason: "not machine-checkable (no check function)" });
    // Composite rules: the results of the rules they name.
    const refs = collectModelRules(req);
    if (refs.length) {
      if (trail.has(id)) return done({ ...base, status: "skipped", reason: "circular composite" });
      const next = new Set(trail).add(id);
      const context = vc.Condition?.CheckFunction ? [...inherited, vc.Condition] : inherited;
      // Alternatives between row-level rules ("null when X, not null when Y") hold row by row:
      // a row passes when it meets any of them.
      if (req.CheckFunction === "OR") {
        const leaves = refs.map((r) => rowLevel(model.ModelRules[r]!, ds, context, version, criteria));
        if (leaves.every((l) => l !== undefined)) {
          if (leaves.some((l) => l === "skip"))
            return done({
              ...base,
              status: "skipped",
              reason: "an alternative does not apply to this dataset",
            });
          const rows = leaves as { ok: string; cond: string }[];
          const [row] = await warehouse.all<{ n: string }>(
            `SELECT count(*)::VARCHAR AS n FROM ${relation} WHERE NOT (${rows
              .map((l) => `(NOT coalesce((${l.cond}), FALSE) OR coalesce((${l.ok}), FALSE))`)
              .join(" OR ")})`,
          );
          const failing = Number(row!.n);
          for (const r of refs)
            results.set(r, {
              id: r,
              keyword: model.ModelRules[r]!.ValidationCriteria.Keyword,
              reference: model.ModelRules[r]!.Reference,
              requirement: model.ModelRules[r]!.ValidationCriteria.MustSatisfy,
              status: "skipped",
              reason: `an alternative in ${id}, checked row by row there`,
            });
          return done({ ...base, status: failing ? "fail" : "pass", ...(failing ? { failing } : {}) });
        }
      }
      const parts: RuleResult[] = [];
      for (const r of refs) parts.push(await evaluate(r, next, context));
      // Recommendations (SHOULD, RECOMMENDED) are reported but do not fail the requirement they sit in.
      const decided = parts.filter((p) => p.status !== "skipped" && /^MUST/.test(p.keyword));
      if (!decided.length)
        return done({ ...base, status: "skipped", reason: "every rule it combines is skipped" });
      const ok =
        req.CheckFunction === "OR"
          ? decided.some((p) => p.status === "pass")
          : decided.every((p) => p.status === "pass");
      // Branches of a satisfied OR are alternatives, not failures.
      if (ok && req.CheckFunction === "OR") {
        for (const p of parts.filter((x) => x.status === "fail")) {
          const { failing: _failing, ...rest } = p;
          results.set(p.id, {
            ...rest,
            status: "skipped",
            reason: `an alternative in ${id}, which another branch satisfies`,
          });
        }
      }
      return done({
        ...base,
        status: ok ? "pass" : "fail",
        ...(ok
          ? {}
          : {
              reason: `fails: ${decided
                .filter((p) => p.status === "fail")
                .map((p) => p.id)
                .join(", ")}`,
            }),
      });
    }
    // A rule about a column the dataset does not have is decided by the presence rules.
    if (rule.EntityType === "Column" && !ds.columns.has(rule.Reference)) {
      return done({ ...base, status: "skipped", reason: `column ${rule.Reference} is not present` });
    }
    try {
      if (req.CheckFunction === "CheckDistinctCount") {
        const [a, b] = [String(req.ColumnAName), String(req.ColumnBName)];
        if (!ds.columns.has(a) || !ds.columns.has(b))
          return done({
            ...base,
            status: "skipped",
            reason: `column ${ds.columns.has(a) ? b : a} is not present`,
          });
        const [row] = await warehouse.all<{ n: string }>(
          `SELECT count(*)::VARCHAR AS n FROM (SELECT ${q(a)} FROM ${relation} WHERE ${q(a)} IS NOT NULL GROUP BY 1 HAVING count(DISTINCT ${q(b)}) <> ${Number(req.ExpectedCount)})`,
        );
        const failing = Number(row!.n);
        return done({ ...base, status: failing ? "fail" : "pass", ...(failing ? { failing } : {}) });
      }
      const { ok, cond, missing } = compileRule(rule, ds, inherited);
      if (missing.size)
        return done({
          ...base,
          status: "skipped",
          reason: `column ${[...missing].join(", ")} is not present`,
        });
      // Dataset-level checks (presence) compile to a constant: no rows to count.
      if ((ok === "TRUE" || ok === "FALSE") && cond === "TRUE")
        return done({ ...base, status: ok === "TRUE" ? "pass" : "fail" });
      const [row] = await warehouse.all<{ n: string }>(
        `SELECT count(*)::VARCHAR AS n FROM ${relation} WHERE coalesce((${cond}), FALSE) AND NOT coalesce((${ok}), FALSE)`,
      );
      const failing = Number(row!.n);
      return done({ ...base, status: failing ? "fail" : "pass", ...(failing ? { failing } : {}) });
    } catch (error) {
      if (error instanceof NotCheckable) return done({ ...base, status: "skipped", reason: error.message });
      throw error;
    }
  };

  // From the dataset's root rule down, so conditions reach the rules they govern; then the rest.
  for (const id of ["CostAndUsage-D-000-M", ...Object.keys(model.ModelRules)])
    await evaluate(id, new Set(), []);
  const rules = [...results.values()].sort((a, b) => a.id.localeCompare(b.id));
  const passed = rules.filter((r) => r.status === "pass").length;
  const failed = rules.filter((r) => r.status === "fail").length;
  return {
    relation,
    version,
    rules,
    passed,
    failed,
    skipped: rules.length - passed - failed,
    score: passed + failed ? Math.round((1000 * passed) / (passed + failed)) / 10 : 0,
    mustFailures: rules.filter((r) => r.status === "fail" && /^MUST/.test(r.keyword)).length,
  };
}

/** Why a rule does not apply to this data (version, criteria, a MAY), or undefined when it does. */
function inapplicable(rule: ModelRule, version: string, criteria: Set<string>): string | undefined {
  const added = ADDED_IN[rule.Reference];
  if (added && added > version) return `${rule.Reference} was added in FOCUS ${added}`;
  const unmet = rule.ApplicabilityCriteria.filter((c) => !criteria.has(c));
  if (unmet.length) return `applies when ${unmet.join(", ")}`;
  if (rule.ValidationCriteria.Keyword === "MAY") return "a permission (MAY), not a requirement";
  return undefined;
}

/**
 * A leaf rule as SQL: its requirement as a row predicate, its conditions (inherited ones
 * first) ANDed, and the columns they name that the dataset lacks. Throws NotCheckable.
 */
function compileRule(
  rule: ModelRule,
  ds: Dataset,
  inherited: Check[],
): { ok: string; cond: string; missing: Set<string> } {
  const vc = rule.ValidationCriteria;
  const missing = new Set<string>();
  const ok = predicate(vc.Requirement, ds, missing);
  const conditions = [...inherited, ...(vc.Condition?.CheckFunction ? [vc.Condition] : [])];
  const cond = conditions.length
    ? conditions.map((c) => `(${predicate(c, ds, missing)})`).join(" AND ")
    : "TRUE";
  return { ok, cond, missing };
}

/**
 * A rule as a row predicate and its condition, when it is a plain row-level check that
 * applies here; "skip" when it does not apply; undefined when it is not row-level.
 */
function rowLevel(
  rule: ModelRule,
  ds: Dataset,
  inherited: Check[],
  version: string,
  criteria: Set<string>,
): { ok: string; cond: string } | "skip" | undefined {
  const req = rule.ValidationCriteria.Requirement;
  if (!req.CheckFunction || collectModelRules(req).length || req.CheckFunction === "CheckDistinctCount")
    return undefined;
  if (inapplicable(rule, version, criteria)) return "skip";
  try {
    const { ok, cond, missing } = compileRule(rule, ds, inherited);
    return missing.size ? "skip" : { ok, cond };
  } catch (error) {
    if (error instanceof NotCheckable) return undefined;
    throw error;
  }
}

function collectModelRules(check: Check): string[] {
  if (check.CheckFunction === "CheckModelRule") return [String(check.ModelRuleId)];
  if (check.CheckFunction === "AND" || check.CheckFunction === "OR") {
    const items = check.Items as Check[];
    if (items.every((i) => i.CheckFunction === "CheckModelRule"))
      return items.map((i) => String(i.ModelRuleId));
  }
  return [];
}
