/**
 * The BigQuery side of a build: @google-cloud/bigquery on the target's project, location and
 * credentials (the standard chain, or a service account's key file), or a local server when the
 * target (or CCO_BIGQUERY_API_ENDPOINT) names another endpoint. Statements run as query jobs;
 * a dry run gives the bytes a statement would process and its result's columns.
 */
import type { BigQuery } from "@google-cloud/bigquery";
import { CcoError, ConfigError } from "../../errors.ts";
import type { Target } from "../target.ts";

export interface BigQueryField {
  name: string;
  type: string;
}

export interface BigQueryRunner {
  /** What the statement would do, without doing it (BigQuery's dryRun). */
  dryRun(sql: string): Promise<{ bytes: number; fields: BigQueryField[] }>;
  /** Runs a statement (or a script) to the end; the rows of its last statement. */
  run(sql: string): Promise<Record<string, unknown>[]>;
  /** TABLE, VIEW (or EXTERNAL) for an existing dataset.table; undefined when there is none. */
  relationKind(relation: string): Promise<string | undefined>;
}

/** A failed BigQuery request, with BigQuery's reason (invalidQuery, notFound, accessDenied, …). */
export class BigQueryError extends CcoError {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/** BigQuery's error, as the client reports it (ApiError: errors[].reason; HTTP code). */
export function bigQueryError(error: unknown): BigQueryError {
  if (error instanceof BigQueryError) return error;
  const e = error as { errors?: { reason?: string; message?: string }[]; code?: number; message?: string };
  const first = e.errors?.[0];
  const reason = first?.reason ?? (e.code === 404 ? "notFound" : "error");
  return new BigQueryError(reason, (first?.message ?? e.message ?? String(error)).split("\n")[0]!);
}

export async function bigQueryFor(
  target: Target,
  env: NodeJS.ProcessEnv = process.env,
): Promise<BigQueryRunner> {
  if (target.type !== "bigquery") throw new ConfigError("profiles.yml", target.name, "not a bigquery target");
  const apiEndpoint = target.api_endpoint ?? (env.CCO_BIGQUERY_API_ENDPOINT || undefined);
  const method = target.method ?? "oauth";
  if (method === "service-account" && !target.keyfile)
    throw new ConfigError("profiles.yml", `${target.name}.keyfile`, "method service-account needs a keyfile");
  if (method !== "oauth" && method !== "service-account")
    throw new ConfigError(
      "profiles.yml",
      `${target.name}.method`,
      `'${method}' is not oauth or service-account`,
    );
  const { BigQuery } = await import("@google-cloud/bigquery");
  const client: BigQuery = new BigQuery({
    ...(target.project ? { projectId: target.project } : {}),
    ...(target.location ? { location: target.location } : {}),
    ...(method === "service-account" ? { keyFilename: target.keyfile } : {}),
    ...(apiEndpoint ? { apiEndpoint } : {}),
  });
  const location = target.location;
  return {
    async dryRun(sql) {
      try {
        const [job] = await client.createQueryJob({ query: sql, dryRun: true, location });
        const statistics = job.metadata?.statistics ?? {};
        return {
          bytes: Number(statistics.totalBytesProcessed ?? statistics.query?.totalBytesProcessed ?? 0),
          fields: ((statistics.query?.schema?.fields ?? []) as BigQueryField[]).map((f) => ({
            name: f.name,
            type: f.type,
          })),
        };
      } catch (error) {
        throw bigQueryError(error);
      }
    },
    async run(sql) {
      try {
        const [job] = await client.createQueryJob({ query: sql, location, labels: { tool: "cco" } });
        const [rows] = await job.getQueryResults();
        return rows as Record<string, unknown>[];
      } catch (error) {
        throw bigQueryError(error);
      }
    },
    async relationKind(relation) {
      const [dataset, table] = relation.replaceAll("`", "").split(".").slice(-2) as [string, string];
      try {
        const [metadata] = await client.dataset(dataset).table(table).getMetadata();
        return String((metadata as { type?: string }).type ?? "TABLE");
      } catch (error) {
        const e = bigQueryError(error);
        if (e.reason === "notFound") return undefined;
        throw e;
      }
    },
  };
}
