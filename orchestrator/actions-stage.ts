/**
 * The pipeline's last stage before the report: approved, due rows of the approval table are
 * executed (dry run unless `actions.mode: execute`) and earlier changes verified. In the demo
 * the sandbox cloud stands in for the providers: a demo approver approves the top low-risk
 * rows, the executor changes them in the sandbox, the sandbox's clock moves past the
 * verification window, and the second run verifies them; one resized VM's workload is made to
 * triple (a planted load surge), so the demo shows a change undone because it hurt.
 */
import type { Config } from "../core/config.ts";
import type { Progress } from "../core/log.ts";
import { sandboxSchema } from "../core/sandbox-settings.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";

export interface ActionsStageResult {
  mode: "dry_run" | "execute";
  approved: number;
  states: Record<string, number>;
  rolledBack: string[];
}

/** Kinds the demo approves, one row each where the estate has one, in this order. */
const DEMO_KINDS = ["resize_vm", "stop_vm", "schedule_vm", "change_disk_type", "snapshot_delete_disk"];

export async function actionsStage(
  warehouse: Warehouse,
  config: Config,
  progress: Progress,
  options: { demo: boolean },
): Promise<ActionsStageResult> {
  const { runExecutor } = await import("../actions/executor/run.ts");
  if (!options.demo) {
    const run = await progress.step(`Running due approved actions (${config.actions.mode})`, () =>
      runExecutor(warehouse, config, { trigger: "pipeline" }),
    );
    return summarize(warehouse, run.mode, 0);
  }
  const approved = await progress.step("Approving the top low-risk rows as the demo approver", () =>
    approveForDemo(warehouse, config),
  );
  // The sandbox executes for real; the first resize's workload triples from its first hour.
  const resized = approved.find((a) => a.kind === "resize_vm");
  const demoConfig: Config = {
    ...config,
    actions: {
      ...config.actions,
      mode: "execute",
      sandbox: sandboxSchema.parse({
        ...config.actions.sandbox,
        load_surges: resized ? [{ resource_id: resized.resourceId, factor: 3 }] : [],
      }),
    },
  };
  await progress.step("Executing the approved changes in the sandbox cloud", () =>
    runExecutor(warehouse, demoConfig, { trigger: "pipeline" }),
  );
  const { advanceSandbox } = await import("../actions/providers/sandbox/advance.ts");
  await progress.step("Letting a day pass in the sandbox (metrics and billing after the change)", () =>
    advanceSandbox(demoConfig, warehouse, { days: 1 }),
  );
  await progress.step("Verifying the changes against fresh metrics and the prediction", () =>
    runExecutor(warehouse, demoConfig, { trigger: "pipeline" }),
  );
  return summarize(warehouse, "execute", approved.length);
}

/** One low-risk row per demo kind, approved by `approvals.demo_approver` through the rules. */
async function approveForDemo(
  warehouse: Warehouse,
  config: Config,
): Promise<{ kind: string; resourceId: string }[]> {
  const { decideOne } = await import("../actions/approvals/decisions.ts");
  const approved: { kind: string; resourceId: string }[] = [];
  // A demo run again in the same data directory: the demo approver has decided already, and the
  // executor finds those changes done; approving more rows each run would keep changing the estate.
  const [earlier] = await warehouse.all<{ n: number }>(
    "select count(*)::integer as n from ops.approvals where approver = $1",
    [config.approvals.demo_approver],
  );
  if (earlier!.n > 0) return approved;
  for (const kind of DEMO_KINDS) {
    const [row] = await warehouse.all<{ recommendation_id: string; resource_id: string }>(
      `select recommendation_id, resource_id from ops.approval_queue
       where action_kind = $1 and risk_level = 'low' and required_approvals = 1
       order by priority desc nulls last, estimated_monthly_savings desc, recommendation_id limit 1`,
      [kind],
    );
    if (!row) continue;
    await decideOne(warehouse, config, {
      recommendationId: row.recommendation_id,
      decision: "approve",
      approver: config.approvals.demo_approver,
      note: "approved by the demo",
    });
    approved.push({ kind, resourceId: row.resource_id });
  }
  return approved;
}

async function summarize(
  warehouse: Warehouse,
  mode: "dry_run" | "execute",
  approved: number,
): Promise<ActionsStageResult> {
  const rows = await warehouse.all<{ state: string; n: number; kind: string; resource_id: string }>(
    "select state, kind, resource_id, count(*) over (partition by state)::integer as n from ops.actions where mode = $1",
    [mode],
  );
  const states: Record<string, number> = {};
  for (const r of rows) states[r.state] = r.n;
  const rolledBack = rows.filter((r) => r.state === "rolled_back").map((r) => `${r.kind} ${r.resource_id}`);
  return { mode, approved, states, rolledBack };
}
