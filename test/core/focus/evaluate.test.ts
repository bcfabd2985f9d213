/** Evaluating the rules model: the plan (pure), the one-scan count, and the fold of the results (pure). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countLeaves,
  foldResults,
  type Leaf,
  type Plan,
  planConformance,
  type Step,
} from "../../../core/focus/evaluate.ts";
import type { Check, Model, ModelRule } from "../../../core/focus/model.ts";
import type { RuleResult } from "../../../core/focus/report.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";

/** A plan over hand-written steps: [keyword, step] per rule, evaluated in the order given. */
function plan(rules: Record<string, [keyword: string, step: Step]>, order = Object.keys(rules)) {
  const info: Plan["info"] = {};
  const steps: Plan["steps"] = {};
  for (const [id, [keyword, step]] of Object.entries(rules)) {
    info[id] = { id, keyword, reference: "X", requirement: `requirement of ${id}` };
    steps[id] = step;
  }
  return { info, steps, order };
}

/** The fold's results by id, as status / failing / reason only. */
function byId(results: RuleResult[]): Record<string, Pick<RuleResult, "status" | "failing" | "reason">> {
  return Object.fromEntries(
    results.map((r) => [
      r.id,
      {
        status: r.status,
        ...(r.failing !== undefined ? { failing: r.failing } : {}),
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
      },
    ]),
  );
}

const count: Step = { kind: "count" };
const and = (...of: string[]): Step => ({ kind: "composite", op: "AND", of });
const or = (...of: string[]): Step => ({ kind: "composite", op: "OR", of });

