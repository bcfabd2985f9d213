/**
 * Evaluating the rules model over a dataset, in three steps:
 *
 * 1. plan (pure): walk the rules from the dataset's root rule down, deciding for each how it
 *    is checked: skipped (with the reason), a constant (column presence), a count of failing
 *    rows or groups (a leaf), row-by-row alternatives (an OR of row-level rules), or a
 *    composite (an AND / OR of other rules' results). A composite's condition reaches the
 *    rules it names, so a leaf's SQL depends on the composite it is first reached from.
 * 2. count: every leaf's failing rows in one scan of the relation (`count(*) FILTER`), the
 *    few group-level leaves as scalar subqueries of the same query.
 * 3. fold (pure): the rules' results from the leaves' counts.
 */
import type { Warehouse } from "../warehouse/warehouse.ts";
import {
  type Check,
  composedOf,
  conditionOf,
  ERRATA,
  inapplicable,
  isMust,
  type Model,
  type ModelRule,
} from "./model.ts";
import {
  compileRule,
  type Dataset,
  failingAlternatives,
  failingGroups,
  failingRows,
  NotCheckable,
  type RowCheck,
} from "./predicates.ts";
import type { RuleInfo, RuleResult } from "./report.ts";

/** How one rule is decided, fixed before any row is read. */
export type Step =
  /** Not checked here, for this reason. */
  | { kind: "skipped"; reason: string }
  /** Decided by the dataset's columns alone (column presence). */
  | { kind: "constant"; pass: boolean }
  /** Fails when its leaf counts failing rows (or groups). */
  | { kind: "count" }
  /** Rules that hold row by row when any of them does: the rule's leaf counts the rows none meets. */
  | { kind: "alternatives"; of: string[] }
  /** An AND / OR of the results of other rules. */
  | { kind: "composite"; op: "AND" | "OR"; of: string[] };

/** A count for the rule `id`: rows matching the predicate `rows`, or the scalar query `groups`. */
export type Leaf = { id: string; rows: string } | { id: string; groups: string };

export interface Plan {
  /** Every rule's description, by id. */
  info: Record<string, RuleInfo>;
  /** How each rule is decided, for the rules evaluated on their own. */
  steps: Record<string, Step>;
  /** The rules in the order they are evaluated (a rule reached earlier keeps that result). */
  order: string[];
  /** The counts the steps need, one per "count" or "alternatives" step. */
  leaves: Leaf[];
}

/** The rule whose conditions reach the others: the dataset's root. */
const ROOT = "CostAndUsage-D-000-M";

