/** Helpers the export writers share: one place for months, paths and COPY. */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { lit } from "../../../core/sql.ts";

export interface WriterContext {
  con: DuckDBConnection;
  outDir: string;
  months: string[];
  /** Last month of the window: its invoice is not final yet. */
  openMonth: string;
}

export type ExportWriter = (ctx: WriterContext) => Promise<string[]>;

/** COPY a query to a file, creating its folder; returns the path written. */
export async function copyTo(
  ctx: WriterContext,
  query: string,
  file: string,
  options: string,
): Promise<string> {
  const target = path.join(ctx.outDir, file);
  mkdirSync(path.dirname(target), { recursive: true });
  await ctx.con.run(`COPY (${query}) TO ${lit(target)} (${options})`);
  return target;
}

/** Write a JSON document (a manifest) under the output folder; returns the path written. */
export function writeJson(ctx: WriterContext, file: string, value: unknown): string {
  const target = path.join(ctx.outDir, file);
  mkdirSync(path.dirname(target), { recursive: true });
  writeFileSync(target, `${JSON.stringify(value, null, 2)}\n`);
  return target;
}

export function monthBounds(month: string): { start: string; end: string } {
  const [y, m] = month.split("-").map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`;
  return { start: `${month}-01`, end: `${next}-01` };
}

export function compact(month: string): string {
  return month.replaceAll("-", "");
}
