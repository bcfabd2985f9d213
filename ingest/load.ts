/**
 * The loader. Each file is read once, into a scratch Parquet file carrying the
 * lake's columns; every check (numbers parse, ISO currencies, a billing period on
 * every row) and the cost per currency run on that columnar copy. Landing renames
 * it into the lake (or splits it by account and period), reads the lake files back
 * to reconcile rows and cost to the cent, and then in one transaction records the
 * load, supersedes the periods it restates and points the raw view at the new files.
 *
 * Idempotent: a file whose bytes are already current is skipped. A restated export
 * (same format, billing account and period, new bytes) replaces that period as a
 * whole; the ledger keeps every earlier load. Files of one period that sit next to
 * each other (the parts of a CUR month) land in the same transaction, so a crash
 * never leaves a month half replaced.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { CcoError, InputError, UsageError } from "../core/errors.ts";
import { faultPoint } from "../core/faults.ts";
import type { Progress } from "../core/log.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { joinsGroup, land } from "./land.ts";
import { STAGING } from "./lake.ts";
import { recordFailure } from "./ledger.ts";
import { firstLine } from "./probe.ts";
import { FORMATS } from "./providers.ts";
import { ensureRawViews } from "./raw-views.ts";
import { type FileResult, type Staged, stage } from "./stage.ts";
import { walk } from "./walk.ts";

export type { FileResult } from "./stage.ts";

export interface IngestOptions {
  lakeDir: string;
  format?: string;
  continueOnError?: boolean;
}

const failed = (file: string, error: string): FileResult => ({
  file,
  format: null,
  status: "failed",
  rows: 0,
  billingPeriods: [],
  totals: {},
  error,
});

export async function ingestPaths(
  warehouse: Warehouse,
  targets: string[],
  options: IngestOptions,
  progress: Progress,
): Promise<FileResult[]> {
  const forced = options.format ? FORMATS.find((f) => f.id === options.format) : undefined;
  if (options.format && !forced) {
    throw new UsageError(
      `unknown --format ${options.format}; one of: ${FORMATS.map((f) => f.id).join(", ")}`,
    );
  }
  await ensureRawViews(warehouse);
  const walked = walk(targets);
  const files = walked.files;
  if (!files.length && !walked.problems.length) {
    throw new UsageError(
      walked.stale.length
        ? `nothing to load under ${targets.join(", ")}: the ${walked.stale.length} file(s) there are older assemblies their manifests no longer list`
        : `no export or metrics files found under ${targets.join(", ")}`,
    );
  }
  const results: FileResult[] = [];
  for (const { file, error } of walked.problems) {
    results.push(failed(file, error.message));
    await recordFailure(warehouse, file, error.message);
    if (!options.continueOnError) throw error;
  }
  if (walked.skippedLinks.length) {
    const [first] = walked.skippedLinks;
    progress.warn(
      `${walked.skippedLinks.length} symbolic link(s) not followed, e.g. ${first!.link} (${first!.reason}): ` +
        "give the target itself to load it",
    );
  }
  if (walked.stale.length) {
    progress.warn(
      `${walked.stale.length} file(s) of older assemblies skipped: their manifests list newer ones`,
    );
  }
  // Periods replaced in this run: a later part of the same month adds to it, never replaces it.
  const replacedThisRun = new Set<string>();
  // Scratch space on the lake's file system, so a staged file becomes a lake file by rename.
  // Scratch left by a load that was killed: no other load can be running (one writer per warehouse).
  rmSync(path.join(options.lakeDir, STAGING), { recursive: true, force: true });
  mkdirSync(path.join(options.lakeDir, STAGING), { recursive: true });
  const scratchDir = mkdtempSync(path.join(options.lakeDir, STAGING, "run-"));
  let group: Staged[] = [];
  const landGroup = async () => {
    const landing = group;
    group = [];
    if (landing.length) results.push(...(await land(warehouse, landing, options.lakeDir, replacedThisRun)));
  };
  try {
    await progress.step(`Ingesting ${files.length} files`, async (tick) => {
      for (const [i, walkedFile] of files.entries()) {
        const file = walkedFile.path;
        try {
          const staged = await stage(warehouse, walkedFile, forced, scratchDir);
          if (staged.warning) progress.warn(`${file}: ${staged.warning}`);
          if ("status" in staged) results.push(staged);
          else {
            if (group.length && !joinsGroup(group, staged)) await landGroup();
            group.push(staged);
            faultPoint("ingest:staged");
          }
        } catch (error) {
          const message = error instanceof CcoError ? error.message : `${file}: ${firstLine(error)}`;
          results.push(failed(file, message));
          await recordFailure(warehouse, file, message);
          if (!options.continueOnError)
            throw error instanceof CcoError ? error : new InputError(file, firstLine(error));
        }
        tick(i + 1, files.length);
      }
      await landGroup();
    });
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  return results;
}
