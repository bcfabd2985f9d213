/** CUR manifests: the files they list are the month; older assemblies are skipped; missing files are an error. */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { generateEstate, type GenerateResult } from "../../orchestrator/estate-generator/generate.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

let estate: GenerateResult;
beforeAll(async () => {
  estate = await generateEstate(
    { seed: 5, resources: 60, days: 20, endDate: "2026-10-31" },
    tempDir(),
    quiet,
  );
});

const legacyMonth = () =>
  path.dirname(
    path.dirname(estate.files.find((f) => /cur-legacy.*20261001-20261101\/.*\.csv\.gz$/.test(f))!),
  );

describe("CUR manifests", () => {
  it("load only the assembly the manifest lists, skipping older ones", async () => {
    const month = legacyMonth();
    const listed = estate.files.find((f) => f.startsWith(month) && f.endsWith(".csv.gz"))!;
    // An older assembly of the same month left beside the current one.
    const older = path.join(month, "00000000-0000-4000-a000-000000000001", "acme-research-cur-1.csv.gz");
    mkdirSync(path.dirname(older), { recursive: true });
    copyFileSync(listed, older);
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [month], { lakeDir: tempDir() }, quiet);
    expect(results.map((r) => r.file)).toEqual([listed]);
    rmSync(path.dirname(older), { recursive: true });
    await w.close();
  });

  it("reject a manifest that lists a file that is not there", async () => {
    const dir = tempDir();
    const month = legacyMonth();
    const manifest = estate.files.find((f) => f.startsWith(month) && f.endsWith("-Manifest.json"))!;
    copyFileSync(manifest, path.join(dir, path.basename(manifest)));
    const w = await Warehouse.open({ path: ":memory:" });
    const error = await ingestPaths(w, [dir], { lakeDir: tempDir() }, quiet).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(
      /-Manifest\.json: manifest lists 1 file that is not there: 00000000-0000-4000-a000-2026100000\/acme-research-cur-1\.csv\.gz$/,
    );
    await w.close();
  });

  it("govern CUR 2.0 months too", async () => {
    const exportDir = path.dirname(
      path.dirname(path.dirname(estate.files.find((f) => /cur2.*\.parquet$/.test(f))!)),
    );
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [exportDir], { lakeDir: tempDir() }, quiet);
    expect(results.every((r) => r.status === "loaded" && r.format === "aws_cur2")).toBe(true);
    expect(results.length).toBe(estate.files.filter((f) => /cur2.*\.parquet$/.test(f)).length);
    await w.close();
  });
});

describe("Azure partitioned export manifests", () => {
  it("load the latest run's parts, skip older runs, and reject a manifest listing a missing part", async () => {
    const { mkdirSync: mkdir, copyFileSync: copy, writeFileSync: write } = await import("node:fs");
    const csv = estate.files.find((f) => /acme-actual_202610\.csv$/.test(f))!;
    const range = path.join(tempDir(), "acme-actual", "20261001-20261031");
    const older = path.join(range, "run-1");
    const newer = path.join(range, "run-2");
    mkdir(older, { recursive: true });
    mkdir(newer, { recursive: true });
    copy(csv, path.join(older, "part_0_0001.csv"));
    copy(csv, path.join(newer, "part_0_0001.csv"));
    const manifest = (parts: string[]) =>
      JSON.stringify({
        manifestVersion: "2024-04-01",
        exportConfig: { exportName: "acme-actual", type: "ActualCost", timeFrame: "MonthToDate" },
        blobCount: parts.length,
        blobs: parts.map((p) => ({ blobName: `exports/acme-actual/20261001-20261031/run-2/${p}` })),
      });
    write(path.join(newer, "manifest.json"), manifest(["part_0_0001.csv"]));
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [range], { lakeDir: tempDir() }, quiet);
    expect(results.map((r) => [path.relative(range, r.file), r.status])).toEqual([
      ["run-2/part_0_0001.csv", "loaded"],
    ]);
    write(path.join(newer, "manifest.json"), manifest(["part_0_0001.csv", "part_0_0002.csv"]));
    const error = await ingestPaths(w, [range], { lakeDir: tempDir() }, quiet).catch((e) => e);
    expect(error.message).toMatch(
      /manifest\.json: manifest lists 1 file that is not there: part_0_0002\.csv$/,
    );
    await w.close();
  });
});
