/**
 * Reads beside the writer: a few extra DuckDB connections to the service's one instance, handed
 * out round-robin, so API reads run in parallel with each other and are never queued behind a
 * long pipeline statement on the writing connection. Writes (decisions, users, runs) stay on the
 * one writing connection, where the executor and the pipeline write too, so they never conflict.
 */
import type { Warehouse } from "../core/warehouse/warehouse.ts";

export interface ReadPool {
  /** A connection for one read. */
  next(): Warehouse;
  close(): Promise<void>;
}

export async function openReadPool(warehouse: Warehouse, size: number): Promise<ReadPool> {
  const sessions: Warehouse[] = [];
  for (let i = 0; i < size; i++) sessions.push(await warehouse.session());
  let turn = 0;
  return {
    next: () => sessions[turn++ % sessions.length] ?? warehouse,
    close: async () => {
      for (const s of sessions.splice(0)) await s.close();
    },
  };
}
