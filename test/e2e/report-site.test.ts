/**
 * The report site in a real browser (Debian's Chromium through playwright-core):
 * built by the pipeline on a generated estate, served from 127.0.0.1, it renders
 * the spend chart and tables and asks nothing of any other host.
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { closeWarehouse, openWarehouse } from "../../core/warehouse/warehouse.ts";
import { runPipeline } from "../../orchestrator/pipeline.ts";
import { serveStatic } from "../helpers/static-server.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let browser: Browser;
let site: Awaited<ReturnType<typeof serveStatic>>;
let dataDir: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} not found: install it with apt-get install -y chromium (.ci/run does)`);
  dataDir = tempDir();
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, "generate:\n  resources: 120\n  days: 40\n");
  const config = loadConfig({ configFile, dataDir, env: {} });
  await runPipeline(await openWarehouse(config), config, { demo: true, inputs: [] }, quiet);
  await closeWarehouse();
  site = await serveStatic(config.paths.site);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

describe("report site in Chromium", () => {
  it("renders the spend chart and the tables from local files only", async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const foreign: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(site.url) && !r.url().startsWith("data:")) foreign.push(r.url());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${site.url}/`, { waitUntil: "networkidle" });
    await page.waitForSelector("svg[class^='plot']", { timeout: 30_000 });
    // One area per provider and currency in the chart's legend.
    const legend = await page.locator("[class$='-swatch']").allTextContents();
    expect(legend.sort()).toEqual(["aws (USD)", "azure (EUR)", "gcp (USD)", "oci (USD)"]);
    const tables = page.locator("table");
    expect(await tables.count()).toBe(2);
    expect(await tables.nth(0).locator("td").allTextContents()).toEqual(
      expect.arrayContaining(["azure", "EUR"]),
    );
    expect(await tables.nth(1).locator("td").allTextContents()).toContain("deactivation");
    await page.screenshot({ path: path.join(dataDir, "report.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
