/**
 * The estate's resource inventory as the inventory API sources would read it at noon (UTC) on the
 * window's last day, in the inventory layout (docs/ingest.md "Inventory files"):
 * inventory/<source>-inventory-YYYY-MM.csv, one file per source (ec2, resourcegraph, computeapi;
 * OCI, which has no inventory source, as a file), under the ids the billing exports use.
 *
 * Every VM, disk, snapshot and address that exists then: those billed on the last day, and the
 * VMs stopped three weeks before (planted case stopped_vm), which exist but bill nothing. The
 * signal is the estate's own: disks attached to their VM (EstateResource.attachedTo), unattached
 * ones (unattached_disk) available with no VM; addresses associated, or not (unassociated_ip);
 * snapshots with their creation day (EstateResource.createdAt). VMs are running, except the
 * stopped ones and office-hours VMs on a weekend. Each provider's own state words and sizes.
 * What the estate does not say is derived from ids alone (no random draws): an associated
 * address is on a running VM of its account (its region first), a snapshot was taken of a disk of
 * its account (its region first), chosen by hash.
 */
import { lit } from "../../../core/sql.ts";
import { INVENTORY_COLUMNS } from "../../../ingest/inventory/layout.ts";
import { copyTo, type ExportWriter } from "./common.ts";

/** When the inventory is read: noon UTC on the last day. */
const SNAPSHOT_HOUR = "12:00:00";

