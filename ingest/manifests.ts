/**
 * Export manifests decide which files are a month's current export. AWS writes a
 * new assembly (legacy CUR) or execution (CUR 2.0), and Azure a new run folder
 * (partitioned Cost Management exports), each time a month is restated; the
 * manifest lists the files of the latest one. Files a manifest governs but does not
 * list are stale; a manifest that lists files that are not there is an error.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.ts";

export interface ManifestPlan {
  /** Files the manifest lists (resolved on disk). */
  current: string[];
  /** Files under the manifest's folders it does not list (older assemblies). */
  stale: string[];
}

const MANIFEST = /(-Manifest\.json|(^|[\\/])manifest\.json)$/;

export function isManifest(file: string): boolean {
  return MANIFEST.test(file);
}

/** Read a legacy CUR, CUR 2.0 or Azure export manifest and resolve what it governs. */
export function readManifest(file: string, isDataFile: (name: string) => boolean): ManifestPlan {
  let doc: { reportKeys?: unknown; dataFiles?: unknown; blobs?: unknown };
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError(file, `not a readable manifest: ${(error as Error).message}`);
  }
  const dir = path.dirname(file);
  let governed: string;
  let listed: string[];
  if (Array.isArray(doc.reportKeys)) {
    // Legacy CUR: <report>/<range>/<report>-Manifest.json lists <prefix>/<report>/<range>/<assembly>/<file>.
    governed = dir;
    listed = doc.reportKeys.map((k) => path.join(dir, ...String(k).split("/").slice(-2)));
  } else if (Array.isArray(doc.dataFiles)) {
    // CUR 2.0: <export>/metadata/BILLING_PERIOD=X/…-Manifest.json lists s3://…/<export>/data/BILLING_PERIOD=X/….
    const exportDir = path.resolve(dir, "..", "..");
    const period = path.basename(dir);
    governed = path.join(exportDir, "data", period);
    listed = doc.dataFiles.map((k) => {
      const key = String(k);
      const at = key.indexOf("/data/BILLING_PERIOD=");
      return at >= 0 ? path.join(exportDir, key.slice(at + 1)) : path.join(exportDir, key);
    });
  } else if (Array.isArray(doc.blobs)) {
    // Azure: <export>/<range>/<run>/manifest.json lists the run's blobs (part_*.csv[.gz] / .parquet).
    governed = path.dirname(dir);
    listed = doc.blobs.map((b) =>
      path.join(dir, path.basename(String((b as { blobName?: unknown }).blobName ?? ""))),
    );
  } else {
    throw new InputError(
      file,
      "not an export manifest: expected reportKeys (legacy CUR), dataFiles (CUR 2.0) or blobs (Azure)",
    );
  }
  const missing = listed.filter((f) => !existsSync(f));
  if (missing.length) {
    throw new InputError(
      file,
      `manifest lists ${missing.length} file${missing.length > 1 ? "s" : ""} that ${missing.length > 1 ? "are" : "is"} not there: ${missing.map((m) => path.relative(dir, m)).join(", ")}`,
    );
  }
  const listedSet = new Set(listed);
  const stale = dataFilesUnder(governed, isDataFile).filter(
    (f) => !listedSet.has(f) && path.dirname(f) !== dir,
  );
  return { current: listed, stale };
}

function dataFilesUnder(dir: string, isDataFile: (name: string) => boolean): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? dataFilesUnder(full, isDataFile) : isDataFile(e.name) ? [full] : [];
  });
}
