/**
 * The executor against the sandbox cloud on a tiny generated estate: approved rows of every
 * automated kind are executed, verified after the window of simulated time, a planted load surge
 * on a resized VM is rolled back, no operation applies twice, the audit chain holds, and the
 * billing the sandbox delivers afterwards shows in marts.realized_savings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { runExecutor } from "../../../actions/executor/run.ts";
import { advanceSandbox } from "../../../actions/providers/sandbox/advance.ts";
import { openSandbox } from "../../../actions/providers/sandbox/sandbox.ts";
import type { Config } from "../../../core/config.ts";
import { sandboxSchema } from "../../../core/sandbox-settings.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestStage, modelsStage } from "../../../orchestrator/stages.ts";
import { quiet } from "../../helpers/tmp.ts";
import { approvedEstate, closeWarehouse } from "./sandbox-estate.ts";

const KINDS = [
  "stop_vm",
  "resize_vm",
  "schedule_vm",
  "change_disk_type",
  "snapshot_delete_disk",
  "delete_snapshot",
  "release_address",
];
let warehouse: Warehouse;
let config: Config;
let approved: Record<string, string>;
let billed: string;
const noSleep = async () => undefined;

beforeAll(async () => {
  ({ warehouse, config, approved } = await approvedEstate(
    KINDS,
    new Date(Date.now() - 3_600_000).toISOString(),
  ));
  // The resized VM's workload triples from the sandbox's first hour: the change must be undone.
  config = {
    ...config,
    actions: {
      ...config.actions,
      sandbox: sandboxSchema.parse({ load_surges: [{ resource_id: approved.resize_vm, factor: 3 }] }),
    },
  };
}, 240_000);
afterAll(() => closeWarehouse());

const states = async () =>
  Object.fromEntries(
    (
      await warehouse.all<{ kind: string; state: string }>(
        "select kind, state from ops.actions where mode = 'execute'",
      )
    ).map((r) => [r.kind, r.state]),
  );

describe("the executor in the sandbox", () => {
  it("executes every approved kind, verifies after the window, rolls back the saturated resize", async () => {
    expect(Object.keys(approved).length).toBeGreaterThanOrEqual(4);
    const first = await runExecutor(warehouse, config, { trigger: "cli", sleep: noSleep });
    expect(first.started, JSON.stringify([first.skipped, approved])).toBe(Object.keys(approved).length);
    expect(
      Object.values(await states()).every((s) => s === "verifying"),
      JSON.stringify(first.actions),
    ).toBe(true);

    billed = (await advanceSandbox(config, warehouse, { days: 2 })).outDir;
    const second = await runExecutor(warehouse, config, { trigger: "cli", sleep: noSleep });
    expect(second.verified).toBe(Object.keys(approved).length);
    const after = await states();
    expect(after.resize_vm).toBe("rolled_back");
    for (const kind of Object.keys(approved).filter((k) => k !== "resize_vm"))
      expect(after[kind], kind).toBe("succeeded");

    const [resized] = await warehouse.all<{ verification: string }>(
      "select verification::varchar as verification from ops.actions where kind = 'resize_vm'",
    );
    expect(JSON.parse(resized!.verification)).toMatchObject({ decision: "degraded" });

    // No token applied twice, no change applied twice to one resource.
    const sandbox = await openSandbox(config, warehouse);
    const applied = sandbox.state().requests.filter((r) => r.call === "perform" && r.applied);
    expect(new Set(applied.map((r) => r.token)).size).toBe(applied.length);
    expect((await verifyAudit(warehouse)).intact).toBe(true);
  }, 240_000);

  it("shows realized savings from the billing the sandbox delivers", async () => {
    await ingestStage(warehouse, config, [billed], {}, quiet);
    const build = await modelsStage(
      warehouse,
      config,
      { runModels: true, runTests: true, select: ["+realized_savings"] },
      quiet,
    );
    expect(build.failed).toBe(0);
    const rows = await warehouse.all<{
      kind: string;
      days_after: number;
      realized_monthly_savings: string | null;
      estimated_monthly_savings: string;
    }>(
      "select kind, days_after, realized_monthly_savings::varchar as realized_monthly_savings, estimated_monthly_savings::varchar as estimated_monthly_savings from marts.realized_savings",
    );
    expect(rows).toHaveLength(Object.keys(approved).length);
    const stopped = rows.find((r) => r.kind === "stop_vm")!;
    expect(stopped.days_after).toBeGreaterThanOrEqual(1);
    expect(Number(stopped.realized_monthly_savings)).toBeGreaterThan(0);
  }, 240_000);
});
