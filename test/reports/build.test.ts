/**
 * Each report build shows the marts it is given: Framework caches a data loader's output until
 * the loader changes, so a second warehouse's build once showed the first one's numbers.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { buildReport } from "../../reports/build.ts";
import { tempDir } from "../helpers/tmp.ts";

async function marts(provider: string, cost: number): Promise<string> {
  const dir = tempDir();
  const w = await Warehouse.open({ path: ":memory:" });
  // The columns the loaders read; the other marts are absent, which the pages say.
  await w.run(`COPY (SELECT DATE '2026-10-31' AS charge_date, '2026-10' AS billing_period, '${provider}' AS provider,
    'acct' AS billing_account_id, 'sub' AS sub_account_id, 'Sub' AS sub_account_name, 'Compute' AS service_name,
    'r1' AS region, 'vm-1' AS resource_id, 'virtual_machine' AS resource_type, 'Usage' AS charge_category,
    'USD' AS currency, ${cost}::DECIMAL(38,10) AS billed_cost, ${cost}::DECIMAL(38,10) AS effective_cost,
    ${cost}::DECIMAL(38,10) AS list_cost) TO '${dir}/cost_daily.parquet' (FORMAT parquet)`);
  await w.close();
  return dir;
}

function siteData(site: string, name: string): string {
  const dir = path.join(site, "_file", "data");
  const file = readdirSync(dir).find((f) => f.startsWith(`${name}.`) && f.endsWith(".json"))!;
  return readFileSync(path.join(dir, file), "utf8");
}

describe("the report build", () => {
  it("shows the marts it is given, not the last build's", async () => {
    const first = tempDir();
    await buildReport({ martsDir: await marts("aws", 111), siteDir: first, title: "t" });
    expect(siteData(first, "spend")).toContain('"key":"aws","amortized":111');
    const second = tempDir();
    await buildReport({ martsDir: await marts("gcp", 222), siteDir: second, title: "t" });
    const data = siteData(second, "spend");
    expect(data).toContain('"key":"gcp"');
    expect(data).not.toContain('"key":"aws"');
  });
});
