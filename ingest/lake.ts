/**
 * The lake. Each landed (file, billing account, period)
 * becomes one immutable zstd Parquet file under
 * data/lake/<format>/billing_period=YYYY-MM/; `raw.<table>` is a view over the
 * current files, listed in ops.load_parts. A load writes its files first and then
 * switches the view and the ledger in one transaction: a crash before the commit
 * leaves only unreferenced files, which the next load removes.
 */
import { lit } from "../core/sql.ts";
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { SourceFormat } from "./format.ts";
import { liveLakeFiles } from "./ledger.ts";

export function lakeFile(
  lakeDir: string,
  format: SourceFormat,
  account: string,
  period: string,
  loadId: string,
): string {
  const slug = createHash("sha256").update(account).digest("hex").slice(0, 16);
  return path.join(lakeDir, format.id, `billing_period=${period}`, `${slug}-load${loadId}.parquet`);
}

/** Scratch files of loads in progress live here, on the lake's file system. */
export const STAGING = ".staging";

/** COPY the rows of one account and period from a staged file to its lake file. */
export async function writeLakeFile(
  warehouse: Warehouse,
  source: string,
  file: string,
  where: { account: string; period: string },
): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  await warehouse.run(
    `COPY (SELECT * FROM ${source} WHERE _billing_account = $1 AND _billing_period = $2)
     TO ${lit(file)} (FORMAT parquet, COMPRESSION zstd)`,
    [where.account, where.period],
  );
}

/** Remove lake files no current load refers to: superseded periods and leftovers of interrupted loads. */
export async function collectGarbage(
  warehouse: Warehouse,
  lakeDir: string,
  format: SourceFormat,
): Promise<number> {
  const root = path.join(lakeDir, format.id);
  if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) return 0;
  const live = await liveLakeFiles(warehouse);
  let removed = 0;
  for (const period of readdirSync(root)) {
    const dir = path.join(root, period);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir)) {
      const full = path.join(dir, file);
      if (file.endsWith(".parquet") && !live.has(full)) {
        rmSync(full, { force: true });
        removed++;
      }
    }
  }
  return removed;
}