/** How each rule of the model is checked on this dataset; no SQL runs. */
export function planConformance(
  model: Model,
  ds: Dataset,
  options: { version: string; criteria: ReadonlySet<string> },
): Plan {
  const { version, criteria } = options;
  const info: Record<string, RuleInfo> = {};
  for (const [id, rule] of Object.entries(model.ModelRules)) info[id] = ruleInfo(id, rule);
  const steps: Record<string, Step> = {};
  const leaves: Leaf[] = [];
  const seen = new Set<string>();

  // How one rule is checked when first reached with these inherited conditions; pushes its leaf.
  const decide = (id: string, rule: ModelRule, inherited: Check[]): Step => {
    const req = rule.ValidationCriteria.Requirement;
    const notHere = inapplicable(rule, version, criteria);
    if (notHere) return skipped(notHere);
    if (!req.CheckFunction) return skipped("not machine-checkable (no check function)");
    const refs = composedOf(req);
    if (refs.length) {
      // Alternatives between row-level rules ("null when X, not null when Y") hold row by row:
      // a row passes when it meets any of them.
      if (req.CheckFunction === "OR") {
        const context = contextOf(rule, inherited);
        const alternatives = refs.map((r) => rowLevel(model.ModelRules[r]!, ds, context, version, criteria));
        if (alternatives.every((a) => a !== undefined)) {
          if (alternatives.some((a) => a === "skip"))
            return skipped("an alternative does not apply to this dataset");
          leaves.push({ id, rows: failingAlternatives(alternatives as RowCheck[]) });
          return { kind: "alternatives", of: refs };
        }
      }
      return { kind: "composite", op: req.CheckFunction === "OR" ? "OR" : "AND", of: refs };
    }
    // A rule about a column the dataset does not have is decided by the presence rules.
    if (rule.EntityType === "Column" && !ds.columns.has(rule.Reference))
      return skipped(`column ${rule.Reference} is not present`);
    if (req.CheckFunction === "CheckDistinctCount") {
      const absent = [String(req.ColumnAName), String(req.ColumnBName)].find((c) => !ds.columns.has(c));
      if (absent) return skipped(`column ${absent} is not present`);
      leaves.push({ id, groups: failingGroups(req, ds.relation) });
      return { kind: "count" };
    }
    let compiled: ReturnType<typeof compileRule>;
    try {
      compiled = compileRule(rule, ds, inherited);
    } catch (error) {
      if (error instanceof NotCheckable) return skipped(error.message);
      throw error;
    }
    if (compiled.missing.size) return skipped(`column ${[...compiled.missing].join(", ")} is not present`);
    // Dataset-level checks (presence) compile to a constant: no rows to count.
    if ((compiled.ok === "TRUE" || compiled.ok === "FALSE") && compiled.cond === "TRUE")
      return { kind: "constant", pass: compiled.ok === "TRUE" };
    leaves.push({ id, rows: failingRows(compiled) });
    return { kind: "count" };
  };

  // A rule's first visit decides its step (and the conditions it inherits). A composite
  // reached again from inside itself is reported as circular by the fold.
  const visit = (id: string, inherited: Check[]): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const rule = model.ModelRules[id]!;
    const step = decide(id, rule, inherited);
    steps[id] = step;
    // Alternatives are reported with the rule that checks them, not on their own.
    if (step.kind === "alternatives") for (const r of step.of) seen.add(r);
    if (step.kind === "composite") for (const r of step.of) visit(r, contextOf(rule, inherited));
  };

  const order = [ROOT, ...Object.keys(model.ModelRules)];
  for (const id of order) visit(id, []);
  return { info, steps, order, leaves };
}

const skipped = (reason: string): Step => ({ kind: "skipped", reason });

/** The conditions a composite's parts inherit: its parent's, then its own. */
function contextOf(rule: ModelRule, inherited: Check[]): Check[] {
  const own = conditionOf(rule);
  return own ? [...inherited, own] : inherited;
}

