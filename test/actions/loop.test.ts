/**
 * The whole loop in the sandbox cloud, as a user runs it: the pipeline on a tiny generated estate;
 * `cco approvals export` as xlsx; the sheet edited with exceljs as a reviewer would (a few low-risk
 * rows of automated kinds approved, a note typed); `cco approvals import --as alice`; the executor
 * started by its node-cron schedule runs them; `cco sandbox advance` lets two days pass; `cco
 * actions run` verifies; `cco ingest` of the sandbox's billing and `cco models build`; then
 * marts.realized_savings shows the stopped VM's realized savings next to its estimate and `cco
 * audit verify` exits 0.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { SHEET_COLUMNS } from "../../actions/approvals/columns.ts";
import type { RunSummary } from "../../actions/executor/run.ts";
import { startExecutorSchedule } from "../../actions/executor/schedule.ts";
import { loadConfig } from "../../core/config.ts";
import { closeWarehouse, openWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import { runDemo } from "../helpers/demo.ts";
import { cco, ccoJson, compileCli } from "./executor/cco-cli.ts";

// Seed 2: an estate whose idle VMs include a low-risk one (seed 42's are all in production).
const CONFIG_YAML = `generate:
  seed: 2
  resources: 60
  days: 35
actions:
  mode: execute
  schedule: {cron: "* * * * * *", timezone: Europe/Paris}
  caps: {max_concurrent_per_account: 10}
`;
/** Reversible kinds a reviewer approves without a second pair of eyes; one row each. */
const REVIEWED_KINDS = ["stop_vm", "change_disk_type", "schedule_vm"];

let dataDir: string;
let sheetFile: string;
/** The rows the reviewer approved: recommendation id → kind. */
const approvedRows = new Map<string, string>();

/** One query on the warehouse, opened and closed around it (the CLI needs the file to itself). */
async function query<T>(sql: string): Promise<T[]> {
  const config = loadConfig({ configFile: path.join(dataDir, "cco.config.yaml"), dataDir, env: {} });
  const warehouse = await openWarehouse(config);
  try {
    return await warehouse.all<T>(sql);
  } finally {
    await closeWarehouse();
  }
}

beforeAll(async () => {
  await compileCli();
  ({ dataDir } = await runDemo(CONFIG_YAML));
  await closeWarehouse();
  sheetFile = path.join(dataDir, "review", "approvals.xlsx");
  mkdirSync(path.dirname(sheetFile), { recursive: true });
}, 240_000);

