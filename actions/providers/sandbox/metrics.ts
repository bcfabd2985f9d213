/**
 * The sandbox's metrics: each VM's last 14 days of hourly CPU and memory from the warehouse,
 * averaged by hour of the week (its profile, read once when the state is made), replayed on
 * the simulated clock. A resize scales CPU by the vCPU ratio and memory by the memory ratio
 * of the baseline size to the new one, a load surge multiplies it, 100% is where it saturates,
 * and a stopped VM reports nothing. Noise comes from the seed, so a run repeats exactly.
 */
import { existsSync, readFileSync } from "node:fs";
import { writeFileAtomic } from "../../../core/files.ts";
import type { SandboxSettings } from "../../../core/sandbox-settings.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import type { MetricSample } from "../adapter.ts";
import { draw } from "./faults.ts";
import { profilesFile, revisionAt, type SandboxResource, type SandboxState } from "./state.ts";

const HOUR_MS = 3_600_000;
const WEEK_HOURS = 168;

/** Per VM: mean CPU% (and memory% where an agent reports it) for each hour of the week, Monday 00:00 first. */
export type Profiles = Record<string, { cpu: number[]; memory: number[] | null }>;

/** Hour of the week (Monday 00:00 UTC = 0) of an instant; 1970-01-01 was a Thursday. */
export const hourOfWeek = (ms: number) => (Math.floor(ms / HOUR_MS) + 72) % WEEK_HOURS;

async function profilesFromWarehouse(warehouse: Warehouse, state: SandboxState): Promise<Profiles> {
  const rows = await warehouse.all<{ resource_id: string; how: number; cpu: number; memory: number | null }>(`
    WITH m AS (
      SELECT resource_id, epoch(hour_start) AS t, cpu_avg_pct, memory_avg_pct,
        max(epoch(hour_start)) OVER (PARTITION BY resource_id) AS last_t
      FROM staging.stg_metrics__hourly
    )
    SELECT resource_id, ((floor(t / 3600) + 72) % ${WEEK_HOURS})::INTEGER AS how,
      avg(cpu_avg_pct) AS cpu, avg(memory_avg_pct) AS memory
    FROM m WHERE t > last_t - 14 * 86400
    GROUP BY ALL`);
  const vms = new Set(
    Object.values(state.resources)
      .filter((r) => r.kind === "vm")
      .map((r) => r.resourceId),
  );
  const partial: Record<string, { cpu: (number | null)[]; memory: (number | null)[] }> = {};
  for (const row of rows) {
    if (!vms.has(row.resource_id)) continue;
    const p = partial[row.resource_id] ?? {
      cpu: Array(WEEK_HOURS).fill(null),
      memory: Array(WEEK_HOURS).fill(null),
    };
    partial[row.resource_id] = p;
    p.cpu[row.how] = Number(row.cpu);
    p.memory[row.how] = row.memory === null ? null : Number(row.memory);
  }
  const profiles: Profiles = {};
  for (const [id, p] of Object.entries(partial)) {
    // Hours the VM never reported (an office-hours VM's nights) replay its quietest hour.
    const fill = (values: (number | null)[]) => {
      const seen = values.filter((v): v is number => v !== null);
      if (!seen.length) return null;
      const low = Math.min(...seen);
      return values.map((v) => round2(v ?? low));
    };
    profiles[id] = { cpu: fill(p.cpu) ?? Array(WEEK_HOURS).fill(0), memory: fill(p.memory) };
  }
  return profiles;
}

export const readProfiles = Object.assign(profilesFromWarehouse, {
  fromFile(dataDir: string): Profiles {
    const file = profilesFile(dataDir);
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Profiles) : {};
  },
});

export function writeProfiles(dataDir: string, profiles: Profiles): void {
  writeFileAtomic(profilesFile(dataDir), `${JSON.stringify(profiles)}\n`);
}

/** Hourly samples of a VM for the whole hours from `since` to `until` it ran; [] for anything else. */
export function metricsFor(
  state: SandboxState,
  settings: SandboxSettings,
  profiles: Profiles,
  resource: SandboxResource,
  since: Date,
  until: Date,
): MetricSample[] {
  const profile = profiles[resource.resourceId];
  if (resource.kind !== "vm" || !profile) return [];
  const shape = (size: string) => state.catalogue.vmSizes[`${resource.provider}|${size}`];
  const baseline = shape(resource.baselineSize ?? resource.size);
  const samples: MetricSample[] = [];
  const first = Math.ceil(since.getTime() / HOUR_MS) * HOUR_MS;
  for (let t = first; t + HOUR_MS <= until.getTime(); t += HOUR_MS) {
    // The hour counts when the VM ran through its middle.
    const revision = revisionAt(resource, new Date(t + HOUR_MS / 2));
    if (!revision?.exists || revision.status !== "running") continue;
    const now = shape(revision.size);
    const how = hourOfWeek(t);
    const noise = 0.92 + 0.16 * draw(state.seed, t / HOUR_MS, resource.resourceId);
    const surge = surgeAt(settings, state, resource.resourceId, t);
    const cpuScale = baseline && now ? baseline.vcpu / now.vcpu : 1;
    const memScale = baseline && now ? baseline.memoryGib / now.memoryGib : 1;
    const cpu = Math.min(100, profile.cpu[how]! * cpuScale * surge * noise);
    const sample: MetricSample = { hour: new Date(t).toISOString(), cpuPct: round2(cpu) };
    if (profile.memory) sample.memoryPct = round2(Math.min(100, profile.memory[how]! * memScale * noise));
    samples.push(sample);
  }
  return samples;
}

/** The product of the load surges planted on a VM that have begun by `t`. */
export function surgeAt(
  settings: SandboxSettings,
  state: SandboxState,
  resourceId: string,
  t: number,
): number {
  let factor = 1;
  for (const surge of settings.load_surges) {
    if (surge.resource_id !== resourceId) continue;
    if (t >= Date.parse(surge.from ?? state.startedAt)) factor *= surge.factor;
  }
  return factor;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
