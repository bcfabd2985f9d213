/**
 * The approval table importers (CSV and XLSX), fuzzed: any bytes under either name; an exported
 * workbook with its XML broken; and an exported table whose cells hold whatever a sheet tool or a
 * user can put there (rich text, formulas, error cells, dates valid and not, huge text, numbers
 * where text was). `cco approvals import` either applies the decisions or refuses with a CcoError
 * naming the file, and a refusal applies nothing (all or nothing).
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import fc from "fast-check";
import { unzipSync, zipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import { cellText, SHEET_COLUMNS } from "../../../actions/approvals/columns.ts";
import { importDecisions } from "../../../actions/approvals/decisions.ts";
import { readQueue } from "../../../actions/approvals/queue.ts";
import { readCsvRows, readSheet, writeSheet } from "../../../actions/approvals/sheet.ts";
import { csvLine } from "../../../core/csv.ts";
import type { Config } from "../../../core/config.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { runDemo } from "../../helpers/demo.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { bounded, expectClearRefusal, FUZZ_TIMEOUT, runs, seed, Tally } from "./harness.ts";

const dir = tempDir("cco-fuzz-");
let n = 0;
const fileNamed = (ext: string) => path.join(dir, `table-${n++}.${ext}`);

/** readSheet either gives rows or refuses with a CcoError naming the file. */
async function readOrRefuse(file: string): Promise<"read" | "rejected"> {
  try {
    await bounded(`reading ${file}`, 20_000, () => readSheet(file));
    return "read";
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("hang:")) throw error;
    expectClearRefusal(error, file);
    return "rejected";
  }
}

describe("approval table files of any bytes", () => {
  it(
    "are read or refused clearly, as .csv and as .xlsx",
    async () => {
      const tally = new Tally("approvals-bytes");
      const header = `${SHEET_COLUMNS.join(",")}\n`;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("csv", "xlsx"),
          fc.oneof(
            fc.uint8Array({ maxLength: 2048 }),
            fc.string({ maxLength: 500 }).map((s) => new TextEncoder().encode(header + s)),
            fc
              .array(fc.constantFrom(",", ";", "\t", '"', "\n", "\r", "a", "\uFEFF", "\u0000"), {
                maxLength: 300,
              })
              .map((parts) => new TextEncoder().encode(parts.join(""))),
          ),
          async (ext, bytes) => {
            const file = fileNamed(ext);
            writeFileSync(file, bytes);
            tally.add(`${ext} ${await readOrRefuse(file)}`);
          },
        ),
        { numRuns: runs(100), ...seed() },
      );
      tally.report();
    },
    FUZZ_TIMEOUT,
  );
});

