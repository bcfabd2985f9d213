/**
 * `cco actions rollback ID`: undo a change that was made (succeeded, or still being verified)
 * through its recorded undo, with the same records, tokens and checks as an automatic rollback.
 */
import type { Config } from "../../core/config.ts";
import { UsageError } from "../../core/errors.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { kindNamed } from "../kinds/index.ts";
import { type AdapterOptions, contexts } from "./contexts.ts";
import { rollBack } from "./machine.ts";
import { type Action, loadAction, record } from "./records.ts";

export async function rollbackAction(
  warehouse: Warehouse,
  config: Config,
  actionId: string,
  by: string,
  options: AdapterOptions & { reason?: string } = {},
): Promise<Action> {
  const action = await loadAction(warehouse, actionId);
  if (!action)
    throw new UsageError(`${actionId}: no such action in ops.actions (cco actions status lists them)`);
  if (action.mode !== "execute")
    throw new UsageError(`${actionId} was a dry run: nothing was changed to roll back`);
  if (action.state !== "succeeded" && action.state !== "verifying")
    throw new UsageError(
      `${actionId} is ${action.state}: only a succeeded or verifying action can be rolled back`,
    );
  const kind = kindNamed(action.kind);
  if (!kind) throw new UsageError(`${actionId}: unknown kind ${action.kind}`);
  if (kind.irreversible) throw new UsageError(`${actionId}: ${kind.name} is irreversible; it has no undo`);
  const ctx = await contexts(warehouse, config, options)(action.provider);
  const reason = `rolled back by ${by}${options.reason ? `: ${options.reason}` : ""}`;
  await record(warehouse, config, action, {
    event: "action.rollback.requested",
    detail: { by, reason: options.reason ?? null },
  });
  await rollBack(ctx, kind, action, reason);
  return action;
}
