/** The lake: each landed billing period as zstd Parquet under data/lake/<format>/billing_period=YYYY-MM/. */
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { type SourceFormat, sqlPath } from "./format.ts";

export async function writeLake(
  warehouse: Warehouse,
  lakeDir: string,
  format: SourceFormat,
  rawTable: string,
  account: string,
  period: string,
): Promise<void> {
  const dir = path.join(lakeDir, format.id, `billing_period=${period}`);
  mkdirSync(dir, { recursive: true });
  const slug = createHash("sha256").update(account).digest("hex").slice(0, 16);
  await warehouse.run(
    `COPY (SELECT * FROM ${rawTable} WHERE _billing_account = $1 AND _billing_period = $2) TO ${sqlPath(path.join(dir, `${slug}.parquet`))} (FORMAT parquet, COMPRESSION zstd)`,
    [account, period],
  );
}
