/** ZIP-compressed exports: the one CSV inside loads; anything else is refused naming the file, and nothing lands. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { InputError } from "../../core/errors.ts";
import { countRows } from "../../core/sql.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { FIXTURES, quiet, tempDir } from "../helpers/tmp.ts";

const CUR = readFileSync(path.join(FIXTURES, "aws/cur_legacy_anon_focusconv.csv"));

async function load(
  entries: Record<string, Uint8Array>,
  cut = 0,
): Promise<{ error?: InputError; rows: number }> {
  const file = path.join(tempDir(), "report-00001.csv.zip");
  const zip = zipSync(entries);
  writeFileSync(file, zip.subarray(0, zip.length - cut));
  const w = await Warehouse.open({ path: ":memory:" });
  const error = await ingestPaths(w, [file], { lakeDir: tempDir() }, quiet).then(
    () => undefined,
    (e) => e as InputError,
  );
  const rows = await countRows(w, "ops.load_parts");
  await w.close();
  return { ...(error ? { error } : {}), rows };
}

describe("ZIP exports", () => {
  it("load the CSV inside, whatever the member is called", async () => {
    expect(await load({ "sample_billing_data.csv": CUR })).toEqual({ rows: 1 });
  });

  it("refuse an archive with two files, a non-CSV member, or a truncated archive", async () => {
    const two = await load({ "a.csv": CUR, "b.csv": CUR });
    expect(two.error?.message).toMatch(
      /report-00001\.csv\.zip: the ZIP archive holds 2 files; expected one CSV export$/,
    );
    const other = await load({ "report.parquet": CUR });
    expect(other.error?.message).toMatch(
      /report-00001\.csv\.zip: the ZIP archive holds report\.parquet, not a CSV export$/,
    );
    const truncated = await load({ "a.csv": CUR }, 200);
    expect(truncated.error?.message).toMatch(/report-00001\.csv\.zip: /);
    for (const r of [two, other, truncated]) expect(r.rows).toBe(0);
  });
});
