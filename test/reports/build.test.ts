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
  await w.run(`COPY (SELECT DATE '2026-10-31' AS charge_date, '${provider}' AS provider, 'USD' AS currency,
    ${cost}::DECIMAL(38,10) AS effective_cost) TO '${dir}/cost_daily.parquet' (FORMAT parquet)`);
  await w.run(`COPY (SELECT 'deactivation' AS category, 'USD' AS currency, 1.5::DECIMAL(18,2) AS estimated_monthly_savings,
    'open' AS status)
    TO '${dir}/recommendations.parquet' (FORMAT parquet)`);
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
    expect(siteData(first, "summary")).toContain('"last_30_days":"111.00"');
    const second = tempDir();
    await buildReport({ martsDir: await marts("gcp", 222), siteDir: second, title: "t" });
    const data = siteData(second, "summary");
    expect(data).toContain('"provider":"gcp"');
    expect(data).not.toContain('"provider":"aws"');
  });
});
