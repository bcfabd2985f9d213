/**
 * A local HTTP server answering the BigQuery REST calls a query makes (jobs.insert,
 * jobs.query, jobs.get, jobs.getQueryResults) in the service's documented shapes,
 * replaying fixed rows. No BigQuery emulator exists; this lets the real
 * @google-cloud/bigquery client run against 127.0.0.1.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Field {
  name: string;
  type: string;
  mode?: "REPEATED" | "NULLABLE";
  fields?: Field[];
}

export interface BigQueryStub {
  url: string;
  /** Every query text and its parameters, as received. */
  queries: { query: string; params: unknown }[];
  close(): Promise<void>;
}

/** A JSON value as a BigQuery REST cell ({v: …}), nested records as {f: […]}. */
function cell(value: unknown, field: Field, int64Timestamps: boolean): unknown {
  if (value === null || value === undefined) return { v: null };
  if (field.mode === "REPEATED") {
    return {
      v: (value as unknown[]).map((item) => cell(item, { ...field, mode: "NULLABLE" }, int64Timestamps)),
    };
  }
  if (field.type === "RECORD")
    return { v: row(value as Record<string, unknown>, field.fields!, int64Timestamps) };
  if (field.type === "TIMESTAMP") {
    const ms = Date.parse(String(value).replace(" UTC", "Z").replace(" ", "T"));
    return { v: int64Timestamps ? String(ms * 1000) : String(ms / 1000) };
  }
  return { v: String(value) };
}

function row(record: Record<string, unknown>, fields: Field[], int64Timestamps: boolean): { f: unknown[] } {
  return { f: fields.map((field) => cell(record[field.name], field, int64Timestamps)) };
}

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = "";
  for await (const chunk of req) text += chunk;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

export async function startBigQueryStub(
  schema: Field[],
  records: Record<string, unknown>[],
): Promise<BigQueryStub> {
  const queries: BigQueryStub["queries"] = [];
  const jobs = new Map<string, { projectId: string }>();
  const results = (jobId: string, projectId: string, int64: boolean) => ({
    kind: "bigquery#getQueryResultsResponse",
    jobReference: { projectId, jobId, location: "US" },
    jobComplete: true,
    schema: { fields: schema },
    totalRows: String(records.length),
    rows: records.map((r) => row(r, schema, int64)),
  });
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const int64 = url.searchParams.get("formatOptions.useInt64Timestamp") === "true";
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    const m = url.pathname.match(/^\/bigquery\/v2\/projects\/([^/]+)\/(jobs|queries)(?:\/([^/]+))?$/);
    if (!m)
      return send(404, { error: { code: 404, message: `stub: no route for ${req.method} ${url.pathname}` } });
    const [, projectId, kind, id] = m as unknown as [string, string, string, string | undefined];
    if (req.method === "POST" && kind === "jobs") {
      const job = await body(req);
      const config = (job.configuration as { query: { query: string; queryParameters?: unknown } }).query;
      queries.push({ query: config.query, params: config.queryParameters });
      const jobId = (job.jobReference as { jobId?: string } | undefined)?.jobId ?? `job_${jobs.size + 1}`;
      jobs.set(jobId, { projectId });
      return send(200, {
        kind: "bigquery#job",
        id: `${projectId}:US.${jobId}`,
        jobReference: { projectId, jobId, location: "US" },
        configuration: job.configuration,
        status: { state: "DONE" },
      });
    }
    if (req.method === "POST" && kind === "queries") {
      const request = await body(req);
      queries.push({ query: String(request.query), params: request.queryParameters });
      const jobId = `job_${jobs.size + 1}`;
      jobs.set(jobId, { projectId });
      const int64Body = Boolean(
        (request.formatOptions as { useInt64Timestamp?: boolean } | undefined)?.useInt64Timestamp,
      );
      return send(200, { ...results(jobId, projectId, int64Body || int64), kind: "bigquery#queryResponse" });
    }
    if (req.method === "GET" && kind === "jobs" && id) {
      return send(200, {
        kind: "bigquery#job",
        jobReference: { projectId, jobId: id, location: "US" },
        status: { state: "DONE" },
        statistics: {},
      });
    }
    if (req.method === "GET" && kind === "queries" && id) return send(200, results(id, projectId, int64));
    return send(404, { error: { code: 404, message: `stub: no route for ${req.method} ${url.pathname}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    queries,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