describe("folding leaf counts into rule results (pure)", () => {
  it("an AND passes when every part passes and fails naming the parts that fail", () => {
    const p = plan({ A: ["MUST", and("B", "C")], B: ["MUST", count], C: ["MUST NOT", count] });
    expect(byId(foldResults(p, { B: 0, C: 3 }))).toEqual({
      A: { status: "fail", reason: "fails: C" },
      B: { status: "pass" },
      C: { status: "fail", failing: 3 },
    });
    expect(byId(foldResults(p, { B: 0, C: 0 })).A).toEqual({ status: "pass" });
    expect(byId(foldResults(p, { B: 2, C: 1 })).A).toEqual({ status: "fail", reason: "fails: B, C" });
  });

  it("an OR passes when a branch passes; the failing branches are then skipped alternatives", () => {
    const p = plan({ A: ["MUST", or("B", "C")], B: ["MUST", count], C: ["MUST", count] });
    expect(byId(foldResults(p, { B: 0, C: 4 }))).toEqual({
      A: { status: "pass" },
      B: { status: "pass" },
      C: { status: "skipped", reason: "an alternative in A, which another branch satisfies" },
    });
    // No branch holds: the OR fails and each branch keeps its count.
    expect(byId(foldResults(p, { B: 1, C: 4 }))).toEqual({
      A: { status: "fail", reason: "fails: B, C" },
      B: { status: "fail", failing: 1 },
      C: { status: "fail", failing: 4 },
    });
  });

  it("a SHOULD inside a MUST is reported but does not fail it", () => {
    const p = plan({ A: ["MUST", and("B", "S")], B: ["MUST", count], S: ["SHOULD", count] });
    expect(byId(foldResults(p, { B: 0, S: 5 }))).toEqual({
      A: { status: "pass" },
      B: { status: "pass" },
      S: { status: "fail", failing: 5 },
    });
    // Recommendations alone decide nothing: the composite is skipped.
    const only = plan({ A: ["MUST", and("S")], S: ["SHOULD", count] });
    expect(byId(foldResults(only, { S: 5 })).A).toEqual({
      status: "skipped",
      reason: "every rule it combines is skipped",
    });
  });

  it("skipped parts are left out of a composite; a composite of skipped parts is skipped", () => {
    const p = plan({
      A: ["MUST", and("B", "C")],
      B: ["MUST", { kind: "skipped", reason: "column B is not present" }],
      C: ["MUST", count],
      D: ["MUST", and("B")],
    });
    const results = byId(foldResults(p, { C: 2 }));
    expect(results.A).toEqual({ status: "fail", reason: "fails: C" });
    expect(results.B).toEqual({ status: "skipped", reason: "column B is not present" });
    expect(results.D).toEqual({ status: "skipped", reason: "every rule it combines is skipped" });
  });

  it("a composite's result comes from its parts' results, not from their counts directly (nested)", () => {
    const p = plan({
      Root: ["MUST", and("Col", "Other")],
      Col: ["MUST", and("Nullability", "Format")],
      Nullability: ["MUST", or("NullWhen", "NotNullWhen")],
      NullWhen: ["MUST", count],
      NotNullWhen: ["MUST NOT", count],
      Format: ["MUST", count],
      Other: ["MUST", { kind: "constant", pass: true }],
    });
    expect(byId(foldResults(p, { NullWhen: 3, NotNullWhen: 0, Format: 0 })).Root).toEqual({
      status: "pass",
    });
    expect(byId(foldResults(p, { NullWhen: 3, NotNullWhen: 1, Format: 0 }))).toMatchObject({
      Root: { status: "fail", reason: "fails: Col" },
      Col: { status: "fail", reason: "fails: Nullability" },
      Nullability: { status: "fail", reason: "fails: NullWhen, NotNullWhen" },
    });
  });

  it("row-by-row alternatives fail by their own count; the rules they combine are reported as alternatives", () => {
    const p = plan({
      A: ["MUST", { kind: "alternatives", of: ["B", "C"] }],
      B: ["MUST", count],
      C: ["MUST", count],
    });
    // B and C have no count of their own: the alternatives' leaf counted the rows meeting neither.
    expect(byId(foldResults(p, { A: 2 }))).toEqual({
      A: { status: "fail", failing: 2 },
      B: { status: "skipped", reason: "an alternative in A, checked row by row there" },
      C: { status: "skipped", reason: "an alternative in A, checked row by row there" },
    });
    expect(byId(foldResults(p, { A: 0 })).A).toEqual({ status: "pass" });
  });

  it("dataset-level constants pass or fail without a count", () => {
    const p = plan({
      P: ["MUST", { kind: "constant", pass: true }],
      Q: ["MUST", { kind: "constant", pass: false }],
    });
    expect(byId(foldResults(p, {}))).toEqual({ P: { status: "pass" }, Q: { status: "fail" } });
  });

  it("a composite that reaches itself is reported, not followed forever", () => {
    const p = plan({ A: ["MUST", and("B")], B: ["MUST", and("A", "C")], C: ["MUST", count] });
    const results = byId(foldResults(p, { C: 1 }));
    expect(results.B).toEqual({ status: "fail", reason: "fails: C" });
    expect(results.A).toEqual({ status: "fail", reason: "fails: B" });
  });

  it("refuses a plan without the count a step needs", () => {
    expect(() => foldResults(plan({ A: ["MUST", count] }), {})).toThrow("no count for rule A");
    expect(() => foldResults(plan({ A: ["MUST", and("Z")] }), {})).toThrow("no step for rule Z");
  });
});

/** A rule of a hand-written model. */
function rule(
  reference: string,
  requirement: Check,
  extra: { condition?: Check; keyword?: string; criteria?: string[]; entity?: string } = {},
): ModelRule {
  return {
    Function: "Validation",
    Reference: reference,
    EntityType: extra.entity ?? "Column",
    ApplicabilityCriteria: extra.criteria ?? [],
    Type: "Static",
    ValidationCriteria: {
      MustSatisfy: `${reference} requirement`,
      Keyword: extra.keyword ?? "MUST",
      Requirement: requirement,
      Condition: extra.condition ?? {},
      Dependencies: [],
    },
  };
}

/** The dataset's root rule, from which conditions reach the rules it names. */
const root = (requirement: Check): ModelRule => rule("CostAndUsage", requirement, { entity: "Dataset" });
const ref = (id: string): Check => ({ CheckFunction: "CheckModelRule", ModelRuleId: id });
const value = (column: string, v: unknown): Check => ({
  CheckFunction: "CheckValue",
  ColumnName: column,
  Value: v,
});
const notNull = (column: string): Check => ({
  CheckFunction: "CheckNotValue",
  ColumnName: column,
  Value: null,
});

function model(rules: Record<string, ModelRule>): Model {
  return { ModelRules: rules, ApplicabilityCriteria: {} };
}

