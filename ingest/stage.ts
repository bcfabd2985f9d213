/**
 * Staging one file: probe it, choose its format, check it, read it once into a scratch
 * Parquet file carrying the lake's columns, and scan that copy (every check, and cost per
 * currency). Nothing lands here; land.ts does that.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.ts";
import { lit } from "../core/sql.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { azureActual, azureAmortized } from "./azure/formats.ts";
import { checksum, verifyGzip } from "./file-integrity.ts";
import { focusExport } from "./focus/formats.ts";
import { type FileProbe, hasColumns, type SourceFormat } from "./format.ts";
import { type Delivery, fileKey, isCurrent, nextLoadId, recordLoad } from "./ledger.ts";
import { probe, shown } from "./probe.ts";
import { FORMATS } from "./providers.ts";
import { checkRequired, type MoneyColumns, readError, scanSource } from "./validate.ts";
import type { WalkedFile } from "./walk.ts";

export interface FileResult {
  file: string;
  format: string | null;
  status: "loaded" | "replaced" | "skipped" | "failed";
  rows: number;
  billingPeriods: string[];
  /** Cost per currency as landed, exact decimal strings. */
  totals: Record<string, string>;
  error?: string;
  warning?: string;
}

/** A file read, checked and summed, waiting to land. */
export interface Staged {
  file: string;
  /** The file as read, with the lake's columns added, in a scratch Parquet file. */
  scratch: string;
  loadId: string;
  format: SourceFormat;
  money: MoneyColumns;
  bytes: number;
  sha256: string;
  delivery: Delivery;
  fileKey: string;
  /** Listed by a manifest: one part of its month's export. */
  governed: boolean;
  pairs: { account: string; period: string; rows: number; final: boolean | null }[];
  rows: number;
  totals: Record<string, string>;
  warning?: string;
}

/** Probe, choose the format, check, read and scan one file; or say it is skipped or empty. */
export async function stage(
  warehouse: Warehouse,
  walked: WalkedFile,
  forced: SourceFormat | undefined,
  scratchDir: string,
): Promise<Staged | FileResult> {
  const file = walked.path;
  const fileProbe = await probe(file, warehouse, scratchDir);
  const chosen = forced ?? chooseFormat(fileProbe, walked);
  if ("skip" in chosen)
    return {
      file,
      format: null,
      status: "skipped",
      rows: 0,
      billingPeriods: [],
      totals: {},
      warning: chosen.skip,
    };
  const format = chosen;
  checkRequired(fileProbe, format);
  const warning = format.headerWarning?.(fileProbe);
  const money = { cost: format.cost(fileProbe), currency: format.currency(fileProbe) };
  // Files a manifest lists are its month's whole current export, whatever their format.
  const delivery: Delivery = walked.manifest ? "restatement" : format.delivery(fileProbe);
  const { sha256, bytes } = await checksum(file);
  const rawTable = `raw.${format.rawTable}`;
  const none = { file, format: format.id, rows: 0, billingPeriods: [], totals: {} };
  if (await isCurrent(warehouse, sha256, rawTable)) return { ...none, status: "skipped" };

  const loadId = await nextLoadId(warehouse);
  const scratch = path.join(scratchDir, `load${loadId}.parquet`);
  const gzipChecked = /\.gz$/i.test(file) ? verifyGzip(file) : Promise.resolve();
  gzipChecked.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
  const copied = await warehouse
    .all<{ Count: string }>(
      `COPY (SELECT *, coalesce(${format.billingAccount(fileProbe)}::VARCHAR, '') AS _billing_account,
          ${format.billingPeriod(fileProbe)}::VARCHAR AS _billing_period, ${lit(file)} AS _source_file,
          now() AS _loaded_at, ${loadId}::BIGINT AS _load_id
        FROM (${format.read(fileProbe)}))
       TO ${lit(scratch)} (FORMAT parquet, COMPRESSION zstd)`,
    )
    .catch(async (error) => {
      await gzipChecked; // a truncated gzip explains a read error better than the reader does
      throw readError(file, format, fileProbe, error);
    });
  try {
    await gzipChecked;
    const scan = await scanSource(warehouse, `read_parquet(${lit(scratch)})`, fileProbe, format, money);
    // The reader's row count against the scan of what it wrote: nothing dropped on the way.
    if (Number(copied[0]!.Count) !== scan.rows) {
      throw new InputError(file, `reconciliation failed: read ${copied[0]!.Count} rows, landed ${scan.rows}`);
    }
    const key = fileKey(file);
    if (scan.rows === 0) {
      // A header-only export is a valid empty month: nothing to land, but recorded.
      rmSync(scratch, { force: true });
      await recordLoad(warehouse, {
        loadId,
        format,
        file,
        bytes,
        sha256,
        account: null,
        period: null,
        rows: 0,
        totals: {},
        status: "loaded",
        delivery,
        fileKey: key,
      });
      return { ...none, status: "loaded", warning: "header only: an empty export, zero rows loaded" };
    }
    return {
      file,
      scratch,
      loadId,
      format,
      money,
      bytes,
      sha256,
      delivery,
      fileKey: key,
      governed: walked.manifest !== undefined,
      pairs: scan.pairs,
      rows: scan.rows,
      totals: scan.totals,
      ...(warning ? { warning } : {}),
    };
  } catch (error) {
    rmSync(scratch, { force: true });
    throw error;
  }
}

/**
 * The file's format: the dataset an Azure manifest declares, else the first format whose
 * columns match. A file no format matches is refused, naming what the closest format lacks.
 */
function chooseFormat(fileProbe: FileProbe, walked: WalkedFile): SourceFormat | { skip: string } {
  const dataset = walked.dataset;
  if (dataset === "actual") return azureActual;
  if (dataset === "amortized") return azureAmortized;
  if (dataset === "focus") return focusExport;
  if (dataset)
    return { skip: `its manifest says it is an Azure ${dataset.other} export, not cost details: not loaded` };
  for (const f of FORMATS) {
    const reason = f.refuse?.(fileProbe);
    if (reason) throw new InputError(walked.path, reason);
  }
  const format = FORMATS.find((f) => f.detect(fileProbe));
  if (format) return format;
  throw new InputError(walked.path, unrecognised(fileProbe));
}

/** "Not a recognised export", with the closest format (most required columns present) and what it lacks. */
function unrecognised(fileProbe: FileProbe): string {
  const scored = FORMATS.map((format) => {
    const groups = format.requiredColumns;
    const missing = groups.filter((g) => !hasColumns(fileProbe, [g]));
    return { format, missing, share: (groups.length - missing.length) / groups.length };
  }).sort((a, b) => b.share - a.share);
  const seen = `columns seen: ${fileProbe.columns
    .slice(0, 8)
    .map((c) => shown(c, 40))
    .join(", ")}${fileProbe.columns.length > 8 ? ", …" : ""}`;
  const best = scored[0];
  if (!best || best.share === 0) return `not a recognised export (${seen}); see cco ingest --help`;
  const names = best.missing.map((g) => (Array.isArray(g) ? `one of ${g.join(" / ")}` : g));
  return `not a recognised export: closest is ${best.format.id} (${best.format.description}), ${
    names.length ? `which also needs ${names.join(", ")}` : "but its other signals do not match"
  }; ${seen}`;
}
