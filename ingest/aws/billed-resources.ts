/** The virtual machines AWS's landed billing shows: what its metrics source pulls when given no ids. */
import { ident } from "../../core/sql.ts";
import { parseTimestamp } from "../format.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { ResourceScope } from "../provider.ts";

/** EC2 instance-hours (on-demand or spot) in either CUR layout, by resource, region and day. */
const instanceLines = () => `
  SELECT line_item_resource_id AS id, line_item_usage_type AS usage_type, product_region_code AS region,
    ${parseTimestamp("line_item_usage_start_date")}::DATE AS day
  FROM raw.aws_cur2_line_items
  UNION ALL
  SELECT ${ident("lineItem/ResourceId")}, ${ident("lineItem/UsageType")}, ${ident("product/regionCode")},
    ${parseTimestamp(ident("lineItem/UsageStartDate"))}::DATE
  FROM raw.aws_cur_legacy_line_items`;

/** VMs billed on the last two days of the landed billing. */
export async function billedVirtualMachines(
  warehouse: Warehouse,
  { region }: ResourceScope,
): Promise<string[]> {
  const rows = await warehouse.all<{ id: string }>(
    `WITH lines AS (${instanceLines()}),
     vms AS (SELECT * FROM lines WHERE id LIKE 'i-%' AND (usage_type LIKE '%BoxUsage%' OR usage_type LIKE '%SpotUsage%'))
     SELECT DISTINCT id FROM vms
     WHERE ($1::VARCHAR IS NULL OR region = $1) AND day >= (SELECT max(day) FROM vms) - 1 ORDER BY 1`,
    [region ?? null],
  );
  return rows.map((r) => r.id);
}