const columns = (...names: string[]) => new Map(names.map((n) => [n, "VARCHAR"]));
const leafIds = (leaves: Leaf[]) => leaves.map((l) => l.id);

describe("planning the checks (pure)", () => {
  it("decides each rule once, from the dataset's root down, and counts only the row-level leaves", () => {
    const m = model({
      "CostAndUsage-D-000-M": root({ CheckFunction: "AND", Items: [ref("L1"), ref("L2")] }),
      L1: rule("X", value("X", "a")),
      L2: rule("X", { CheckFunction: "ColumnPresent", ColumnName: "X" }),
      L3: rule("Y", value("Y", "b")),
    });
    const p = planConformance(
      m,
      { relation: "t", columns: columns("X") },
      { version: "1.2", criteria: new Set() },
    );
    expect(p.steps).toEqual({
      "CostAndUsage-D-000-M": { kind: "composite", op: "AND", of: ["L1", "L2"] },
      L1: { kind: "count" },
      L2: { kind: "constant", pass: true },
      L3: { kind: "skipped", reason: "column Y is not present" },
    });
    expect(leafIds(p.leaves)).toEqual(["L1"]);
  });

  it("gives each skipped rule its reason", () => {
    const m = model({
      "CostAndUsage-D-000-M": root(ref("Late")),
      Late: rule("InvoiceId", notNull("InvoiceId")),
      Criteria: rule("X", notNull("X"), { criteria: ["REGION_SUPPORTED"] }),
      May: rule("X", notNull("X"), { keyword: "MAY" }),
      NoCheck: rule("X", {}),
      Unknown: rule("X", { CheckFunction: "CheckSomethingNew", ColumnName: "X" }),
      Distinct: rule("X", {
        CheckFunction: "CheckDistinctCount",
        ColumnAName: "X",
        ColumnBName: "Z",
        ExpectedCount: 1,
      }),
    });
    const p = planConformance(
      m,
      { relation: "t", columns: columns("X", "InvoiceId") },
      { version: "1.1", criteria: new Set() },
    );
    expect(p.steps).toMatchObject({
      Late: { kind: "skipped", reason: "InvoiceId was added in FOCUS 1.2" },
      Criteria: { kind: "skipped", reason: "applies when REGION_SUPPORTED" },
      May: { kind: "skipped", reason: "a permission (MAY), not a requirement" },
      NoCheck: { kind: "skipped", reason: "not machine-checkable (no check function)" },
      Unknown: { kind: "skipped", reason: "check function CheckSomethingNew is not machine-checkable here" },
      Distinct: { kind: "skipped", reason: "column Z is not present" },
    });
    expect(p.leaves).toEqual([]);
  });

  it("turns an OR of row-level rules into one alternatives count, unless an alternative does not apply", () => {
    const m = model({
      "CostAndUsage-D-000-M": root({ CheckFunction: "AND", Items: [ref("Alt"), ref("AltNot")] }),
      Alt: rule("X", { CheckFunction: "OR", Items: [ref("IsA"), ref("IsB")] }),
      IsA: rule("X", value("X", "a")),
      IsB: rule("X", value("X", "b")),
      AltNot: rule("X", { CheckFunction: "OR", Items: [ref("IsA"), ref("NeedsCriteria")] }),
      NeedsCriteria: rule("X", value("X", "c"), { criteria: ["REGION_SUPPORTED"] }),
    });
    const p = planConformance(
      m,
      { relation: "t", columns: columns("X") },
      { version: "1.2", criteria: new Set() },
    );
    expect(p.steps.Alt).toEqual({ kind: "alternatives", of: ["IsA", "IsB"] });
    expect(p.steps.AltNot).toEqual({
      kind: "skipped",
      reason: "an alternative does not apply to this dataset",
    });
    // The alternatives are checked in Alt, not on their own.
    expect(p.steps.IsA).toBeUndefined();
    expect(p.steps.IsB).toBeUndefined();
    expect(leafIds(p.leaves)).toEqual(["Alt"]);
  });
});

