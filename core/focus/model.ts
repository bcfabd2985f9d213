/**
 * The official FOCUS 1.2 machine-readable rules model (model-1.2.json): loading it, the
 * errata where its encoding contradicts its own text, normalizing its spellings, and which
 * rules apply to a dataset of a given FOCUS version whose provider meets given criteria.
 */
import { readFileSync } from "node:fs";
import { shippedFile } from "../paths.ts";

/** A check function of the model: {CheckFunction, ColumnName, Value, Items, …}. */
export type Check = Record<string, unknown> & { CheckFunction?: string };

export interface ModelRule {
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

export interface Model {
  ModelRules: Record<string, ModelRule>;
  ApplicabilityCriteria: Record<string, { Description: string }>;
}

export type FocusVersion = "1.0" | "1.1" | "1.2";

/** Columns FOCUS added after 1.0 (1.1) and after 1.1 (1.2). */
export const ADDED_IN: Record<string, "1.1" | "1.2"> = {
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
export const ERRATA: Record<string, { requirement?: Check; condition?: Check; note: string }> = {
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
export function normalize(check: Check): Check {
  if (!check || check.CheckFunction) return check;
  for (const op of ["AND", "OR"]) {
    if (Array.isArray(check[op])) return { CheckFunction: op, Items: (check[op] as Check[]).map(normalize) };
  }
  return check;
}

let modelText: string | undefined;

/** The rules model, normalized and with the errata applied; a fresh object on every call. */
export function loadModel(): Model {
  modelText ??= readFileSync(shippedFile("core", "focus", "model-1.2.json"), "utf8");
  const model = JSON.parse(modelText) as Model;
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

/** Why a rule does not apply to this data (version, criteria, a MAY), or undefined when it does. */
export function inapplicable(
  rule: ModelRule,
  version: string,
  criteria: ReadonlySet<string>,
): string | undefined {
  const added = ADDED_IN[rule.Reference];
  if (added && added > version) return `${rule.Reference} was added in FOCUS ${added}`;
  const unmet = rule.ApplicabilityCriteria.filter((c) => !criteria.has(c));
  if (unmet.length) return `applies when ${unmet.join(", ")}`;
  if (rule.ValidationCriteria.Keyword === "MAY") return "a permission (MAY), not a requirement";
  return undefined;
}

/** The rules a composite requirement combines (CheckModelRule, or an AND / OR of them); [] for a leaf. */
export function composedOf(check: Check): string[] {
  if (check.CheckFunction === "CheckModelRule") return [String(check.ModelRuleId)];
  if (check.CheckFunction === "AND" || check.CheckFunction === "OR") {
    const items = check.Items as Check[];
    if (items.every((i) => i.CheckFunction === "CheckModelRule"))
      return items.map((i) => String(i.ModelRuleId));
  }
  return [];
}

/** The rule's own condition, when it has one (an empty object means none). */
export function conditionOf(rule: ModelRule): Check | undefined {
  return rule.ValidationCriteria.Condition?.CheckFunction ? rule.ValidationCriteria.Condition : undefined;
}

/** MUST and MUST NOT: requirements; SHOULD, RECOMMENDED and the like are recommendations. */
export function isMust(keyword: string): boolean {
  return /^MUST/.test(keyword);
}
