/** Executed changes' measured P95 against the band predicted for them before they ran. */
import { afterAll, describe, expect, it } from "vitest";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { actionOutcomes, summarizeOutcomes } from "../../../ml/utilization/outcomes.ts";

let warehouse: Warehouse;
afterAll(() => warehouse?.close());

async function action(id: string, mode: string, expected: unknown, verification: unknown): Promise<void> {
  await warehouse.run(
    `insert into ops.actions (action_id, run_id, recommendation_id, version, kind, provider, resource_id, parameters,
       state, mode, idempotency_token, step, expected, verification, created_at, updated_at, executed_at)
     values ($1, 'run-1', 'rec-' || $1, 'v1', 'resize_vm', 'aws', 'i-' || $1, '{}', 'succeeded', $2, 'tok-' || $1, 3,
       $3::json, $4::json, now(), now(), now())`,
    [id, mode, JSON.stringify(expected), JSON.stringify(verification)],
  );
}

describe("action outcomes", () => {
  it("compares each verified change's measured P95 with its predicted band, and says when there is none", async () => {
    warehouse = await Warehouse.open({ path: ":memory:", threads: 1 });
    expect(summarizeOutcomes(await actionOutcomes(warehouse))).toMatch(/none measured yet/);
    const band = (point: number) => ({ predicted_cpu_p95_pct: { point, low: point - 5, high: point + 5 } });
    await action("a", "execute", band(40), { cpu_p95_pct: 42, decision: "passed" });
    await action("b", "execute", band(30), { cpu_p95_pct: 60, decision: "degraded" });
    await action("c", "dry_run", band(30), { cpu_p95_pct: 30 }); // planned: nothing measured
    await action("d", "execute", { predicted_cpu_p95_pct: null }, { cpu_p95_pct: 20 }); // no prediction to compare
    const outcomes = await actionOutcomes(warehouse);
    expect(outcomes.map((o) => [o.action_id, o.predicted, o.measured])).toEqual([
      ["a", 40, 42],
      ["b", 30, 60],
    ]);
    const text = summarizeOutcomes(outcomes);
    expect(text).toMatch(
      /2 measured after the change; P95 CPU inside the predicted band 1, above it 1; MAE of the predicted point 16.00 points/,
    );
  });
});