describe("counting the leaves in one scan", () => {
  let w: Warehouse;
  beforeAll(async () => {
    w = await Warehouse.open({ path: ":memory:" });
    await w.run(`CREATE TABLE t AS SELECT * FROM (VALUES
      ('a', NULL, 'p'),
      ('b', 'z',  'p'),
      ('c', 'z',  NULL),
      ('c', NULL, 'q')) v(X, Z, G)`);
  });
  afterAll(() => w.close());

  const plannedOver = (m: Model, cols: string[]) =>
    planConformance(m, { relation: "t", columns: columns(...cols) }, { version: "1.2", criteria: new Set() });

  it("counts a leaf's failing rows under the conditions it inherits from its composite, then its own", async () => {
    // Parent: "when Z is not null, the following hold"; the leaf: "X is 'b' when G is 'p'".
    const m = model({
      "CostAndUsage-D-000-M": root(ref("Parent")),
      Parent: rule("X", ref("Leaf"), { condition: notNull("Z") }),
      Leaf: rule("X", value("X", "b"), { condition: value("G", "p") }),
      Alone: rule("X", value("X", "b"), { condition: value("G", "p") }),
    });
    const p = plannedOver(m, ["X", "Z", "G"]);
    const { rows, failing } = await countLeaves(w, "t", p.leaves);
    expect(rows).toBe(4);
    // Rows: (a, NULL, p) is outside Parent's condition; (b, z, p) passes; (c, z, NULL) is outside
    // Leaf's own; (c, NULL, q) is outside both. The same rule without the parent counts (a, NULL, p).
    expect(failing).toEqual({ Leaf: 0, Alone: 1 });
    await w.run("INSERT INTO t VALUES ('d', 'z', 'p')");
    expect((await countLeaves(w, "t", p.leaves)).failing).toEqual({ Leaf: 1, Alone: 2 });
    await w.run("DELETE FROM t WHERE X = 'd'");
  });

  it("counts a row of alternatives as failing only when it meets none of them", async () => {
    const m = model({
      "CostAndUsage-D-000-M": root({ CheckFunction: "OR", Items: [ref("IsA"), ref("IsC")] }),
      IsA: rule("X", value("X", "a")),
      IsC: rule("X", value("X", "c")),
    });
    const { failing } = await countLeaves(w, "t", plannedOver(m, ["X"]).leaves);
    expect(failing).toEqual({ "CostAndUsage-D-000-M": 1 }); // the row with X = 'b'
  });

  it("counts group-level leaves (distinct counts) in the same query", async () => {
    const m = model({
      "CostAndUsage-D-000-M": root({
        CheckFunction: "CheckDistinctCount",
        ColumnAName: "G",
        ColumnBName: "X",
        ExpectedCount: 1,
      }),
    });
    // G 'p' has X a and b (breaks it), 'q' has c only, NULL G is not a group.
    expect((await countLeaves(w, "t", plannedOver(m, ["G", "X"]).leaves)).failing).toEqual({
      "CostAndUsage-D-000-M": 1,
    });
  });

  it("gives the same counts whether the leaves share one query or are split", async () => {
    const leaves: Leaf[] = [
      { id: "one", rows: `"X" = 'a'` },
      { id: "two", rows: `"Z" IS NULL` },
      { id: "three", rows: `"G" IS NOT NULL` },
      { id: "groups", groups: `(SELECT count(DISTINCT "X") FROM t)` },
    ];
    const expected = { rows: 4, failing: { one: 1, two: 2, three: 3, groups: 3 } };
    expect(await countLeaves(w, "t", leaves)).toEqual(expected);
    expect(await countLeaves(w, "t", leaves, 1)).toEqual(expected);
    expect(await countLeaves(w, "t", leaves, 3)).toEqual(expected);
  });

  it("runs one query for every leaf, and still counts the rows when there is no leaf", async () => {
    const sql: string[] = [];
    const spy = {
      all: <T>(q: string) => {
        sql.push(q);
        return w.all<T>(q);
      },
    };
    const leaves: Leaf[] = Array.from({ length: 150 }, (_, i) => ({ id: `l${i}`, rows: `"X" = 'x${i}'` }));
    await countLeaves(spy, "t", leaves);
    expect(sql).toHaveLength(1);
    await w.run("CREATE TABLE empty AS SELECT * FROM t LIMIT 0");
    expect(await countLeaves(w, "empty", [])).toEqual({ rows: 0, failing: {} });
  });
});
