/**
 * The pipeline's actions stage in the demo: the demo approver approves low-risk rows, the sandbox
 * executes and verifies them; running the demo again in the same data directory neither fails on
 * the earlier approvals nor approves and changes more resources.
 */
import { describe, expect, it } from "vitest";
import { closeWarehouse } from "../../core/warehouse/warehouse.ts";
import { runPipeline } from "../../orchestrator/pipeline.ts";
import { runDemo } from "../helpers/demo.ts";
import { quiet } from "../helpers/tmp.ts";

describe("the demo's actions stage", () => {
  it("approves and executes once, and a second demo run in the same directory completes without more changes", async () => {
    const { warehouse, config } = await runDemo("generate:\n  seed: 7\n  resources: 80\n  days: 35\n", {
      demoActions: true,
    });
    try {
      const actions = async () =>
        warehouse.all<{ action_id: string; kind: string; state: string }>(
          "select action_id, kind, state from ops.actions where mode = 'execute' order by action_id",
        );
      const first = await actions();
      expect(first.length).toBeGreaterThan(0);
      // Kept, undone, or (started late by the per-account cap) still in its verification window.
      expect(
        first.every((a) => ["succeeded", "rolled_back", "verifying"].includes(a.state)),
        JSON.stringify(first),
      ).toBe(true);
      expect(first.some((a) => a.state === "rolled_back")).toBe(true);
      const approvals = await warehouse.all("select approval_id from ops.approvals");

      const again = await runPipeline(
        warehouse,
        config,
        { demo: true, inputs: [], demoActions: true },
        quiet,
      );
      expect(again.actions).toMatchObject({ mode: "execute", approved: 0 });
      // Nothing new to load, model or recommend: only the actions (and what shows them) run again.
      const skipped = again.steps.filter((s) => s.status === "skipped").map((s) => s.name);
      expect(skipped).toEqual(expect.arrayContaining(["generate", "ingest", "models", "ml", "recommend"]));
      expect(again.steps.find((s) => s.name === "actions")?.status).toBe("succeeded");
      // No new action: the same ones, each at most moved on from verifying.
      expect((await actions()).map((a) => a.action_id)).toEqual(first.map((a) => a.action_id));
      expect(await warehouse.all("select approval_id from ops.approvals")).toEqual(approvals);
    } finally {
      await closeWarehouse();
    }
  }, 300_000);
});
