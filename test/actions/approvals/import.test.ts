/**
 * The approval table end to end on a tiny demo estate: export xlsx, edit it with exceljs as a user
 * would, import; every import error with its row and column; all or nothing; the etag; export
 * refusing to overwrite decisions not imported.
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { SHEET_COLUMNS } from "../../../actions/approvals/columns.ts";
import {
  DecisionsRejectedError,
  importDecisions,
  parseExecuteAfter,
} from "../../../actions/approvals/decisions.ts";
import {
  exportApprovals,
  PendingDecisionsError,
  writePipelineApprovalTable,
} from "../../../actions/approvals/export.ts";
import { refreshApprovalQueue } from "../../../actions/approvals/queue.ts";
import { readCsvRows } from "../../../actions/approvals/sheet.ts";
import type { Config } from "../../../core/config.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { runDemo } from "../../helpers/demo.ts";

let warehouse: Warehouse;
let config: Config;
let dir: string;
/** The table as exported in the first test, before anyone typed into it. */
const pristine = () => path.join(dir, "pristine.xlsx");

beforeAll(async () => {
  ({ warehouse, config, dataDir: dir } = await runDemo("generate:\n  resources: 60\n  days: 35\n"));
});

/** Open the exported workbook, set cells by recommendation id and column, save as `out`: what a user does. */
async function edit(out: string, edits: Record<string, Partial<Record<string, string | Date>>>) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(pristine());
  const sheet = workbook.getWorksheet("approvals")!;
  const col = (name: string) => SHEET_COLUMNS.indexOf(name as never) + 1;
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const cells = edits[String(row.getCell(col("recommendation_id")).value)];
    for (const [name, value] of Object.entries(cells ?? {})) row.getCell(col(name)).value = value ?? null;
  });
  await workbook.xlsx.writeFile(out);
}

async function rowsOf(detector: string) {
  return warehouse.all<{ id: string; row: number; irreversible: boolean; required: number }>(
    `select recommendation_id as id, irreversible, required_approvals as required,
       (1 + row_number() over (order by priority desc nulls last, estimated_monthly_savings desc, recommendation_id))::integer as row
     from ops.approval_queue qualify detector = $1 order by row`,
    [detector],
  );
}

const rejected = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DecisionsRejectedError);
  return (error as DecisionsRejectedError).problems.map((p) => ({
    row: p.row,
    column: p.column,
    reason: p.reason,
  }));
};

const approvalsCount = async () =>
  (await warehouse.all<{ n: number }>("select count(*)::integer as n from ops.approvals"))[0]!.n;

