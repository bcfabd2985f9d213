/**
 * The fleet's hourly metrics from the warehouse: every VM of marts.resources with metrics, its
 * size's vCPU and memory from the catalogue, and its CPU (and memory, where an agent measures
 * it) on one hour axis starting at the first sample's UTC midnight. Read in batches of VMs so
 * only a batch's series are in memory at once.
 */
import { lit } from "../../core/sql.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import type { Series } from "./features.ts";
import type { VmSeries } from "./dataset.ts";

export interface FleetAxis {
  /** Hours since the epoch of index 0 (a UTC midnight). */
  startHour: number;
  /** Hours on the axis: the data's end is this index. */
  hours: number;
  vmCount: number;
}

const VMS = `
  select r.resource_id, r.provider, r.sku as size, s.vcpu::double as vcpu, s.memory_gib::double as memory_gib
  from marts.resources r
  left join marts.catalog_vm_sizes s on s.provider = r.provider and s.size = r.sku
  where r.resource_type = 'virtual_machine'`;

/** The axis, or null when no VM has metrics. */
export async function fleetAxis(warehouse: Warehouse): Promise<FleetAxis | null> {
  const [row] = await warehouse.all<{ first: number | null; last: number | null; vms: number }>(`
    select min(epoch(m.hour_start)) as first, max(epoch(m.hour_start)) as last, count(distinct m.resource_id)::integer as vms
    from staging.stg_metrics__hourly m where m.resource_id in (select resource_id from (${VMS}))`);
  if (!row || row.first === null || row.last === null) return null;
  const startHour = Math.floor(row.first / 86400) * 24;
  return { startHour, hours: Math.floor(row.last / 3600) + 1 - startHour, vmCount: row.vms };
}

interface BatchRow {
  resource_id: string;
  provider: string;
  size: string | null;
  vcpu: number | null;
  memory_gib: number | null;
  h: number[];
  cpu_avg: (number | null)[];
  cpu_max: (number | null)[];
  memory_avg: (number | null)[];
  memory_max: (number | null)[];
  memory_hours: number;
}

function series(hours: number, at: number[], avg: (number | null)[], max: (number | null)[]): Series {
  const s = { avg: new Float32Array(hours).fill(Number.NaN), max: new Float32Array(hours).fill(Number.NaN) };
  at.forEach((h, i) => {
    if (h < 0 || h >= hours) return;
    s.avg[h] = avg[i] ?? Number.NaN;
    s.max[h] = max[i] ?? Number.NaN;
  });
  return s;
}

/** Every VM's series, a batch at a time, in resource id order. */
export async function* readFleet(
  warehouse: Warehouse,
  axis: FleetAxis,
  batchSize = 200,
): AsyncGenerator<VmSeries[]> {
  const ids = (
    await warehouse.all<{ resource_id: string }>(`
      select distinct v.resource_id from (${VMS}) v
      where v.resource_id in (select resource_id from staging.stg_metrics__hourly) order by 1`)
  ).map((r) => r.resource_id);
  const start = axis.startHour * 3600;
  for (let i = 0; i < ids.length; i += batchSize) {
    const batch = ids.slice(i, i + batchSize);
    const rows = await warehouse.all<BatchRow>(`
      select v.resource_id, v.provider, v.size, v.vcpu, v.memory_gib,
          list(((epoch(m.hour_start) - ${start}) / 3600)::integer order by m.hour_start) as h,
          list(m.cpu_avg_pct order by m.hour_start) as cpu_avg,
          list(m.cpu_max_pct order by m.hour_start) as cpu_max,
          list(m.memory_avg_pct order by m.hour_start) as memory_avg,
          list(m.memory_max_pct order by m.hour_start) as memory_max,
          count(m.memory_max_pct)::integer as memory_hours
      from staging.stg_metrics__hourly m
      join (${VMS}) v using (resource_id)
      where m.resource_id between ${lit(batch[0]!)} and ${lit(batch.at(-1)!)}
      group by all order by v.resource_id`);
    yield rows.map((r) => ({
      resourceId: r.resource_id,
      provider: r.provider,
      size: r.size,
      vcpu: r.vcpu,
      memoryGib: r.memory_gib,
      cpu: series(axis.hours, r.h, r.cpu_avg, r.cpu_max),
      memory: r.memory_hours > 0 ? series(axis.hours, r.h, r.memory_avg, r.memory_max) : null,
    }));
  }
}