describe("the full loop in the sandbox", () => {
  it("exports the approval table as xlsx through the CLI", () => {
    const result = ccoJson<{ rows: number; file: string }>(dataDir, [
      "approvals",
      "export",
      "--format",
      "xlsx",
      "--out",
      sheetFile,
    ]);
    expect(result.file).toBe(sheetFile);
    expect(result.rows).toBeGreaterThan(REVIEWED_KINDS.length);
  });

  it("takes a reviewer's edits in the sheet, imported as alice", async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(sheetFile);
    const sheet = workbook.getWorksheet("approvals")!;
    const col = (name: (typeof SHEET_COLUMNS)[number]) => SHEET_COLUMNS.indexOf(name) + 1;
    const text = (row: ExcelJS.Row, name: (typeof SHEET_COLUMNS)[number]) =>
      String(row.getCell(col(name)).value ?? "");
    // The reviewer reads down the table (highest priority first) and approves the first low-risk
    // row of each kind they know, typing why.
    sheet.eachRow((row, n) => {
      const kind = text(row, "action_kind");
      if (n === 1 || !REVIEWED_KINDS.includes(kind) || [...approvedRows.values()].includes(kind)) return;
      if (text(row, "risk_level") !== "low" || text(row, "required_approvals") !== "1") return;
      row.getCell(col("decision")).value = "approve";
      row.getCell(col("note")).value = `ok to ${kind.replace("_", " ")}, checked with the owner`;
      approvedRows.set(text(row, "recommendation_id"), kind);
    });
    expect([...approvedRows.values()].sort()).toEqual([...REVIEWED_KINDS].sort());
    await workbook.xlsx.writeFile(sheetFile);

    const imported = ccoJson<{ applied: { recommendationId: string; decision: string }[] }>(dataDir, [
      "approvals",
      "import",
      sheetFile,
      "--as",
      "alice",
    ]);
    expect(imported.applied.map((a) => a.recommendationId).sort()).toEqual([...approvedRows.keys()].sort());
    const recorded = await query<{ recommendation_id: string; approver: string; note: string | null }>(
      "select recommendation_id, approver, note from ops.approvals",
    );
    expect(recorded).toHaveLength(approvedRows.size);
    for (const r of recorded) {
      expect(r.approver).toBe("alice");
      expect(r.note).toMatch(/checked with the owner/);
    }
  });

  it("runs the approved changes on the executor's node-cron schedule", async () => {
    const config = loadConfig({ configFile: path.join(dataDir, "cco.config.yaml"), dataDir, env: {} });
    const warehouse: Warehouse = await openWarehouse(config);
    const runs: RunSummary[] = [];
    const errors: unknown[] = [];
    try {
      const schedule = await startExecutorSchedule(warehouse, config, {
        onRun: (s) => runs.push(s),
        onError: (e) => errors.push(e),
      });
      try {
        const deadline = Date.now() + 30_000;
        while (!runs.length && !errors.length && Date.now() < deadline)
          await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        await schedule.stop();
      }
      // Every action was started by a run the schedule triggered (the pipeline's own run found none approved).
      const triggers = await warehouse.all<{ triggered_by: string }>(
        "select distinct r.triggered_by from ops.actions a join ops.action_runs r using (run_id)",
      );
      expect(triggers).toEqual([{ triggered_by: "schedule" }]);
    } finally {
      await closeWarehouse();
    }
    expect(errors).toEqual([]);
    const [first] = runs;
    expect(first?.trigger).toBe("schedule");
    expect(first?.mode).toBe("execute");
    expect(first?.actions.map((a) => [a.recommendation_id, a.state]).sort()).toEqual(
      [...approvedRows.keys()].map((id) => [id, "verifying"]).sort(),
    );
  }, 60_000);

  it("verifies them once two days have passed in the sandbox", () => {
    const advanced = ccoJson<{ days: string[] }>(dataDir, ["sandbox", "advance", "--days", "2"]);
    expect(advanced.days).toHaveLength(2);
    const verified = ccoJson<RunSummary>(dataDir, ["actions", "run"]);
    expect(verified.verified).toBe(approvedRows.size);
    expect(verified.started).toBe(0);
  });

  it("shows realized savings from the sandbox's billing next to the estimate", async () => {
    const ingest = cco(dataDir, ["ingest", path.join(dataDir, "sandbox", "exports")]);
    expect(ingest.status, ingest.stderr).toBe(0);
    const build = cco(dataDir, ["models", "build"]);
    expect(build.status, `${build.stderr}${build.stdout}`).toBe(0);
    const rows = await query<{
      recommendation_id: string;
      kind: string;
      state: string;
      days_after: number;
      estimated_monthly_savings: string;
      realized_monthly_savings: string | null;
    }>(
      `select recommendation_id, kind, state, days_after, estimated_monthly_savings::varchar as estimated_monthly_savings,
         realized_monthly_savings::varchar as realized_monthly_savings from marts.realized_savings`,
    );
    expect(rows.map((r) => [r.recommendation_id, r.state]).sort()).toEqual(
      [...approvedRows.keys()].map((id) => [id, "succeeded"]).sort(),
    );
    const stopped = rows.find((r) => r.kind === "stop_vm")!;
    expect(stopped.days_after).toBeGreaterThanOrEqual(1);
    expect(Number(stopped.estimated_monthly_savings)).toBeGreaterThan(0);
    expect(Number(stopped.realized_monthly_savings)).toBeGreaterThan(0);
  }, 180_000);

  it("leaves an audit log that verifies", () => {
    const audit = cco(dataDir, ["audit", "verify"]);
    expect(audit.status, `${audit.stderr}${audit.stdout}`).toBe(0);
    expect(audit.stdout).toMatch(/audit log intact/);
  });
});
