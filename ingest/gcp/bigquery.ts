/**
 * bigquery://project.dataset.table: the Cloud Billing export table, queried with
 * @google-cloud/bigquery (Application Default Credentials) for whole invoice
 * months from --since on, and written as NDJSON per invoice month in the layout
 * `bq extract` produces, so each month lands (and restates) as a whole.
 */
import { createWriteStream, mkdirSync, renameSync, rmSync } from "node:fs";
import { partialOf } from "../../core/files.ts";
import path from "node:path";
import { InputError, UsageError } from "../../core/errors.ts";
import type { RemoteSource } from "../remote/source.ts";

const TABLE = /^bigquery:\/\/([a-z0-9-]+)\.([A-Za-z0-9_]+)\.([A-Za-z0-9_$]+)$/;

/** BigQuery's typed values (timestamps, dates, numerics) as the plain JSON bq extract writes. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Buffer) return value.toString("base64");
  const typed = value as { value?: unknown; constructor?: { name?: string } };
  if ("value" in typed && Object.keys(typed).length === 1) return typed.value;
  if (typeof (value as { toFixed?: unknown }).toFixed === "function" && !(value instanceof Date))
    return String(value);
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, plain(v)]));
}

export const bigQuerySource: RemoteSource = {
  forms: ["bigquery://<project>.<dataset>.<table>  (with --since YYYY-MM)"],
  description:
    "GCP Cloud Billing export table in BigQuery (standard or detailed), Application Default Credentials",
  matches: (uri) => uri.startsWith("bigquery://"),
  async fetch(uri, { cacheDir, config, progress, since }) {
    const match = uri.match(TABLE);
    if (!match) throw new UsageError(`${uri}: expected bigquery://<project>.<dataset>.<table>`);
    if (!since || !/^\d{4}-\d{2}(-\d{2})?$/.test(since)) {
      throw new UsageError(`${uri}: pass --since YYYY-MM (the first invoice month to fetch)`);
    }
    const [, project, dataset, table] = match as unknown as [string, string, string, string];
    const { BigQuery } = await import("@google-cloud/bigquery");
    const bigquery = new BigQuery({
      projectId: config.sources.bigquery.project ?? project,
      ...(config.sources.bigquery.apiEndpoint ? { apiEndpoint: config.sources.bigquery.apiEndpoint } : {}),
    });
    const local = path.join(cacheDir, "bigquery", `${project}.${dataset}.${table}`);
    rmSync(local, { recursive: true, force: true });
    const month = since.slice(0, 7).replace("-", "");
    const query = `SELECT * FROM \`${project}.${dataset}.${table}\` WHERE invoice.month >= @month ORDER BY invoice.month`;
    const writers = new Map<string, ReturnType<typeof createWriteStream>>();
    let rows = 0;
    try {
      await progress.step(
        `Querying ${project}.${dataset}.${table} for invoice months from ${since.slice(0, 7)}`,
        async (tick) => {
          const stream = bigquery.createQueryStream({ query, params: { month } });
          for await (const row of stream as AsyncIterable<Record<string, unknown>>) {
            const record = plain(row) as Record<string, unknown>;
            // A folder name from the data: only the characters an invoice month (YYYYMM) has.
            const invoice = String(
              (record.invoice as { month?: string } | undefined)?.month ?? "unknown",
            ).replace(/[^0-9A-Za-z_-]/g, "_");
            let out = writers.get(invoice);
            if (!out) {
              const dir = path.join(local, `invoice_month=${invoice}`);
              mkdirSync(dir, { recursive: true });
              const partial = partialOf(path.join(dir, `${table}-000000000000.json`));
              rmSync(partial, { force: true });
              out = createWriteStream(partial, { flags: "wx" });
              writers.set(invoice, out);
            }
            if (!out.write(`${JSON.stringify(record)}\n`))
              await new Promise<void>((resolve) => out!.once("drain", () => resolve()));
            tick(++rows);
          }
        },
      );
    } catch (error) {
      throw new InputError(
        uri,
        `BigQuery query failed: ${(error as Error).message.split("\n")[0]}`,
        {},
        {
          cause: error,
        },
      );
    } finally {
      await Promise.all(
        [...writers.values()].map((w) => new Promise<void>((resolve) => w.end(() => resolve()))),
      );
    }
    for (const invoice of writers.keys()) {
      const file = path.join(local, `invoice_month=${invoice}`, `${table}-000000000000.json`);
      renameSync(partialOf(file), file);
    }
    if (!rows) throw new InputError(uri, `no rows for invoice months from ${since.slice(0, 7)}`);
    return local;
  },
};
