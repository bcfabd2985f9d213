import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOURS_PER_MONTH } from "../../../orchestrator/estate-generator/catalog.ts";
import {
  COMMITMENT_UTILIZATION,
  UNDERUSED_UTILIZATION,
} from "../../../orchestrator/estate-generator/commitments.ts";
import { buildEstate } from "../../../orchestrator/estate-generator/estate.ts";
import { buildLines } from "../../../orchestrator/estate-generator/lines.ts";
import { tempDir } from "../../helpers/tmp.ts";

const options = { seed: 5, resources: 150, days: 40, endDate: "2026-04-30" };
const estate = buildEstate(options);

describe("commitments", () => {
  it("are sized so the covered VMs use 95% of the hourly total (the underused Azure reservation 60%), upfront included", () => {
    expect(estate.commitments.map((c) => c.type)).toEqual([
      "savings_plan",
      "reserved_instance",
      "reservation",
      "committed_use_discount",
    ]);
    for (const c of estate.commitments) {
      const covered = estate.resources.filter((r) => r.commitmentId === c.id);
      expect(covered.length).toBeGreaterThan(0);
      const used = covered.reduce((s, r) => s + r.commitmentRate, 0);
      const total = c.hourlyCommitment + c.upfront / (c.termMonths * HOURS_PER_MONTH);
      expect(used / total).toBeCloseTo(
        c.type === "reservation" ? UNDERUSED_UTILIZATION : COMMITMENT_UTILIZATION,
        4,
      );
      expect(c.utilization).toBe(c.type === "reservation" ? UNDERUSED_UTILIZATION : COMMITMENT_UTILIZATION);
      for (const r of covered) {
        expect(r.commitmentRate).toBeLessThan(r.unitPrice);
        expect(r.coveredFromDay).toBe(c.purchaseDay ?? 0);
        expect([r.kind, r.env, r.export, r.case]).toEqual(["vm", "prod", c.export, null]);
      }
    }
    const ri = estate.commitments.find((c) => c.type === "reserved_instance")!;
    // Partial upfront: half the term paid on the purchase day, half hourly.
    expect(ri.upfront).toBeCloseTo(ri.hourlyCommitment * ri.termMonths * HOURS_PER_MONTH, 0);
  });

  describe("in the line items", () => {
    let rows: Record<string, number>[];
    const instance = DuckDBInstance.create(":memory:");
    beforeAll(async () => {
      const con = await (await instance).connect();
      await buildLines(con, estate, tempDir());
      rows = (
        await con.runAndReadAll(`
          SELECT commitment_id, day_idx,
            sum(effective_cost) FILTER (line_kind = 'covered_usage')::DOUBLE AS used,
            sum(effective_cost) FILTER (line_kind = 'commitment_fee')::DOUBLE AS unused,
            sum(list_cost) FILTER (line_kind = 'commitment_purchase')::DOUBLE AS purchase
          FROM li WHERE commitment_id IS NOT NULL GROUP BY ALL ORDER BY ALL`)
      ).getRowObjectsJson() as Record<string, number>[];
      con.closeSync();
    });
    afterAll(async () => (await instance).closeSync());

    it("amortize to the recurring fee plus the upfront spread over the term, every day", () => {
      for (const c of estate.commitments) {
        const days = rows.filter((r) => r.commitment_id === (c.id as unknown));
        expect(days).toHaveLength(options.days - (c.purchaseDay ?? 0));
        const perDay = c.hourlyCommitment * 24 + c.upfront / ((c.termMonths * HOURS_PER_MONTH) / 24);
        for (const d of days) {
          expect(Number(d.used) + Number(d.unused)).toBeCloseTo(perDay, 6);
          expect(Number(d.unused) / perDay).toBeCloseTo(1 - c.utilization, 3);
        }
        // The upfront is billed once, on the purchase day, and only there.
        const purchases = days.filter((d) => d.purchase !== null);
        expect(purchases.map((d) => [Number(d.day_idx), Number(d.purchase)])).toEqual(
          c.upfront > 0 ? [[c.purchaseDay, c.upfront]] : [],
        );
      }
    });
  });
});