/** Each provider's words: the inventory source, a stopped VM, and sizes the estate names its own way. */
const SQL = (snapshotTime: string) => `
WITH last AS (
  SELECT max(day_idx) AS idx, max(day) AS day, dayofweek(max(day)) BETWEEN 1 AND 5 AS weekday FROM days
),
live AS (
  SELECT r.*,
    r.kind = 'vm' AND r.planted_case IS DISTINCT FROM 'stopped_vm'
      AND (r.schedule IS DISTINCT FROM 'business_hours' OR last.weekday) AS running
  FROM resources r, last
  WHERE r.kind IN ('vm', 'disk', 'snapshot', 'ip') AND r.start_day <= last.idx
    AND (r.end_day = last.idx OR r.planted_case = 'stopped_vm')
),
-- An associated address is on a running VM billed around the clock, of its account, its region first.
address_vm AS (
  SELECT ip.resource_id,
    first(vm.resource_id ORDER BY vm.region IS DISTINCT FROM ip.region, hash(ip.resource_id || vm.resource_id)) AS vm_id
  FROM live ip JOIN live vm
    ON vm.kind = 'vm' AND vm.running AND vm.schedule IS DISTINCT FROM 'business_hours'
    AND vm.sub_account_id = ip.sub_account_id
  WHERE ip.kind = 'ip' AND ip.attached_to IS NOT NULL
  GROUP BY ip.resource_id
),
-- A snapshot was taken of a disk of its account, its region first.
snapshot_disk AS (
  SELECT s.resource_id,
    first(d.resource_id ORDER BY d.region IS DISTINCT FROM s.region, hash(s.resource_id || d.resource_id)) AS disk_id
  FROM live s JOIN live d ON d.kind = 'disk' AND d.sub_account_id = s.sub_account_id
  WHERE s.kind = 'snapshot'
  GROUP BY s.resource_id
),
rows AS (
  SELECT
    r.provider, r.kind, r.sub_account_id, r.region, r.resource_id, r.size, r.size_gb, r.created_at, r.tags,
    r.running,
    CASE r.kind WHEN 'ip' THEN a.vm_id ELSE r.attached_to END AS attached,
    s.disk_id,
    vm.running AS vm_running
  FROM live r
  LEFT JOIN address_vm a ON a.resource_id = r.resource_id
  LEFT JOIN snapshot_disk s ON s.resource_id = r.resource_id
  LEFT JOIN live vm ON r.kind = 'disk' AND vm.resource_id = r.attached_to
)
SELECT
  ${lit(snapshotTime)} AS snapshot_time,
  provider,
  sub_account_id AS account_id,
  region,
  CASE WHEN provider = 'azure' THEN lower(resource_id) ELSE resource_id END AS resource_id,
  CASE kind WHEN 'vm' THEN 'virtual_machine' WHEN 'disk' THEN 'volume' WHEN 'ip' THEN 'public_ip' ELSE kind END AS resource_type,
  CASE kind
    WHEN 'vm' THEN CASE WHEN running THEN 'running'
      WHEN provider = 'azure' THEN 'deallocated' WHEN provider = 'gcp' THEN 'terminated' ELSE 'stopped' END
    WHEN 'disk' THEN CASE provider
      WHEN 'aws' THEN CASE WHEN attached IS NULL THEN 'available' ELSE 'in-use' END
      -- A disk of a deallocated VM is Reserved.
      WHEN 'azure' THEN CASE WHEN attached IS NULL THEN 'unattached' WHEN vm_running THEN 'attached' ELSE 'reserved' END
      WHEN 'gcp' THEN 'ready'
      ELSE 'available' END
    WHEN 'snapshot' THEN CASE provider WHEN 'aws' THEN 'completed' WHEN 'azure' THEN 'succeeded' WHEN 'gcp' THEN 'ready' ELSE 'available' END
    ELSE CASE provider
      WHEN 'gcp' THEN CASE WHEN attached IS NULL THEN 'reserved' ELSE 'in_use' END
      WHEN 'oci' THEN CASE WHEN attached IS NULL THEN 'available' ELSE 'assigned' END
      ELSE CASE WHEN attached IS NULL THEN 'unassociated' ELSE 'associated' END END
  END AS state,
  CASE WHEN provider = 'azure' THEN lower(attached) ELSE attached END AS attached_to,
  CASE kind
    WHEN 'vm' THEN size
    WHEN 'disk' THEN CASE WHEN provider <> 'azure' THEN size WHEN size = 'Premium SSD' THEN 'Premium_LRS'
      WHEN size = 'Standard SSD' THEN 'StandardSSD_LRS' WHEN size = 'Standard HDD' THEN 'Standard_LRS' ELSE size END
    WHEN 'snapshot' THEN CASE provider WHEN 'aws' THEN 'standard' WHEN 'azure' THEN 'Standard_LRS' WHEN 'gcp' THEN 'STANDARD' END
    ELSE CASE provider WHEN 'azure' THEN 'Standard' WHEN 'gcp' THEN 'PREMIUM' END
  END AS size,
  CASE WHEN kind IN ('disk', 'snapshot') THEN size_gb END AS size_gb,
  strftime(created_at, '%Y-%m-%dT00:00:00Z') AS created_at,
  CASE WHEN provider = 'azure' THEN lower(disk_id) ELSE disk_id END AS source_id,
  tags::VARCHAR AS tags,
  CASE provider WHEN 'aws' THEN 'ec2' WHEN 'azure' THEN 'resourcegraph' WHEN 'gcp' THEN 'computeapi' ELSE 'file' END AS source,
  CASE WHEN provider = 'aws' THEN region END AS scope
FROM rows`;

export const writeInventory: ExportWriter = async (ctx) => {
  const [[lastDay]] = (await ctx.con.runAndReadAll("SELECT max(day)::VARCHAR FROM days")).getRows() as [
    [string],
  ];
  const snapshotTime = `${lastDay}T${SNAPSHOT_HOUR}Z`;
  await ctx.con.run(`CREATE OR REPLACE TEMP TABLE inventory AS ${SQL(snapshotTime)}`);
  const files: string[] = [];
  for (const source of ["ec2", "resourcegraph", "computeapi", "file"]) {
    const query = `SELECT ${INVENTORY_COLUMNS.join(", ")} FROM inventory WHERE source = ${lit(source)}
      ORDER BY resource_type, resource_id`;
    const file = `inventory/${source}-inventory-${lastDay.slice(0, 7)}.csv`;
    files.push(await copyTo(ctx, query, file, "FORMAT csv, HEADER true"));
  }
  return files;
};
