/**
 * Export manifests decide which files are a month's current export, and what they hold.
 * AWS writes a new assembly (legacy CUR) or execution (CUR 2.0), and Azure a new run folder
 * (partitioned Cost Management exports), each time a month is restated; the manifest lists
 * the files of the latest one. Files a manifest governs but does not list are stale; a
 * manifest that lists files that are not there is an error. Azure's manifest also says which
 * dataset its files are (exportConfig.type): actual and amortized files share their columns,
 * so that is the only reliable way to tell them apart.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.ts";

/** What an Azure export holds, from its manifest's exportConfig.type. */
export type AzureDataset = "actual" | "amortized" | "focus" | { other: string };

export interface ManifestPlan {
  /** Files the manifest lists (resolved on disk). */
  current: string[];
  /** Files under the manifest's folders it does not list (older assemblies). */
  stale: string[];
  /** Azure exports: the dataset the listed files hold. */
  dataset?: AzureDataset;
}

const MANIFEST = /(-Manifest\.json|(^|[\\/])manifest\.json)$/;

export function isManifest(file: string): boolean {
  return MANIFEST.test(file);
}

interface ManifestDoc {
  reportKeys?: unknown;
  dataFiles?: unknown;
  blobs?: unknown;
  exportConfig?: { type?: unknown };
}

function parse(file: string): ManifestDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InputError(file, `not a readable manifest: ${(error as Error).message}`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc))
    throw new InputError(file, "not an export manifest: expected a JSON object");
  return doc as ManifestDoc;
}

/**
 * The text of each entry a manifest lists: a string naming a file (an Azure blob is an object
 * with its blobName). Anything else, or a name with a NUL, is refused, naming the entry.
 */
function names(file: string, entries: unknown[], what: string): string[] {
  return entries.map((entry, i) => {
    const name = what === "blobs" ? (entry as { blobName?: unknown } | null)?.blobName : entry;
    if (typeof name !== "string" || !name || name.includes("\u0000"))
      throw new InputError(file, `${what}[${i}] is not a file name: ${JSON.stringify(entry)?.slice(0, 80)}`);
    return name;
  });
}

/**
 * The listed files, each of which must lie inside `root` (the export's own folder): a key with
 * `..` segments or an absolute path never makes the loader look elsewhere.
 */
function within(file: string, root: string, listed: string[], keys: string[]): string[] {
  listed.forEach((f, i) => {
    const relative = path.relative(root, f);
    if (!relative || relative.split(path.sep)[0] === ".." || path.isAbsolute(relative))
      throw new InputError(file, `lists ${JSON.stringify(keys[i])}, which is outside its export folder`);
  });
  return listed;
}

/** Azure's export types (Cost Management exports API): cost details datasets and the rest. */
function azureDataset(file: string, type: unknown): AzureDataset {
  if (type === undefined || type === null) {
    throw new InputError(
      file,
      "Azure export manifest without exportConfig.type: cannot tell actual from amortized cost, so nothing is loaded (load the files with --format azure_actual or azure_amortized)",
    );
  }
  switch (String(type).toLowerCase()) {
    case "actualcost":
    case "usage":
      return "actual";
    case "amortizedcost":
      return "amortized";
    case "focuscost":
      return "focus";
    default:
      return { other: String(type) };
  }
}

/**
 * A legacy CUR manifest that AWS copied into an assembly folder ("create new report version"
 * keeps one in each): its report keys name its own folder as their assembly. The month-level
 * manifest beside the assemblies governs them; the copy is skipped where that one exists.
 */
export function isAssemblyCopy(file: string): boolean {
  const doc = parse(file);
  if (!Array.isArray(doc.reportKeys) || !doc.reportKeys.length) return false;
  const dir = path.dirname(file);
  const assembly = String(doc.reportKeys[0]).split("/").slice(-2)[0];
  return assembly === path.basename(dir) && existsSync(path.join(path.dirname(dir), path.basename(file)));
}

/** Read a legacy CUR, CUR 2.0 or Azure export manifest and resolve what it governs. */
export function readManifest(file: string, isDataFile: (name: string) => boolean): ManifestPlan {
  const doc = parse(file);
  const dir = path.dirname(file);
  let governed: string;
  let listed: string[];
  let dataset: AzureDataset | undefined;
  if (Array.isArray(doc.reportKeys)) {
    // Legacy CUR: <report>/<range>/<report>-Manifest.json lists <prefix>/<report>/<range>/<assembly>/<file>.
    // A copy inside <assembly>/ (kept alone) lists the same keys: its files sit beside it.
    governed = dir;
    const keys = names(file, doc.reportKeys, "reportKeys");
    listed = within(
      file,
      dir,
      keys.map((k) => {
        const [assembly, name] = k.split("/").slice(-2) as [string, string | undefined];
        if (name === undefined) return path.join(dir, assembly);
        return assembly === path.basename(dir) ? path.join(dir, name) : path.join(dir, assembly, name);
      }),
      keys,
    );
  } else if (Array.isArray(doc.dataFiles)) {
    // CUR 2.0: <export>/metadata/BILLING_PERIOD=X/…-Manifest.json lists s3://…/<export>/data/BILLING_PERIOD=X/….
    const exportDir = path.resolve(dir, "..", "..");
    const period = path.basename(dir);
    governed = path.join(exportDir, "data", period);
    const keys = names(file, doc.dataFiles, "dataFiles");
    listed = within(
      file,
      exportDir,
      keys.map((key) => {
        const at = key.indexOf("/data/BILLING_PERIOD=");
        return at >= 0 ? path.join(exportDir, key.slice(at + 1)) : path.join(exportDir, key);
      }),
      keys,
    );
  } else if (Array.isArray(doc.blobs)) {
    // Azure: <export>/<range>/<run>/manifest.json lists the run's blobs (part_*.csv[.gz] / .parquet).
    governed = path.dirname(dir);
    const keys = names(file, doc.blobs, "blobs");
    listed = within(
      file,
      dir,
      keys.map((name) => path.join(dir, path.basename(name))),
      keys,
    );
    dataset = azureDataset(file, doc.exportConfig?.type);
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
  return { current: listed, stale, ...(dataset ? { dataset } : {}) };
}

function dataFilesUnder(dir: string, isDataFile: (name: string) => boolean): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? dataFilesUnder(full, isDataFile) : isDataFile(e.name) ? [full] : [];
  });
}
