/**
 * A local BigQuery for the dbt project's statements: the REST calls @google-cloud/bigquery makes
 * to run and dry-run query jobs (jobs.insert, jobs.get, jobs.getQueryResults) and to look up a
 * table (tables.get), answered in the shapes BigQuery documents. It keeps the datasets and tables
 * the statements create and drop, so a second build sees the first one's tables. It is no SQL
 * engine: it rejects what BigQuery would reject without reading data, and nothing else —
 *   - DuckDB-only syntax (`::`, read_parquet, list_ functions, struct_pack, TRY_CAST, strftime,
 *     epoch_ms, ->>, …) as BigQuery's invalidQuery error, so a dialect leak fails the test;
 *   - with `checkTables`, a statement reading or writing a dataset.table that does not exist,
 *     as notFound.
 * A dry run answers totalBytesProcessed: `tableBytes` of each table it reads (1 MiB unless set),
 * and the result's columns a `schemas` rule gives (it cannot know them).
 * Queries matching an `answers` rule return its rows (data tests count their failures);
 * statements matching a `failures` rule fail as jobs with that message.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface StubAnswer {
  match: RegExp;
  rows: Record<string, string | number | null>[];
}

export interface BigQueryJobsStubOptions {
  /** Tables (dataset.table) that exist from the start, e.g. the sources, by kind (TABLE, VIEW, EXTERNAL). */
  tables?: Record<string, string>;
  /** Reject statements that read or write a dataset.table that does not exist (notFound). */
  checkTables?: boolean;
  /** Bytes a dry run reports for reading each table. */
  tableBytes?: Record<string, number>;
  answers?: StubAnswer[];
  /** The columns a dry run of a matching statement reports (its result's schema); none otherwise. */
  schemas?: { match: RegExp; fields: string[] }[];
  /** Statements matching `match` fail when run, with this message. */
  failures?: { match: RegExp; message: string }[];
}

export interface BigQueryJobsStub {
  url: string;
  /** Every job as received: its SQL and whether it was a dry run. */
  jobs: { query: string; dryRun: boolean; location?: string }[];
  tables: Map<string, string>;
  datasets: Set<string>;
  close(): Promise<void>;
}

