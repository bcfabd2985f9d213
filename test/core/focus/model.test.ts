/** The FOCUS 1.2 rules model: loading, errata, normalized spellings, applicability. */
import { describe, expect, it } from "vitest";
import { composedOf, inapplicable, loadModel, normalize } from "../../../core/focus/model.ts";

describe("the rules model", () => {
  const model = loadModel();
  const rule = (id: string) => model.ModelRules[id]!;

  it("holds the 621 rules of FOCUS 1.2 and its applicability criteria", () => {
    expect(Object.keys(model.ModelRules)).toHaveLength(621);
    expect(model.ApplicabilityCriteria).toHaveProperty("COMMITMENT_DISCOUNT_SUPPORTED");
  });

  it("replaces the encodings that contradict the rules' own text", () => {
    // "CommitmentDiscountStatus MUST be one of the allowed values" (Used, Unused).
    expect(rule("CommitmentDiscountStatus-C-005-M").ValidationCriteria.Requirement).toEqual({
      CheckFunction: "OR",
      Items: [
        { CheckFunction: "CheckValue", ColumnName: "CommitmentDiscountStatus", Value: "Used" },
        { CheckFunction: "CheckValue", ColumnName: "CommitmentDiscountStatus", Value: "Unused" },
      ],
    });
    // "MUST be null when CommitmentDiscountId is null": the model encoded CheckNotValue.
    expect(rule("CommitmentDiscountStatus-C-003-C").ValidationCriteria.Requirement).toMatchObject({
      CheckFunction: "CheckValue",
      Value: null,
    });
  });

  it("rewrites {AND: [...]} conditions as check functions", () => {
    expect(normalize({ OR: [{ AND: [{ CheckFunction: "CheckValue" }] }] })).toEqual({
      CheckFunction: "OR",
      Items: [{ CheckFunction: "AND", Items: [{ CheckFunction: "CheckValue" }] }],
    });
    // As written in the model for CapacityReservationStatus-C-004-C.
    expect(rule("CapacityReservationStatus-C-004-C").ValidationCriteria.Condition).toEqual({
      CheckFunction: "AND",
      Items: [
        { CheckFunction: "CheckNotValue", ColumnName: "CapacityReservationId", Value: null },
        { CheckFunction: "CheckValue", ColumnName: "ChargeCategory", Value: "Usage" },
      ],
    });
  });

  it("names the rules a composite combines, and none for a leaf", () => {
    expect(composedOf(rule("SubAccountType-C-003-C").ValidationCriteria.Requirement)).toEqual([
      "SubAccountType-C-004-C",
      "SubAccountType-C-005-C",
    ]);
    expect(composedOf(rule("ChargeCategory-C-003-M").ValidationCriteria.Requirement)).toEqual([]);
  });

  it("applies a rule by the data's FOCUS version, the provider's criteria, and its keyword", () => {
    const none = new Set<string>();
    // InvoiceId came with FOCUS 1.2, SkuMeter with 1.1.
    expect(inapplicable(rule("InvoiceId-C-001-M"), "1.1", none)).toBe("InvoiceId was added in FOCUS 1.2");
    expect(inapplicable(rule("InvoiceId-C-001-M"), "1.2", none)).toBeUndefined();
    expect(inapplicable(rule("SkuMeter-C-001-M"), "1.0", none)).toBe("SkuMeter was added in FOCUS 1.1");
    expect(inapplicable(rule("SkuMeter-C-001-M"), "1.1", none)).toBeUndefined();
    // CommitmentDiscountName applies to providers that support commitment discounts.
    const cd = rule("CommitmentDiscountName-C-000-C");
    expect(inapplicable(cd, "1.2", none)).toBe("applies when COMMITMENT_DISCOUNT_SUPPORTED");
    expect(inapplicable(cd, "1.2", new Set(["COMMITMENT_DISCOUNT_SUPPORTED"]))).toBeUndefined();
    // "SkuPriceId MAY equal SkuId": a permission is never a failure.
    expect(inapplicable(rule("SkuPriceId-C-011-O"), "1.2", none)).toBe(
      "a permission (MAY), not a requirement",
    );
  });
});
