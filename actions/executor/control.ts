/**
 * The kill switch: `cco actions pause` appends a row to ops.executor_control (who, when, why),
 * `resume` another; the latest row decides, and config.actions.paused stops the executor whatever
 * the table says. A paused executor starts nothing new; it still reconciles interrupted actions
 * and verifies changes already made (an undo is what protects the estate, so it is never paused).
 */
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { appendAudit } from "../audit/log.ts";

export interface Control {
  paused: boolean;
  /** config (actions.paused), or the user who paused through the CLI. */
  by: string | null;
  since: string | null;
  reason: string | null;
}

export async function executorControl(w: Warehouse, config: Config): Promise<Control> {
  if (config.actions.paused)
    return { paused: true, by: `config (${config.source}: actions.paused)`, since: null, reason: null };
  const [last] = await w.all<{
    paused: boolean;
    changed_by: string;
    changed_at: string;
    reason: string | null;
  }>(
    "select paused, changed_by, changed_at::varchar as changed_at, reason from ops.executor_control order by changed_at desc limit 1",
  );
  if (!last?.paused)
    return { paused: false, by: last?.changed_by ?? null, since: last?.changed_at ?? null, reason: null };
  return { paused: true, by: last.changed_by, since: last.changed_at, reason: last.reason };
}

export async function setPaused(
  w: Warehouse,
  paused: boolean,
  by: string,
  reason: string | null,
): Promise<void> {
  await w.transaction(async (tx) => {
    await tx.run("insert into ops.executor_control values ($1::timestamptz, $2, $3, $4)", [
      new Date().toISOString(),
      paused,
      by,
      reason,
    ]);
    await appendAudit(tx, {
      actor: by,
      event: paused ? "executor.paused" : "executor.resumed",
      detail: { reason },
    });
  });
}