/** DuckDB-only syntax BigQuery rejects: the token and the error BigQuery gives for it. */
const DUCKDB_ONLY: [RegExp, (token: string) => string][] = [
  [/::/, () => 'Syntax error: Unexpected "::"'],
  [/->>?/, (t) => `Syntax error: Unexpected "${t}"`],
  [
    /\b(read_parquet|read_csv|struct_pack|strftime|strptime|epoch_ms|try_cast|try_strptime|regexp_matches|json_each|json_group_object|from_json|json_extract_string|quantile_cont|isodow|to_days|arg_max|now)\s*\(/i,
    (t) => `Function not found: ${t.replace(/\s*\($/, "")}`,
  ],
  [/\blist_\w+\s*\(/i, (t) => `Function not found: ${t.replace(/\s*\($/, "")}`],
  [/\bfilter\s*\(\s*where\b/i, () => "Syntax error: Expected end of input but got keyword FILTER"],
  [/\*\s*exclude\s*\(/i, () => "Syntax error: Unexpected keyword EXCLUDE"],
  [/\bilike\b/i, () => 'Syntax error: Unexpected identifier "ilike"'],
  [/\bat\s+time\s+zone\b/i, () => "Syntax error: Unexpected keyword AT"],
  [/\b(varchar|double|timestamptz|hugeint|ubigint)\b(?!\s*\()/i, (t) => `Type not found: ${t}`],
  [
    /\bdecimal\s*\(\s*\d+\s*,\s*(?:1\d|[2-9]\d)\s*\)/i,
    () => "Invalid NUMERIC type parameters: scale must be at most 9",
  ],
];

/** The statement with string literals and comments blanked out (same length, so positions hold). */
function codeOnly(sql: string): string {
  return sql.replace(
    /--[^\n]*|\/\*[\s\S]*?\*\/|[rR]?'(?:[^'\\\n]|\\.)*'|[rR]?"(?:[^"\\\n]|\\.)*"|`[^`]*`/g,
    (m) => (m.startsWith("`") ? m : m.replace(/[^\n]/g, " ")),
  );
}

/** BigQuery's error for the first DuckDB-only construct in the statement (outside strings and comments), if any. */
export function duckdbOnlySyntax(sql: string): string | undefined {
  const code = codeOnly(sql);
  for (const [pattern, message] of DUCKDB_ONLY) {
    const m = pattern.exec(code);
    if (m) return `${message(m[0])} at ${position(sql, m.index)}`;
  }
  return undefined;
}

function position(sql: string, index: number): string {
  const before = sql.slice(0, index).split("\n");
  return `[${before.length}:${before[before.length - 1]!.length + 1}]`;
}

/** dataset.table names a statement reads (FROM, JOIN) and writes (INTO, TABLE, VIEW, MERGE …). */
function relations(code: string): { reads: string[]; writes: string[]; drops: string[] } {
  const name = "(`[^`]+`|[A-Za-z_][\\w-]*\\.[A-Za-z_][\\w$]*)";
  const clean = (n: string) => n.replaceAll("`", "").split(".").slice(-2).join(".");
  const all = (re: RegExp) => [...code.matchAll(re)].map((m) => clean(m[1]!)).filter((n) => n.includes("."));
  return {
    // "is [not] distinct from x" compares, it does not read.
    reads: all(new RegExp(`(?<!distinct\\s+)\\b(?:from|join|using)\\s+${name}`, "gi")),
    writes: all(
      new RegExp(
        `\\bcreate\\s+(?:or\\s+replace\\s+)?(?:external\\s+)?(?:table|view)\\s+(?:if\\s+not\\s+exists\\s+)?${name}`,
        "gi",
      ),
    ),
    drops: all(new RegExp(`\\bdrop\\s+(?:table|view)\\s+(?:if\\s+exists\\s+)?${name}`, "gi")),
  };
}

function apiError(code: number, reason: string, message: string, status: string) {
  return { error: { code, message, errors: [{ message, domain: "global", reason }], status } };
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startBigQueryJobsStub(
  options: BigQueryJobsStubOptions = {},
): Promise<BigQueryJobsStub> {
  const tables = new Map(Object.entries(options.tables ?? {}));
  const datasets = new Set([...tables.keys()].map((t) => t.split(".")[0]!));
  const jobs: BigQueryJobsStub["jobs"] = [];
  const results = new Map<string, { rows: Record<string, unknown>[] }>();

  /** Why BigQuery would reject the statement without running it, if it would. */
  const rejection = (
    sql: string,
  ): { code: number; reason: string; message: string; status: string } | undefined => {
    const leak = duckdbOnlySyntax(sql);
    if (leak) return { code: 400, reason: "invalidQuery", message: leak, status: "INVALID_ARGUMENT" };
    const code = codeOnly(sql);
    if (options.checkTables) {
      const { reads, writes } = relations(code);
      const created = new Set(writes);
      const schema = code.match(/\bcreate\s+schema\s+(?:if\s+not\s+exists\s+)?([\w-]+)/i);
      for (const relation of [...reads.filter((r) => !created.has(r)), ...writes]) {
        const dataset = relation.split(".")[0]!;
        if (!datasets.has(dataset) && dataset !== schema?.[1])
          return {
            code: 404,
            reason: "notFound",
            message: `Not found: Dataset stub:${dataset} was not found in location US`,
            status: "NOT_FOUND",
          };
        if (!created.has(relation) && !tables.has(relation))
          return {
            code: 404,
            reason: "notFound",
            message: `Not found: Table stub:${relation} was not found in location US`,
            status: "NOT_FOUND",
          };
      }
    }
    return undefined;
  };

  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    const table = url.pathname.match(
      /^\/bigquery\/v2\/projects\/([^/]+)\/datasets\/([^/]+)\/tables\/([^/]+)$/,
    );
    if (table && req.method === "GET") {
      const [, projectId, dataset, name] = table as unknown as [string, string, string, string];
      const kind = tables.get(`${dataset}.${name}`);
      if (!kind)
        return send(
          404,
          apiError(404, "notFound", `Not found: Table ${projectId}:${dataset}.${name}`, "NOT_FOUND"),
        );
      return send(200, {
        kind: "bigquery#table",
        id: `${projectId}:${dataset}.${name}`,
        tableReference: { projectId, datasetId: dataset, tableId: name },
        type: kind,
      });
    }
    const m = url.pathname.match(/^\/bigquery\/v2\/projects\/([^/]+)\/(jobs|queries)(?:\/([^/]+))?$/);
    if (!m)
      return send(
        404,
        apiError(404, "notFound", `stub: no route for ${req.method} ${url.pathname}`, "NOT_FOUND"),
      );
    const [, projectId, kind, id] = m as unknown as [string, string, string, string | undefined];
    if (req.method === "POST" && kind === "jobs") {
      const job = (await body(req)) as {
        configuration: { query: { query: string }; dryRun?: boolean };
        jobReference?: { jobId?: string; location?: string };
      };
      const sql = job.configuration.query.query;
      const dryRun = Boolean(job.configuration.dryRun);
      const location = job.jobReference?.location ?? "US";
      jobs.push({ query: sql, dryRun, location });
      const jobId = job.jobReference?.jobId ?? randomUUID();
      const jobReference = { projectId, jobId, location };
      const rejected = rejection(sql);
      if (dryRun) {
        if (rejected)
          return send(
            rejected.code,
            apiError(rejected.code, rejected.reason, rejected.message, rejected.status),
          );
        const bytes = relations(codeOnly(sql)).reads.reduce(
          (sum, r) => sum + (options.tableBytes?.[r] ?? 1048576),
          0,
        );
        return send(200, {
          kind: "bigquery#job",
          jobReference: { projectId, location },
          configuration: job.configuration,
          status: { state: "DONE" },
          statistics: {
            creationTime: String(Date.now()),
            totalBytesProcessed: String(bytes),
            query: {
              totalBytesProcessed: String(bytes),
              totalBytesBilled: "0",
              cacheHit: false,
              statementType: /^\s*(create|merge|insert|delete|declare|drop)/i.test(codeOnly(sql))
                ? "SCRIPT"
                : "SELECT",
              schema: {
                fields: (options.schemas?.find((x) => x.match.test(sql))?.fields ?? []).map((name) => ({
                  name,
                  type: "STRING",
                  mode: "NULLABLE",
                })),
              },
            },
          },
        });
      }
      const failure = rejected ?? options.failures?.find((f) => f.match.test(sql));
      if (failure) {
        const error = {
          reason: "reason" in failure ? failure.reason : "invalidQuery",
          message: failure.message,
          location: "query",
        };
        return send(200, {
          kind: "bigquery#job",
          id: `${projectId}:${location}.${jobId}`,
          jobReference,
          configuration: job.configuration,
          status: { state: "DONE", errorResult: error, errors: [error] },
        });
      }
      const { writes, drops } = relations(codeOnly(sql));
      for (const dataset of codeOnly(sql).matchAll(/\bcreate\s+schema\s+(?:if\s+not\s+exists\s+)?([\w-]+)/gi))
        datasets.add(dataset[1]!);
      for (const relation of drops) tables.delete(relation);
      for (const match of codeOnly(sql).matchAll(
        /\bcreate\s+(?:or\s+replace\s+)?(external\s+table|table|view)\s+(?:if\s+not\s+exists\s+)?(`[^`]+`|[\w-]+\.[\w$]+)/gi,
      )) {
        const relation = match[2]!.replaceAll("`", "").split(".").slice(-2).join(".");
        if (writes.includes(relation))
          tables.set(
            relation,
            match[1]!.toLowerCase().startsWith("external") ? "EXTERNAL" : match[1]!.toUpperCase(),
          );
      }
      const answer = options.answers?.find((a) => a.match.test(sql));
      results.set(jobId, {
        rows: answer?.rows ?? (/count\(\*\)\s+as\s+failures/i.test(sql) ? [{ failures: 0 }] : []),
      });
      return send(200, {
        kind: "bigquery#job",
        id: `${projectId}:${location}.${jobId}`,
        jobReference,
        configuration: job.configuration,
        status: { state: "DONE" },
        statistics: { creationTime: String(Date.now()) },
      });
    }
    if (req.method === "GET" && kind === "jobs" && id) {
      return send(200, {
        kind: "bigquery#job",
        jobReference: { projectId, jobId: id, location: "US" },
        status: { state: "DONE" },
        statistics: {},
      });
    }
    if (req.method === "GET" && kind === "queries" && id) {
      const rows = results.get(id)?.rows ?? [];
      const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
      const fields = names.map((name) => ({
        name,
        type: rows.every((r) => r[name] === null || typeof r[name] === "number") ? "INT64" : "STRING",
        mode: "NULLABLE",
      }));
      return send(200, {
        kind: "bigquery#getQueryResultsResponse",
        jobReference: { projectId, jobId: id, location: "US" },
        jobComplete: true,
        schema: { fields },
        totalRows: String(rows.length),
        rows: rows.map((r) => ({
          f: names.map((n) => ({ v: r[n] === null || r[n] === undefined ? null : String(r[n]) })),
        })),
      });
    }
    return send(
      404,
      apiError(404, "notFound", `stub: no route for ${req.method} ${url.pathname}`, "NOT_FOUND"),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    jobs,
    tables,
    datasets,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