describe("approval tables exported from a demo estate, then broken", () => {
  let warehouse: Warehouse;
  let config: Config;
  let exported: { xlsx: Buffer };
  let csvFile: string;

  beforeAll(async () => {
    ({ warehouse, config } = await runDemo("generate:\n  resources: 20\n  days: 35\n"));
    const rows = await readQueue(warehouse);
    expect(rows.length).toBeGreaterThan(2);
    const xlsx = fileNamed("xlsx");
    csvFile = fileNamed("csv");
    await writeSheet(xlsx, "xlsx", rows);
    await writeSheet(csvFile, "csv", rows);
    exported = { xlsx: readFileSync(xlsx) };
  });

  const decisionsRecorded = async () =>
    (await warehouse.all<{ n: string }>("select count(*)::varchar as n from ops.approvals"))[0]!.n;

  /** Import `file`: applied, or refused clearly with nothing applied. */
  async function importOrRefuse(file: string): Promise<"applied" | "rejected"> {
    const before = await decisionsRecorded();
    try {
      await bounded(`importing ${file}`, 30_000, () =>
        importDecisions(warehouse, config, file, "fuzz@example.com"),
      );
      return "applied";
    } catch (error) {
      if (error instanceof Error && error.message.startsWith("hang:")) throw error;
      expectClearRefusal(error, file);
      expect(await decisionsRecorded(), "all or nothing").toBe(before);
      return "rejected";
    }
  }

  it(
    "an xlsx whose XML is truncated, bit-flipped or given odd cells is imported or refused clearly",
    async () => {
      const tally = new Tally("approvals-xlsx-xml");
      const parts = unzipSync(exported.xlsx);
      const sheetPart = Object.keys(parts).find((p) => /worksheets\/sheet1\.xml$/.test(p))!;
      const xml = Buffer.from(parts[sheetPart]!).toString("utf8");
      /** Cells of every type the format has, some contradicting themselves. */
      const oddCell = fc.constantFrom(
        '<c r="A2" t="e"><v>#N/A</v></c>',
        '<c r="A2" t="s"><v>99999</v></c>',
        '<c r="A2" t="b"><v>2</v></c>',
        '<c r="A2" t="d"><v>not a date</v></c>',
        '<c r="A2" t="n"><v>1e400</v></c>',
        '<c r="A2" s="999"><v>45000.5</v></c>',
        '<c r="A2" t="inlineStr"><is><t>approve</t></is></c>',
        '<c r="A2"><f>1/0</f></c>',
        '<c r="ZZZZ99999999"><v>1</v></c>',
        '<c r="C2" t="str"><v>9999-99-99</v></c>',
        `<c r="D2" t="inlineStr"><is><t>${"x".repeat(40000)}</t></is></c>`,
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            fc.record({ kind: fc.constant("cut"), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
            fc.record({
              kind: fc.constant("flip"),
              at: fc.double({ min: 0, max: 1, noNaN: true }),
              bit: fc.nat(7),
            }),
            fc.record({ kind: fc.constant("cell"), cell: oddCell }),
          ),
          async (mutation) => {
            let sheet = xml;
            if (mutation.kind === "cut") sheet = xml.slice(0, Math.floor(mutation.at * xml.length));
            else if (mutation.kind === "flip") {
              const i = Math.floor(mutation.at * (xml.length - 1));
              sheet =
                xml.slice(0, i) +
                String.fromCharCode(xml.charCodeAt(i) ^ (1 << mutation.bit)) +
                xml.slice(i + 1);
            } else sheet = xml.replace(/<c r="A2"[^>]*?(\/>|>.*?<\/c>)/, mutation.cell);
            const file = fileNamed("xlsx");
            writeFileSync(file, zipSync({ ...parts, [sheetPart]: Buffer.from(sheet, "utf8") }));
            tally.add(`${mutation.kind} ${await importOrRefuse(file)}`);
          },
        ),
        { numRuns: runs(60), ...seed() },
      );
      tally.report();
    },
    FUZZ_TIMEOUT,
  );

  /** What a cell can hold after a person and a sheet tool had it (exceljs values). */
  const cellValue = fc.oneof(
    fc.constantFrom(
      "approve",
      "reject",
      "defer",
      "APPROVE ",
      "yes",
      "",
      "2026-13-45",
      "2026-11-03T22:00+02:00",
    ),
    fc.string({ maxLength: 30 }),
    fc.constant("y".repeat(100_000)),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom(new Date(Number.NaN), new Date("2026-11-03T00:00:00Z"), new Date(8.64e15)),
    fc.constant({ richText: [{ text: "app" }, { text: "rove" }] }),
    fc.constant({ formula: "1/0", result: { error: "#DIV/0!" } }),
    fc.constant({ error: "#N/A" }),
    fc.constant({ text: "approve", hyperlink: "https://example.com" }),
  );

  it(
    "a table whose cells hold anything a sheet can is imported or refused clearly",
    async () => {
      const tally = new Tally("approvals-cells");
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom("xlsx", "csv"),
          fc.array(
            fc.record({
              row: fc.nat({ max: 4 }),
              column: fc.constantFrom(
                ...SHEET_COLUMNS,
                "decision",
                "decision",
                "execute_after",
                "acknowledge_irreversible",
              ),
              value: cellValue,
            }),
            { minLength: 1, maxLength: 5 },
          ),
          async (ext, edits) => {
            const file = fileNamed(ext);
            if (ext === "xlsx") {
              const workbook = new ExcelJS.Workbook();
              await workbook.xlsx.load(exported.xlsx as unknown as ArrayBuffer);
              const sheet = workbook.worksheets[0]!;
              for (const e of edits) {
                const cell = sheet.getRow(e.row + 2).getCell(SHEET_COLUMNS.indexOf(e.column) + 1);
                cell.value = e.value as ExcelJS.CellValue;
              }
              await workbook.xlsx.writeFile(file);
            } else {
              // A CSV holds text only: what a sheet tool writes for each value.
              const { header, rows } = readCsvRows(csvFile);
              for (const e of edits) {
                const cells = rows[e.row]!.values;
                cells[header.indexOf(e.column)] =
                  e.value instanceof Date ? String(e.value) : cellText(e.value);
              }
              writeFileSync(file, `${[header, ...rows.map((r) => r.values)].map(csvLine).join("\r\n")}\r\n`);
            }
            tally.add(`${ext} ${await importOrRefuse(file)}`);
          },
        ),
        { numRuns: runs(60), ...seed() },
      );
      tally.report();
    },
    FUZZ_TIMEOUT,
  );
});
