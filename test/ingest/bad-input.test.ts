import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { generateEstate, type GenerateResult } from "../../orchestrator/estate-generator/generate.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

let estate: GenerateResult;
beforeAll(async () => {
  estate = await generateEstate(
    { seed: 3, resources: 60, days: 20, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
});

let focusMonth: string;
/** The estate's OCI FOCUS reports for October (daily gzip files) as one plain month CSV. */
const focusFile = () => {
  if (focusMonth) return focusMonth;
  const days = estate.files.filter((f) => /FOCUS Reports\/2026\/10\/\d{2}\/[^/]+\.csv\.gz$/.test(f)).sort();
  const texts = days.map((f) => gunzipSync(readFileSync(f)).toString("utf8").trimEnd().split("\n"));
  focusMonth = path.join(tempDir(), "focus-oci-2026-10.csv");
  writeFileSync(focusMonth, `${[texts[0]![0], ...texts.flatMap((t) => t.slice(1))].join("\n")}\n`);
  return focusMonth;
};

describe("ingest of bad input", () => {
  it("names file, row and column of an unparsable number, and keeps what was loaded before", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const lake = tempDir();
    await ingestPaths(w, [focusFile()], { lakeDir: lake }, quiet);
    const before = await w.all(
      "select count(*)::varchar as n, sum(BilledCost::decimal(38,10))::varchar as s from raw.focus_cost_lines",
    );
    const dir = tempDir();
    const bad = path.join(dir, "focus-bad.csv");
    const lines = readFileSync(focusFile(), "utf8").split("\n");
    const header = lines[0]!.split(",");
    const cells = lines[3]!.split(",");
    cells[header.indexOf("BilledCost")] = "12,5x";
    writeFileSync(bad, [lines[0], lines[1], lines[2], cells.join(",").replace("12,5x", "12.5x")].join("\n"));
    const error = await ingestPaths(w, [bad], { lakeDir: lake }, quiet).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe(`${bad} (row 4, column BilledCost): expected a number, found "12.5x"`);
    expect(
      await w.all(
        "select count(*)::varchar as n, sum(BilledCost::decimal(38,10))::varchar as s from raw.focus_cost_lines",
      ),
    ).toEqual(before);
    const failed = await w.all<{ status: string; error: string }>(
      "select status, error from ops.loads where file_path = $1",
      [bad],
    );
    expect(failed).toEqual([{ status: "failed", error: error.message }]);
    await w.close();
  });

  it("names the missing required columns", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const dir = tempDir();
    const file = path.join(dir, "focus-missing.csv");
    const lines = readFileSync(focusFile(), "utf8").split("\n");
    writeFileSync(file, [lines[0]!.replace("ChargeCategory", "Category"), lines[1]].join("\n"));
    await expect(ingestPaths(w, [file], { lakeDir: dir }, quiet)).rejects.toThrow(
      /\(row 1, column ChargeCategory\): missing required column for focus: one of ChargeCategory \/ ChargeType$/,
    );
    await w.close();
  });

  it("rejects a file that is not a recognised export, and an empty file", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const dir = tempDir();
    writeFileSync(path.join(dir, "notes.csv"), "a,b\n1,2\n");
    await expect(ingestPaths(w, [path.join(dir, "notes.csv")], { lakeDir: dir }, quiet)).rejects.toThrow(
      /notes\.csv: not a recognised export/,
    );
    writeFileSync(path.join(dir, "empty.csv"), "");
    await expect(ingestPaths(w, [path.join(dir, "empty.csv")], { lakeDir: dir }, quiet)).rejects.toThrow(
      /empty\.csv \(row 1\): empty file/,
    );
    await w.close();
  });

  it("replaces a restated billing period as a whole, keeping the ledger history", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const dir = tempDir();
    const original = focusFile();
    await ingestPaths(w, [original], { lakeDir: dir }, quiet);
    mkdirSync(path.join(dir, "restated"));
    const restated = path.join(dir, "restated", path.basename(original));
    const lines = readFileSync(original, "utf8").trimEnd().split("\n");
    writeFileSync(restated, `${lines.slice(0, -1).join("\n")}\n`);
    const [result] = await ingestPaths(w, [restated], { lakeDir: dir }, quiet);
    expect(result!.status).toBe("replaced");
    const rows = await w.all<{ n: string }>("select count(*)::varchar as n from raw.focus_cost_lines");
    expect(Number(rows[0]!.n)).toBe(lines.length - 2);
    const ledger = await w.all<{ status: string }>("select status from ops.loads order by load_id");
    expect(ledger.map((l) => l.status)).toEqual(["loaded", "replaced"]);
    await w.close();
  });

  it("lands the parts of one month together, and a restated multi-part month replaces all its parts", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const dir = tempDir();
    const lines = readFileSync(focusFile(), "utf8").trimEnd().split("\n");
    const half = Math.floor(lines.length / 2);
    const write = (folder: string, first: string[], second: string[]) => {
      mkdirSync(path.join(dir, folder));
      writeFileSync(path.join(dir, folder, "part-1.csv"), `${[lines[0], ...first].join("\n")}\n`);
      writeFileSync(path.join(dir, folder, "part-2.csv"), `${[lines[0], ...second].join("\n")}\n`);
      return path.join(dir, folder);
    };
    const original = await ingestPaths(
      w,
      [write("v1", lines.slice(1, half), lines.slice(half))],
      { lakeDir: dir },
      quiet,
    );
    expect(original.map((r) => r.status)).toEqual(["loaded", "loaded"]);
    const count = async () =>
      Number((await w.all<{ n: string }>("select count(*)::varchar as n from raw.focus_cost_lines"))[0]!.n);
    expect(await count()).toBe(lines.length - 1);
    // The restatement drops one row from each part.
    const restated = await ingestPaths(
      w,
      [write("v2", lines.slice(2, half), lines.slice(half + 1))],
      { lakeDir: dir },
      quiet,
    );
    expect(restated.map((r) => r.status)).toEqual(["replaced", "replaced"]);
    expect(await count()).toBe(lines.length - 3);
    await w.close();
  });
});
