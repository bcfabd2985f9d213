/**
 * The service's logs and metrics. Logs: pino JSON lines, one per request (with its request id,
 * route, status, time and user) and per pipeline step (with its run id); credentials never
 * reach them (the redact paths below, and no request body is ever logged). Metrics: prom-client
 * on a registry of the service's own (so two services in one test process do not collide).
 */
import { type DestinationStream, type Logger, pino } from "pino";
import client from "prom-client";
import type { Warehouse } from "../core/warehouse/warehouse.ts";

/** Wherever these keys appear in a logged object, their value is replaced by [redacted]. */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "token",
  "*.token",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "cookie",
  "*.cookie",
  "*.headers['set-cookie']",
  "jwt_secret",
  "*.jwt_secret",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "cco" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}

export interface Metrics {
  registry: client.Registry;
  httpDuration: client.Histogram<"method" | "route" | "status">;
  stageSeconds: client.Histogram<"stage" | "status">;
  stageRows: client.Gauge<"stage">;
  stageFailures: client.Counter<"stage">;
}

/** The registry and its metrics; cco_actions_total is read from ops.actions at each scrape. */
export function createMetrics(reader: () => Pick<Warehouse, "all">): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const httpDuration = new client.Histogram({
    name: "cco_http_request_duration_seconds",
    help: "API and page requests by method, route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const stageSeconds = new client.Histogram({
    name: "cco_pipeline_stage_seconds",
    help: "Pipeline stage durations in this process, by stage and outcome",
    labelNames: ["stage", "status"] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800],
    registers: [registry],
  });
  const stageRows = new client.Gauge({
    name: "cco_pipeline_stage_rows",
    help: "Rows the last run of each pipeline stage wrote (or read)",
    labelNames: ["stage"] as const,
    registers: [registry],
  });
  const stageFailures = new client.Counter({
    name: "cco_pipeline_failures_total",
    help: "Pipeline stages that failed in this process",
    labelNames: ["stage"] as const,
    registers: [registry],
  });
  new client.Gauge({
    name: "cco_actions_total",
    help: "Executed actions (mode execute) by outcome, from ops.actions",
    labelNames: ["outcome"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await reader().all<{ state: string; n: number }>(
        "select state, count(*)::integer as n from ops.actions where mode = 'execute' group by state",
      );
      for (const r of rows) this.set({ outcome: r.state }, Number(r.n));
    },
  });
  return { registry, httpDuration, stageSeconds, stageRows, stageFailures };
}
