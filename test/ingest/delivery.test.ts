/**
 * Whether a new file restates its billing periods or adds to them, per source, each tested in
 * separate ingest runs: metrics files and OCI's daily FOCUS reports are slices (a new file
 * adds; a re-delivered file of the same name replaces only itself); a FOCUS month file outside
 * day folders restates its month.
 */
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const METRICS_HEADER =
  "timestamp,provider,resource_id,cpu_avg_pct,cpu_max_pct,memory_avg_pct,memory_max_pct,network_in_bytes,network_out_bytes,disk_read_bytes,disk_write_bytes";

function metricsFile(file: string, vms: string[], hours: number): string {
  const rows = vms.flatMap((vm) =>
    Array.from(
      { length: hours },
      (_, h) => `2026-10-01T${String(h).padStart(2, "0")}:00:00Z,aws,${vm},5,9,,,10,10,0,0`,
    ),
  );
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${[METRICS_HEADER, ...rows].join("\n")}\n`);
  return file;
}

// The FOCUS 1.2 columns ingest requires, as OCI writes them (plus OCI's own oci_ extras).
const FOCUS_HEADER =
  "BilledCost,BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,EffectiveCost,ListCost,ContractedCost,ProviderName,ServiceName,ResourceId,oci_ReferenceNumber";

function ociDay(root: string, day: string, costs: number[], name = "0001000001234567-00001.csv"): string {
  const file = path.join(root, "FOCUS Reports", "2026", "10", day, name);
  const rows = costs.map(
    (c, i) =>
      `${c},ocid1.tenancy.oc1..aaaa,USD,2026-10-01T00:00Z,2026-11-01T00:00Z,2026-10-${day}T00:00Z,2026-10-${day}T01:00Z,Usage,${c},${c},${c},Oracle,Compute,ocid1.instance.oc1.${i},REF-${day}-${i}`,
  );
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${[FOCUS_HEADER, ...rows].join("\n")}\n`);
  return file;
}

const count = async (w: Warehouse, sql: string) => Number((await w.all<{ n: string }>(sql))[0]!.n);