function ruleInfo(id: string, rule: ModelRule): RuleInfo {
  const vc = rule.ValidationCriteria;
  // loadModel replaced the model's encoding of these rules; the note says where.
  const erratum = ERRATA[id]?.note;
  return {
    id,
    keyword: vc.Keyword,
    reference: rule.Reference,
    requirement: vc.MustSatisfy,
    ...(erratum ? { erratum } : {}),
  };
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
  criteria: ReadonlySet<string>,
): RowCheck | "skip" | undefined {
  const req = rule.ValidationCriteria.Requirement;
  if (!req.CheckFunction || composedOf(req).length || req.CheckFunction === "CheckDistinctCount")
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

/** Leaves per query: DuckDB evaluates a few hundred filtered aggregates in one scan. */
const LEAVES_PER_QUERY = 400;

/**
 * The relation's rows and each leaf's failing rows (or groups), by rule id: every row-level
 * leaf in one scan (split into queries of LEAVES_PER_QUERY leaves only when there are more).
 */
export async function countLeaves(
  db: Pick<Warehouse, "all">,
  relation: string,
  leaves: readonly Leaf[],
  perQuery = LEAVES_PER_QUERY,
): Promise<{ rows: number; failing: Record<string, number> }> {
  const failing: Record<string, number> = {};
  let rows = 0;
  for (let start = 0; start === 0 || start < leaves.length; start += perQuery) {
    const chunk = leaves.slice(start, start + perQuery);
    const columns = chunk.map(
      (leaf, i) =>
        `${"rows" in leaf ? `count(*) FILTER (WHERE ${leaf.rows})` : leaf.groups}::VARCHAR AS "l${i}"`,
    );
    const [row] = await db.all<Record<string, string>>(
      `SELECT ${["count(*)::VARCHAR AS n", ...columns].join(",\n  ")}\nFROM ${relation}`,
    );
    rows = Number(row!.n);
    chunk.forEach((leaf, i) => {
      failing[leaf.id] = Number(row![`l${i}`]);
    });
  }
  return { rows, failing };
}

/**
 * The rules' results from the leaves' counts (failing rows or groups by rule id), pure.
 * Rules are evaluated in the plan's order and a rule keeps its first result, except that
 * row-by-row alternatives and the failing branches of a satisfied OR are then reported as
 * skipped alternatives.
 */
export function foldResults(
  plan: Pick<Plan, "info" | "steps" | "order">,
  failing: Readonly<Record<string, number>>,
): RuleResult[] {
  const results = new Map<string, RuleResult>();
  const info = (id: string) => {
    const found = plan.info[id];
    if (!found) throw new Error(`no rule ${id} in the plan`);
    return found;
  };
  const counted = (id: string): RuleResult => {
    const n = failing[id];
    if (n === undefined) throw new Error(`no count for rule ${id}`);
    return { ...info(id), status: n ? "fail" : "pass", ...(n ? { failing: n } : {}) };
  };

  const evaluate = (id: string, trail: ReadonlySet<string>): RuleResult => {
    const cached = results.get(id);
    if (cached) return cached;
    const step = plan.steps[id];
    if (!step) throw new Error(`no step for rule ${id}`);
    const base = info(id);
    const done = (r: RuleResult) => {
      results.set(id, r);
      return r;
    };
    if ((step.kind === "composite" || step.kind === "alternatives") && trail.has(id))
      return done({ ...base, status: "skipped", reason: "circular composite" });
    switch (step.kind) {
      case "skipped":
        return done({ ...base, status: "skipped", reason: step.reason });
      case "constant":
        return done({ ...base, status: step.pass ? "pass" : "fail" });
      case "count":
        return done(counted(id));
      case "alternatives": {
        for (const r of step.of)
          results.set(r, {
            ...info(r),
            status: "skipped",
            reason: `an alternative in ${id}, checked row by row there`,
          });
        return done(counted(id));
      }
      case "composite": {
        const next = new Set(trail).add(id);
        const parts = step.of.map((r) => evaluate(r, next));
        return done(combine(base, step.op, parts, results));
      }
    }
  };

  for (const id of plan.order) evaluate(id, new Set());
  return [...results.values()];
}

/**
 * A composite's result from its parts' results. Recommendations (SHOULD, RECOMMENDED) are
 * reported but do not fail the requirement they sit in; the failing branches of a satisfied
 * OR are alternatives, not failures (re-reported as skipped in `results`).
 */
function combine(
  base: RuleInfo,
  op: "AND" | "OR",
  parts: readonly RuleResult[],
  results: Map<string, RuleResult>,
): RuleResult {
  const decided = parts.filter((p) => p.status !== "skipped" && isMust(p.keyword));
  if (!decided.length) return { ...base, status: "skipped", reason: "every rule it combines is skipped" };
  const ok =
    op === "OR" ? decided.some((p) => p.status === "pass") : decided.every((p) => p.status === "pass");
  if (ok && op === "OR") {
    for (const p of parts.filter((x) => x.status === "fail")) {
      const { failing: _failing, ...rest } = p;
      results.set(p.id, {
        ...rest,
        status: "skipped",
        reason: `an alternative in ${base.id}, which another branch satisfies`,
      });
    }
  }
  if (ok) return { ...base, status: "pass" };
  return {
    ...base,
    status: "fail",
    reason: `fails: ${decided
      .filter((p) => p.status === "fail")
      .map((p) => p.id)
      .join(", ")}`,
  };
}
