/** CUR manifests: the files they list are the month; older assemblies are skipped; missing files are an error. */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { countRows, lit } from "../../core/sql.ts";
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
    const csv = estate.files.find((f) =>
      /acme-actualcost\/20261001-20261031\/.*\/part_0_0001\.csv$/.test(f),
    )!;
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

describe("Azure manifests say which dataset their parts are", () => {
  /** An export run as Cost Management writes it: <root>/<range>/<run id>/part_0_0001.csv beside manifest.json. */
  function exportRun(root: string, csv: string, type: string | undefined): string {
    const run = path.join(root, "20261001-20261031", "a1b2c3d4-run");
    mkdirSync(run, { recursive: true });
    copyFileSync(csv, path.join(run, "part_0_0001.csv"));
    writeFileSync(
      path.join(run, "manifest.json"),
      JSON.stringify({
        manifestVersion: "2024-04-01",
        byteCount: 1,
        blobCount: 1,
        dataRowCount: 1,
        exportConfig: {
          exportName: path.basename(root),
          ...(type ? { type } : {}),
          timeFrame: "MonthToDate",
        },
        deliveryConfig: { partitionData: true, fileFormat: "Csv" },
        blobs: [
          { blobName: `exports/${path.basename(root)}/20261001-20261031/a1b2c3d4-run/part_0_0001.csv` },
        ],
      }),
    );
    return root;
  }

  it("load an amortized export whose parts' names say nothing as amortized, and bill only the actual", async () => {
    const actualCsv = estate.files.find((f) =>
      /acme-actualcost\/20261001-20261031\/.*\/part_0_0001\.csv$/.test(f),
    )!;
    const amortizedCsv = estate.files.find((f) =>
      /acme-amortizedcost\/20261001-20261031\/.*\/part_0_0001\.csv$/.test(f),
    )!;
    const root = tempDir();
    exportRun(path.join(root, "daily-export-1"), actualCsv, "ActualCost");
    exportRun(path.join(root, "daily-export-2"), amortizedCsv, "AmortizedCost");
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [root], { lakeDir: tempDir() }, quiet);
    expect(results.map((r) => r.format)).toEqual(["azure_actual", "azure_amortized"]);
    // Each raw table holds exactly its own dataset's cost, read independently from the CSVs.
    const csvTotal = async (file: string) =>
      (
        await w.all<{ s: string }>(
          `select sum(costInBillingCurrency::decimal(38,10))::varchar as s from read_csv(${lit(file)}, all_varchar = true)`,
        )
      )[0]!.s;
    const rawTotal = async (table: string) =>
      (
        await w.all<{ s: string }>(
          `select sum(costInBillingCurrency::decimal(38,10))::varchar as s from ${table}`,
        )
      )[0]!.s;
    expect(await rawTotal("raw.azure_actual_cost_lines")).toBe(await csvTotal(actualCsv));
    expect(await rawTotal("raw.azure_amortized_cost_lines")).toBe(await csvTotal(amortizedCsv));
    await w.close();
  });

  it("refuse a run whose manifest does not say its dataset, and skip datasets that are not cost details", async () => {
    const csv = estate.files.find((f) =>
      /acme-actualcost\/20261001-20261031\/.*\/part_0_0001\.csv$/.test(f),
    )!;
    const w = await Warehouse.open({ path: ":memory:" });
    const untyped = exportRun(path.join(tempDir(), "export"), csv, undefined);
    const error = await ingestPaths(w, [untyped], { lakeDir: tempDir() }, quiet).catch((e) => e);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(
      /manifest\.json: Azure export manifest without exportConfig\.type: cannot tell/,
    );
    const reservations = exportRun(path.join(tempDir(), "export"), csv, "ReservationDetails");
    const [result] = await ingestPaths(w, [reservations], { lakeDir: tempDir() }, quiet);
    expect(result).toMatchObject({
      status: "skipped",
      warning: expect.stringMatching(/Azure ReservationDetails export, not cost details/),
    });
    expect(await countRows(w, "ops.load_parts")).toBe(0);
    await w.close();
  });
});

describe("legacy CUR with new report versions", () => {
  it("use the month-level manifest and skip the copies AWS keeps in each assembly folder", async () => {
    const month = legacyMonth();
    const manifest = estate.files.find((f) => f.startsWith(month) && f.endsWith("-Manifest.json"))!;
    const listed = estate.files.find((f) => f.startsWith(month) && f.endsWith(".csv.gz"))!;
    const copyDir = tempDir();
    copyFolder(month, copyDir);
    const assembly = path.join(copyDir, path.relative(month, path.dirname(listed)));
    // AWS's copy of the month's manifest inside the current assembly, and an older assembly with its own.
    copyFileSync(manifest, path.join(assembly, path.basename(manifest)));
    const older = path.join(copyDir, "00000000-0000-4000-a000-000000000009");
    mkdirSync(older);
    copyFileSync(listed, path.join(older, path.basename(listed)));
    const oldManifest = JSON.parse(readFileSync(manifest, "utf8")) as { reportKeys: string[] };
    oldManifest.reportKeys = oldManifest.reportKeys.map((k) =>
      k.replace(/[^/]+\/([^/]+)$/, `${path.basename(older)}/$1`),
    );
    writeFileSync(path.join(older, path.basename(manifest)), JSON.stringify(oldManifest));
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [copyDir], { lakeDir: tempDir() }, quiet);
    expect(results.map((r) => [path.relative(copyDir, r.file), r.status])).toEqual([
      [path.relative(month, listed), "loaded"],
    ]);
    // The assembly folder copied out alone: its copy of the manifest lists the files beside it.
    const lone = path.join(tempDir(), path.basename(assembly));
    mkdirSync(lone);
    copyFolder(assembly, lone);
    const alone = await ingestPaths(w, [lone], { lakeDir: tempDir() }, quiet);
    expect(alone.map((r) => r.status)).toEqual(["skipped"]);
    await w.close();
  });
});

function copyFolder(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      mkdirSync(target, { recursive: true });
      copyFolder(source, target);
    } else copyFileSync(source, target);
  }
}
