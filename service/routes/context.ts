/** What every route module gets: the config, the writing warehouse, the read pool, and the service's parts. */
import type { Logger } from "pino";
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { Background } from "../background.ts";
import type { Api } from "../http/route.ts";
import type { Metrics } from "../observability.ts";

export interface RouteContext {
  api: Api;
  config: Config;
  /** The one writing connection (shared with the executor and the pipeline). */
  warehouse: Warehouse;
  /** A connection for a read. */
  reader: () => Warehouse;
  background: Background;
  logger: Logger;
  metrics: Metrics;
  jwtSecret: string;
  bcryptCost: number;
  /** Where the service listens: /metrics needs no sign-in on a loopback address. */
  loopback: () => boolean;
  now: () => Date;
  /** Users or tokens changed: sign-ins are checked against the warehouse again. */
  authChanged: () => void;
}

/** Money and JSON columns: DuckDB's JSON text parsed, so clients get objects. */
export function parseJsonColumns<T extends Record<string, unknown>>(row: T, columns: readonly string[]): T {
  const out: Record<string, unknown> = { ...row };
  for (const c of columns) {
    const v = out[c];
    if (typeof v === "string") {
      try {
        out[c] = JSON.parse(v);
      } catch {
        // Not JSON after all: leave the text.
      }
    }
  }
  return out as T;
}

/** limit / offset query parameters, shared by the paged lists. */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 500;
