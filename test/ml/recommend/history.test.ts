/** ops.recommendation_history: each run's changes against each id's latest state. */
import { describe, expect, it } from "vitest";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { dismiss, recordHistory } from "../../../ml/recommend/history.ts";

interface Row {
  id: string;
  detector: string;
  resource: string;
  target: string | null;
  savings: number;
}

async function recommendations(w: Warehouse, rows: Row[], activeResources: string[]): Promise<void> {
  const values = rows
    .map(
      (r) =>
        `('${r.id}', '${r.detector}', '${r.resource}', ${r.target ? `'${r.target}'` : "null"}, ${r.savings}, 'USD', 'open')`,
    )
    .join(", ");
  await w.run(`create or replace table marts.recommendations (recommendation_id varchar, detector varchar, resource_id varchar,
    target_configuration varchar, estimated_monthly_savings decimal(18, 2), currency varchar, status varchar, status_reason varchar)`);
  if (rows.length) await w.run(`insert into marts.recommendations select *, null from (values ${values})`);
  await w.run(
    `create or replace table marts.resources as select unnest(['${activeResources.join("', '")}']) as resource_id, 'active' as state`,
  );
}

const history = (w: Warehouse) =>
  w.all<{ recommendation_id: string; status: string; reason: string }>(
    "select recommendation_id, status, reason from ops.recommendation_history order by changed_at, recommendation_id, status",
  );

describe("recommendation history", () => {
  it("records new, moved, superseded, resolved, found again and dismissed, and nothing when nothing changed", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const idle = { id: "a", detector: "idle_vm", resource: "i-1", target: null, savings: 100 };
    const resize = { id: "b", detector: "rightsizing", resource: "i-2", target: "m5.large", savings: 40 };
    const snap = { id: "c", detector: "old_snapshot", resource: "snap-1", target: null, savings: 5 };

    await recommendations(w, [idle, resize, snap], ["i-1", "i-2", "snap-1"]);
    expect(await recordHistory(w)).toMatchObject({ new: 3, open: 0, resolved: 0, superseded: 0 });

    // The same findings, savings within 1%: no row.
    await recommendations(w, [{ ...idle, savings: 100.5 }, resize, snap], ["i-1", "i-2", "snap-1"]);
    expect(await recordHistory(w)).toMatchObject({ new: 0, open: 0, resolved: 0, superseded: 0 });

    // Savings moved; the resize now targets a smaller size; the snapshot is gone.
    const smaller = { ...resize, id: "b2", target: "m5.medium", savings: 60 };
    await recommendations(w, [{ ...idle, savings: 130 }, smaller], ["i-1", "i-2"]);
    expect(await recordHistory(w)).toMatchObject({ new: 1, open: 1, resolved: 1, superseded: 1 });

    // A user dismisses the idle VM; the next run leaves it dismissed; then the VM is resized away.
    expect(await dismiss(w, "a", "kept for the quarter-end batch", "alice")).toBe(true);
    expect(await dismiss(w, "nope", "x", "alice")).toBe(false);
    expect(
      await w.all("select status, status_reason from marts.recommendations where recommendation_id = 'a'"),
    ).toEqual([{ status: "dismissed", status_reason: "kept for the quarter-end batch" }]);
    await recommendations(w, [{ ...idle, savings: 150 }, smaller], ["i-1", "i-2"]);
    expect(await recordHistory(w)).toMatchObject({ new: 0, open: 0, resolved: 0 });
    await recommendations(w, [smaller, snap], ["i-2", "snap-1"]);
    expect(await recordHistory(w)).toMatchObject({ new: 1, resolved: 1 });

    expect(await history(w)).toEqual([
      { recommendation_id: "a", status: "new", reason: "first found" },
      { recommendation_id: "b", status: "new", reason: "first found" },
      { recommendation_id: "c", status: "new", reason: "first found" },
      { recommendation_id: "a", status: "open", reason: "still open; savings 100.00 -> 130.00 USD" },
      { recommendation_id: "b", status: "superseded", reason: "superseded by b2: target m5.medium" },
      { recommendation_id: "b2", status: "new", reason: "first found" },
      { recommendation_id: "c", status: "resolved", reason: "the resource went away" },
      { recommendation_id: "a", status: "dismissed", reason: "kept for the quarter-end batch" },
      { recommendation_id: "a", status: "resolved", reason: "the resource went away" },
      { recommendation_id: "c", status: "new", reason: "found again after it was resolved" },
    ]);
    await w.close();
  });
});