describe("slices and restatements", () => {
  it("a second metrics file for the same provider and month, in a later run, adds its resources", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const lake = tempDir();
    const dir = tempDir();
    await ingestPaths(
      w,
      [metricsFile(path.join(dir, "team-a", "metrics-2026-10.csv"), ["i-a1", "i-a2"], 3)],
      { lakeDir: lake },
      quiet,
    );
    const [second] = await ingestPaths(
      w,
      [metricsFile(path.join(dir, "team-b", "metrics-2026-10.csv"), ["i-b1"], 3)],
      { lakeDir: lake },
      quiet,
    );
    expect(second!.status).toBe("loaded");
    expect(await count(w, "select count(distinct resource_id)::varchar as n from raw.metrics_hourly")).toBe(
      3,
    );
    expect(await count(w, "select count(*)::varchar as n from raw.metrics_hourly")).toBe(9);
    const ledger = await w.all<{ delivery: string }>("select delivery from ops.loads order by load_id");
    expect(ledger.map((l) => l.delivery)).toEqual(["slice", "slice"]);
    await w.close();
  });

  it("a re-delivered metrics file (same name, more hours) replaces only its earlier version", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const lake = tempDir();
    const dir = tempDir();
    await ingestPaths(
      w,
      [metricsFile(path.join(dir, "a", "cloudwatch-metrics-2026-10.csv"), ["i-a"], 2)],
      { lakeDir: lake },
      quiet,
    );
    await ingestPaths(
      w,
      [metricsFile(path.join(dir, "b", "other-2026-10.csv"), ["i-b"], 2)],
      { lakeDir: lake },
      quiet,
    );
    const [again] = await ingestPaths(
      w,
      [metricsFile(path.join(dir, "a", "cloudwatch-metrics-2026-10.csv"), ["i-a"], 5)],
      { lakeDir: lake },
      quiet,
    );
    expect(again!.status).toBe("replaced");
    const rows = await w.all<{ r: string; n: string }>(
      "select resource_id as r, count(*)::varchar as n from raw.metrics_hourly group by 1 order by 1",
    );
    expect(rows).toEqual([
      { r: "i-a", n: "5" },
      { r: "i-b", n: "2" },
    ]);
    await w.close();
  });

  it("OCI's daily FOCUS reports, loaded day by day, add up to the month; a re-delivered day replaces that day", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const lake = tempDir();
    const bucket = tempDir();
    for (const [day, costs] of [
      ["01", [1.5, 2.25]],
      ["02", [3]],
      ["03", [4, 0.25]],
    ] as const) {
      await ingestPaths(w, [ociDay(bucket, day, [...costs])], { lakeDir: lake }, quiet);
    }
    const total = async () =>
      (
        await w.all<{ n: string; s: string }>(
          "select count(*)::varchar as n, sum(BilledCost::decimal(38,10))::varchar as s from raw.focus_cost_lines",
        )
      )[0];
    expect(await total()).toEqual({ n: "5", s: "11.0000000000" });
    // Day 2 re-delivered with a late charge: it replaces day 2 only.
    const [redelivered] = await ingestPaths(w, [ociDay(bucket, "02", [3, 0.5])], { lakeDir: lake }, quiet);
    expect(redelivered!.status).toBe("replaced");
    expect(await total()).toEqual({ n: "6", s: "11.5000000000" });
    // The whole bucket again: nothing new.
    const again = await ingestPaths(w, [bucket], { lakeDir: lake }, quiet);
    expect(again.map((r) => r.status)).toEqual(["skipped", "skipped", "skipped"]);
    await w.close();
  });

  it("daily reports landing together in one run: a day delivered twice counts once, the later copy", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const lake = tempDir();
    const [first, second] = [tempDir(), tempDir()];
    ociDay(first, "01", [1.5, 2.25]);
    ociDay(first, "02", [3]);
    ociDay(second, "02", [3, 0.5]); // the same day re-delivered, with a late charge
    ociDay(second, "03", [4]);
    const results = await ingestPaths(w, [first, second], { lakeDir: lake }, quiet);
    expect(results.map((r) => r.status)).toEqual(["loaded", "loaded", "replaced", "loaded"]);
    const [total] = await w.all<{ n: string; s: string }>(
      "select count(*)::varchar as n, sum(BilledCost::decimal(38,10))::varchar as s from raw.focus_cost_lines",
    );
    expect(total).toEqual({ n: "5", s: "11.2500000000" });
    const current = await w.all<{ n: string }>(
      "select count(*)::varchar as n from ops.load_parts where superseded_by is null",
    );
    expect(current[0]!.n).toBe("3");
    await w.close();
  });

  it("a FOCUS month file outside day folders restates its month", async () => {
    const w = await Warehouse.open({ path: ":memory:" });
    const lake = tempDir();
    const dir = tempDir();
    const month = (folder: string, costs: number[]) => {
      const file = path.join(dir, folder, "focus-2026-10.csv");
      const rows = costs.map(
        (c, i) =>
          `${c},acct-1,USD,2026-10-01T00:00Z,2026-11-01T00:00Z,2026-10-05T00:00Z,2026-10-06T00:00Z,Usage,${c},${c},${c},Vendor,Compute,vm-${i},R${i}`,
      );
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${[FOCUS_HEADER, ...rows].join("\n")}\n`);
      return file;
    };
    await ingestPaths(w, [month("v1", [10, 20])], { lakeDir: lake }, quiet);
    const [restated] = await ingestPaths(w, [month("v2", [10, 25])], { lakeDir: lake }, quiet);
    expect(restated!.status).toBe("replaced");
    const [row] = await w.all<{ s: string }>(
      "select sum(BilledCost::decimal(38,10))::varchar as s from raw.focus_cost_lines",
    );
    expect(row!.s).toBe("35.0000000000");
    await w.close();
  });
});

describe("Azure exports without partitioning", () => {
  it("take the newest of several month-to-date runs in one folder, never their sum", async () => {
    // A scheduled export without partitioning writes a new file per run, each the whole month to date.
    const folder = path.join(tempDir(), "acme-daily", "20261001-20261031");
    mkdirSync(folder, { recursive: true });
    const header = "SubscriptionId,Date,MeterCategory,CostInBillingCurrency,BillingCurrencyCode,ResourceId";
    const run = (name: string, days: string[], at: number) => {
      const file = path.join(folder, name);
      writeFileSync(
        file,
        `${[header, ...days.map((d) => `sub-1,2026-10-${d},Virtual Machines,10,EUR,/subscriptions/sub-1/vm1`)].join("\n")}\n`,
      );
      utimesSync(file, at, at);
      return file;
    };
    // Names say nothing of their order (Azure names runs with GUIDs); their times do.
    const now = Date.now() / 1000;
    run("acme-daily_f3a9.csv", ["01", "02", "03"], now - 60);
    run("acme-daily_0b71.csv", ["01", "02"], now - 120);
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [folder], { lakeDir: tempDir() }, quiet);
    expect(results.map((r) => [path.basename(r.file), r.status])).toEqual([
      ["acme-daily_0b71.csv", "loaded"],
      ["acme-daily_f3a9.csv", "replaced"],
    ]);
    const [total] = await w.all<{ n: string; s: string }>(
      "select count(*)::varchar as n, sum(CostInBillingCurrency::decimal(38,10))::varchar as s from raw.azure_actual_cost_lines",
    );
    expect(total).toEqual({ n: "3", s: "30.0000000000" });
    await w.close();
  });
});