describe("approval table", () => {
  it("exports an xlsx with a decision dropdown, locked read-only cells, a frozen header and risk fills", async () => {
    const file = path.join(dir, "exports", "approvals.xlsx");
    const result = await exportApprovals(warehouse, config, { out: file });
    copyFileSync(file, pristine());
    const [queued] = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from ops.approval_queue",
    );
    expect(result.rows).toBe(queued!.n);
    expect(result.rows).toBeGreaterThan(10);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(file);
    const sheet = workbook.getWorksheet("approvals")!;
    expect(sheet.getRow(1).values).toEqual([undefined, ...SHEET_COLUMNS]);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.rowCount).toBe(result.rows + 1);
    const cell = (name: string) => sheet.getRow(2).getCell(SHEET_COLUMNS.indexOf(name as never) + 1);
    expect(cell("decision").dataValidation).toMatchObject({
      type: "list",
      formulae: ['"approve,reject,defer"'],
    });
    expect(cell("decision").protection).toMatchObject({ locked: false });
    expect(cell("note").protection).toMatchObject({ locked: false });
    expect(cell("resource_id").protection?.locked ?? true).toBe(true);
    expect(cell("estimated_monthly_savings").numFmt).toBe("#,##0.00");
    expect(typeof cell("estimated_monthly_savings").value).toBe("number");
    // Sheet protection is on (without a password), so the locked cells are read-only in Excel.
    expect((sheet as unknown as { sheetProtection: { sheet: boolean } }).sheetProtection.sheet).toBe(true);
    const fills = new Map<string, Set<string | undefined>>();
    sheet.eachRow((row, n) => {
      if (n === 1) return;
      const risk = String(row.getCell(SHEET_COLUMNS.indexOf("risk_level") + 1).value);
      const argb = (row.getCell(SHEET_COLUMNS.indexOf("resource_id") + 1).fill as ExcelJS.FillPattern).fgColor
        ?.argb;
      fills.set(risk, (fills.get(risk) ?? new Set()).add(argb));
    });
    expect(Object.fromEntries([...fills].map(([risk, argbs]) => [risk, [...argbs]]))).toEqual({
      low: ["FFE2F0D9"],
      medium: ["FFFFF2CC"],
      high: ["FFF8D7DA"],
    });
  });

  it("imports the decisions typed into the xlsx, appending them with the file's checksum and an audit entry", async () => {
    const file = path.join(dir, "exports", "approvals.xlsx");
    const [low] = await rowsOf("rightsizing");
    const [schedule] = await rowsOf("schedule");
    const [address] = await rowsOf("idle_address");
    expect(address!.irreversible).toBe(true);
    await edit(file, {
      [low!.id]: { decision: "approve", execute_after: "2030-01-01T08:00+02:00", note: "owner agreed" },
      [schedule!.id]: { decision: "Reject" },
      [address!.id]: { decision: "approve", acknowledge_irreversible: "yes" },
    });
    const result = await importDecisions(warehouse, config, file, "alice", {
      now: new Date("2029-12-28T00:00:00Z"),
    });
    expect(result.applied.map((a) => a.decision).sort()).toEqual(["approve", "approve", "reject"]);
    const rows = await warehouse.all<Record<string, unknown>>(
      `select recommendation_id, decision, approver, execute_after::varchar as execute_after, expires_at::varchar as expires_at,
         acknowledge_irreversible, note, source, source_sha256 from ops.approvals order by decision, recommendation_id`,
    );
    expect(rows).toContainEqual({
      recommendation_id: low!.id,
      decision: "approve",
      approver: "alice",
      execute_after: "2030-01-01 06:00:00+00",
      expires_at: "2030-01-04 00:00:00+00",
      acknowledge_irreversible: false,
      note: "owner agreed",
      source: file,
      source_sha256: result.sha256,
    });
    expect(rows.find((r) => r.recommendation_id === schedule!.id)).toMatchObject({ decision: "reject" });
    const audit = await warehouse.all<{ subject: string; actor: string }>(
      "select subject, actor from ops.audit_log where event = 'approval.decided' order by seq",
    );
    expect(audit.map((a) => a.subject).sort()).toEqual([low!.id, schedule!.id, address!.id].sort());
    expect(new Set(audit.map((a) => a.actor))).toEqual(new Set(["alice"]));
  });

  it("lists every bad row with its row, column and reason, and applies nothing", async () => {
    const bad = path.join(dir, "bad.xlsx");
    const [rightsizing] = await rowsOf("rightsizing");
    const [snapshot] = await rowsOf("old_snapshot");
    const [gp2] = await rowsOf("gp2_volume");
    const [idle, idle2] = await rowsOf("idle_vm");
    const [purchase, purchase2, purchase3] = await rowsOf("commitment_purchase");
    const [unattached] = await rowsOf("unattached_volume");
    await edit(bad, {
      [rightsizing!.id]: { decision: "approve" }, // alice approved this version already
      [snapshot!.id]: { decision: "approve" }, // irreversible without acknowledgement
      [gp2!.id]: { decision: "maybe" },
      [idle!.id]: { decision: "defer", execute_after: "2026-02-30" },
      [idle2!.id]: { decision: "approve", target_configuration: "t3.nano" },
      [purchase!.id]: { decision: "approve", acknowledge_irreversible: "sure" },
      [purchase2!.id]: { decision: "approve", version: "0123" },
      [purchase3!.id]: { decision: "reject", recommendation_id: "no-such-id" },
      [unattached!.id]: { decision: "approve", execute_after: "2040-01-01" },
    });
    // A second row for one recommendation: copy a decided row to the end.
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(bad);
    const sheet = workbook.getWorksheet("approvals")!;
    const last = sheet.rowCount + 1;
    sheet.getRow(last).values = sheet.getRow(gp2!.row).values as ExcelJS.CellValue[];
    sheet.getRow(last).getCell(1).value = "reject";
    await workbook.xlsx.writeFile(bad);
    const before = await approvalsCount();
    const problems = await rejected(
      importDecisions(warehouse, config, bad, "alice", { now: new Date("2029-12-29T00:00:00Z") }),
    );
    const expected: [number, string, RegExp][] = [
      [rightsizing!.row, "decision", /alice already approved this version on 2029-12-28/],
      [
        snapshot!.row,
        "acknowledge_irreversible",
        /delete_snapshot cannot be undone: .*acknowledge_irreversible = yes/,
      ],
      [gp2!.row, "decision", /'maybe' is not a decision: approve, reject or defer/],
      [idle!.row, "execute_after", /'2026-02-30' is not a date or datetime/],
      [idle2!.row, "target_configuration", /read-only cell edited: 't3.nano' in the file, '' as exported/],
      [purchase!.row, "acknowledge_irreversible", /'sure': write yes, or leave blank/],
      [purchase2!.row, "version", /the recommendation changed since export \(version 0123 in the file/],
      [purchase3!.row, "recommendation_id", /no-such-id is not in the approval queue/],
      [unattached!.row, "execute_after", /is after the approval expires/],
      [last, "recommendation_id", new RegExp(`a second row for ${gp2!.id} \\(first at row ${gp2!.row}\\)`)],
    ];
    for (const [row, column, reason] of expected) {
      expect(problems, `row ${row} ${column}`).toContainEqual({
        row,
        column,
        reason: expect.stringMatching(reason),
      });
    }
    expect(problems).toHaveLength(expected.length);
    expect(await approvalsCount()).toBe(before);
  });

  it("refuses a row whose recommendation changed after export (etag)", async () => {
    const etag = path.join(dir, "etag.xlsx");
    const [, second] = await rowsOf("schedule");
    await edit(etag, { [second!.id]: { decision: "approve" } });
    await warehouse.run(
      "update marts.recommendations set target_configuration = 'off 20:00-06:00' where recommendation_id = $1",
      [second!.id],
    );
    await refreshApprovalQueue(warehouse, config);
    const problems = await rejected(importDecisions(warehouse, config, etag, "bob"));
    expect(problems).toEqual([
      { row: second!.row, column: "version", reason: expect.stringMatching(/changed since export/) },
    ]);
  });

  it("reads CSV from any sheet tool: BOM, CRLF, semicolons, quoted line breaks, the row numbers kept", () => {
    const file = path.join(dir, "tool.csv");
    writeFileSync(file, '\uFEFFa;b\r\n1;"x\r\ny"\r\n2;z\r\n');
    expect(readCsvRows(file)).toEqual({
      header: ["a", "b"],
      rows: [
        { row: 2, values: ["1", "x\r\ny"] },
        { row: 4, values: ["2", "z"] },
      ],
    });
  });

  it("parses execute_after as ISO, UTC unless an offset is given", () => {
    expect(parseExecuteAfter("2026-11-03")?.toISOString()).toBe("2026-11-03T00:00:00.000Z");
    expect(parseExecuteAfter("2026-11-03 22:30")?.toISOString()).toBe("2026-11-03T22:30:00.000Z");
    expect(parseExecuteAfter("2026-11-03T22:30:00-0130")?.toISOString()).toBe("2026-11-04T00:00:00.000Z");
    for (const bad of ["2026-13-01", "03/11/2026", "2026-11-03T25:00", "tomorrow"]) {
      expect(parseExecuteAfter(bad), bad).toBeUndefined();
    }
  });

  it("refuses to overwrite a table holding decisions not imported, imports them first when asked, keeps the previous file", async () => {
    const file = path.join(dir, "exports", "approvals.csv");
    await exportApprovals(warehouse, config, { out: file, now: new Date("2030-01-01T00:00:00Z") });
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines[0]).toBe(SHEET_COLUMNS.join(","));
    // A user types a decision into the CSV (first column), as a sheet tool saves it.
    const [purchase] = await rowsOf("commitment_purchase");
    const at = lines.findIndex((l) => l.includes(purchase!.id));
    lines[at] = `approve${lines[at]}`;
    writeFileSync(file, lines.join("\r\n"));
    const typed = readFileSync(file, "utf8");
    const error = await exportApprovals(warehouse, config, { out: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PendingDecisionsError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `holds 1 decision not imported yet \\(row ${at + 1}\\); import it first .*--import-first --as <you>.*--force`,
      ),
    );
    expect(readFileSync(file, "utf8")).toBe(typed);
    // The pipeline writes beside it and warns instead.
    const warnings: string[] = [];
    const pipeline = await writePipelineApprovalTable(warehouse, config, (w) => warnings.push(w));
    expect(pipeline.file).not.toBe(file);
    expect(pipeline.keptPending).toBe(1);
    expect(existsSync(pipeline.file)).toBe(true);
    expect(warnings[0]).toMatch(/holds 1 decisions not imported yet; it was left alone/);
    expect(readFileSync(file, "utf8")).toBe(typed);
    // --import-first: the typed decision lands, then the table is replaced; the old one is kept.
    const result = await exportApprovals(warehouse, config, { out: file, importFirstAs: "carol" });
    expect(result.imported?.applied).toEqual([
      expect.objectContaining({ recommendationId: purchase!.id, decision: "approve", row: at + 1 }),
    ]);
    expect(readFileSync(result.previous!, "utf8")).toBe(typed);
    expect(readFileSync(file, "utf8")).not.toContain("\napprove");
    // Nothing pending any more: the pipeline writes approvals.csv itself.
    expect((await writePipelineApprovalTable(warehouse, config, () => undefined)).file).toBe(file);
  });

  it("overwrites pending decisions only with --force, keeping them in a dated copy", async () => {
    const file = path.join(dir, "exports", "forced.csv");
    await exportApprovals(warehouse, config, { out: file });
    const lines = readFileSync(file, "utf8").split("\n");
    lines[1] = `defer${lines[1]}`;
    writeFileSync(file, lines.join("\n"));
    const result = await exportApprovals(warehouse, config, { out: file, force: true });
    expect(result.discarded?.rows).toBe(1);
    expect(readFileSync(result.discarded!.keptIn, "utf8")).toContain("\ndefer");
  });
});
