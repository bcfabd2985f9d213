/**
 * One warehouse (a real DuckDB file) and lake for a fuzz file's runs: `attempt` writes the bytes
 * as a file, ingests it, and checks the outcome. A rejection must be clear (see harness.ts) and
 * leave the ledger's current state and the lake as they were: no load recorded as landed, no
 * lake file added or removed, the raw views' row counts unchanged.
 */
import { appendFileSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { ensureRawViews } from "../../../ingest/raw-views.ts";
import { tempDir } from "../../helpers/tmp.ts";
import type { Progress } from "../../../core/log.ts";
import { bounded, expectClearRefusal } from "./harness.ts";

export interface IngestHarness {
  warehouse: Warehouse;
  lakeDir: string;
  /** Ingest these files (name → bytes) as one folder; "loaded" or "rejected" (checked either way). */
  attempt(files: Record<string, Uint8Array | string>, options?: { format?: string }): Promise<Outcome>;
  close(): Promise<void>;
}

export type Outcome = "loaded" | "skipped" | "rejected";

/** One run's time limit: a file of a few hundred KiB ingests in well under a second. */
const RUN_MS = 30_000;

export async function ingestHarness(): Promise<IngestHarness> {
  const root = tempDir("cco-fuzz-");
  const lakeDir = path.join(root, "lake");
  const warehouse = await Warehouse.open({ path: path.join(root, "warehouse.duckdb") });
  await ensureRawViews(warehouse); // the first load creates them: not a change a rejection makes
  let n = 0;
  return {
    warehouse,
    lakeDir,
    async attempt(files, options = {}) {
      const dir = path.join(root, "in", String(n++));
      mkdirSync(dir, { recursive: true });
      for (const [name, bytes] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        writeFileSync(path.join(dir, name), bytes);
      }
      // FUZZ_TRACE=<file>: each run's folder, written before it runs (a crash leaves it behind).
      if (process.env.FUZZ_TRACE) appendFileSync(process.env.FUZZ_TRACE, `${dir}\n`);
      const before = await ledgerState(warehouse, lakeDir);
      let error: unknown;
      const results = await bounded(`ingest of ${dir}`, RUN_MS, () =>
        ingestPaths(warehouse, [dir], { lakeDir, ...options }, silent),
      ).catch((e: unknown) => {
        error = e;
        return undefined;
      });
      if (results) {
        // Landed: every current part's lake file exists.
        const after = await ledgerState(warehouse, lakeDir);
        for (const file of after.currentParts) expect(statSync(file).isFile(), file).toBe(true);
        return results.every((r) => r.status === "skipped") ? "skipped" : "loaded";
      }
      if (error instanceof Error && error.message.startsWith("hang:")) throw error;
      // The refusal names the offending file (a data file, or the manifest that governs it),
      // or the folder given when nothing in it is a file to load.
      expectClearRefusal(error, dir);
      expect(await ledgerState(warehouse, lakeDir), "nothing half-landed").toEqual(before);
      return "rejected";
    },
    close: () => warehouse.close(),
  };
}

/** Not even warnings: a fuzz run warns about thousands of odd files. */
const silent: Progress = { step: (_label, work) => work(() => undefined), info() {}, warn() {} };

/** What a rejected load must not change. */
async function ledgerState(warehouse: Warehouse, lakeDir: string) {
  const landed = await warehouse.all<{ n: string }>(
    "select count(*)::varchar as n from ops.loads where status <> 'failed'",
  );
  const parts = await warehouse.all<{ lake_file: string }>(
    "select lake_file from ops.load_parts where superseded_by is null order by 1",
  );
  const allParts = await warehouse.all<{ n: string }>("select count(*)::varchar as n from ops.load_parts");
  const views = await warehouse.all<{ name: string }>(
    "select view_name as name from duckdb_views() where schema_name = 'raw' order by 1",
  );
  const rows: Record<string, string> = {};
  for (const { name } of views) {
    const [count] = await warehouse.all<{ n: string }>(`select count(*)::varchar as n from raw."${name}"`);
    rows[name] = count!.n;
  }
  return {
    landed: landed[0]!.n,
    partRows: allParts[0]!.n,
    currentParts: parts.map((p) => p.lake_file),
    lake: lakeFiles(lakeDir),
    rows,
  };
}

/** Every file in the lake but the scratch folder (emptied by each load). */
function lakeFiles(dir: string): string[] {
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && !path.join(e.parentPath, e.name).includes(`${path.sep}.staging`))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
