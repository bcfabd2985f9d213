/** The virtual machines AZURE's landed billing shows: what its metrics source pulls when given no ids. */
import { parseTimestamp } from "../format.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { ResourceScope } from "../provider.ts";

/** Charges on VMs in either cost details dataset, by ARM id (lower case, as Azure Monitor takes it) and day. */
const vmLines = () =>
  ["raw.azure_actual_cost_lines", "raw.azure_amortized_cost_lines"]
    .map(
      (
        table,
      ) => `SELECT lower(ResourceId) AS id, ${parseTimestamp('coalesce("date", UsageDateTime)')}::DATE AS day
  FROM ${table} WHERE lower(ResourceId) LIKE '%/providers/microsoft.compute/virtualmachines/%'`,
    )
    .join("\nUNION ALL\n");

/** VMs billed on the last two days of the landed billing. */
export async function billedVirtualMachines(
  warehouse: Warehouse,
  { subscription }: ResourceScope,
): Promise<string[]> {
  const rows = await warehouse.all<{ id: string }>(
    `WITH vms AS (${vmLines()})
     SELECT DISTINCT id FROM vms
     WHERE ($1::VARCHAR IS NULL OR id LIKE '/subscriptions/' || lower($1) || '/%')
       AND day >= (SELECT max(day) FROM vms) - 1 ORDER BY 1`,
    [subscription ?? null],
  );
  return rows.map((r) => r.id);
}
