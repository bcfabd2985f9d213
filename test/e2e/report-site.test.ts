/**
 * The report site in a real browser (Debian's Chromium through playwright-core), built by the
 * pipeline on a generated estate and served from 127.0.0.1: every page loads with no console
 * error, no failed request and nothing from another host; every chart has marks and readable
 * tooltips; headline figures equal the same figures computed by SQL over the warehouse; pages
 * fit 390 px; opened from disk, the page says how to open it. Screenshots of every page are kept
 * in .tmp/screenshots/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { assertChromium, launchChromium } from "../helpers/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { closeWarehouse, openWarehouse } from "../../core/warehouse/warehouse.ts";
import { runPipeline } from "../../orchestrator/pipeline.ts";
import { serveStatic } from "../helpers/static-server.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const SCREENSHOTS = path.resolve(import.meta.dirname, "../../.tmp/screenshots");
const PAGES = [
  "",
  "spend",
  "allocation",
  "recommendations",
  "anomalies",
  "commitments",
  "actions",
  "data-quality",
];
/** Pages whose charts have data on every estate; a Plot chart is an svg holding its marks' groups. */
const CHARTED = ["spend", "allocation", "recommendations", "commitments"];
const CHART = "svg:has(> g[aria-label])";
let browser: Browser;
let site: Awaited<ReturnType<typeof serveStatic>>;
let siteDir: string;
const expected: Record<string, string> = {};

const usd = (n: number) =>
  new Intl.NumberFormat("en-US", {
    style: "currency",
    currency: "USD",
    maximumFractionDigits: Math.abs(n) < 1000 ? 2 : 0,
    minimumFractionDigits: Math.abs(n) < 1000 ? 2 : 0,
  }).format(n);

beforeAll(async () => {
  assertChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  const dataDir = tempDir();
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(
    configFile,
    "generate:\n  resources: 120\n  days: 40\nreports:\n  budgets:\n    - { scope: total, currency: USD, monthly: 40000 }\n",
  );
  const config = loadConfig({ configFile, dataDir, env: {} });
  const warehouse = await openWarehouse(config);
  await runPipeline(warehouse, config, { demo: true, inputs: [], demoActions: true }, quiet);
  // The same headline figures by SQL, to compare with what the pages show.
  const [mtd] = await warehouse.all<{ v: number }>(
    `select sum(effective_cost)::double as v from marts.cost_daily
     where currency = 'USD' and charge_date >= date_trunc('month', (select max(charge_date) from marts.cost_daily))`,
  );
  expected.monthToDate = usd(mtd!.v);
  const [identified] = await warehouse.all<{ v: number }>(
    "select sum(estimated_monthly_savings)::double as v from marts.recommendations where status = 'open' and currency = 'USD'",
  );
  expected.savings = `${usd(identified!.v)} / month`;
  const [projected] = await warehouse.all<{ v: number }>(
    "select (projected + one_off_to_date)::double as v from ml.month_end_projections where scope_type = 'total' and currency = 'USD'",
  );
  expected.projected = usd(projected!.v);
  // One headline per page, each computed again here from the warehouse.
  const [lastFull] = await warehouse.all<{ label: string; v: number }>(
    // The last complete month: the data's last month when it ends on the month's last day.
    `with w as (select date_trunc('month', max(charge_date) + 1) as m from marts.cost_daily)
     select strftime(m - interval 1 month, '%b %Y') as label, sum(effective_cost)::double as v
     from marts.cost_daily, w where currency = 'USD' and charge_date >= m - interval 1 month and charge_date < m group by all`,
  );
  expected.spendLabel = `${lastFull!.label}, USD`;
  expected.spend = usd(lastFull!.v);
  const [untagged] = await warehouse.all<{ v: number }>(
    `select sum(effective_cost) filter (where is_untagged)::double as v from marts.allocation
     where dimension = 'team' and currency = 'USD' and billing_period = (select max(billing_period) from marts.allocation)`,
  );
  expected.untagged = usd(untagged!.v ?? 0);
  const [anomalies] = await warehouse.all<{ v: number }>(
    "select count(distinct coalesce(event_id, anomaly_id))::integer as v from ml.cost_anomalies where status = 'open'",
  );
  expected.openAnomalies = String(anomalies!.v);
  const [saved] = await warehouse.all<{ label: string; v: number }>(
    `select strftime(max(charge_date), '%b %Y') as label, sum(savings) filter (where date_trunc('month', charge_date) =
       (select date_trunc('month', max(charge_date)) from marts.commitments))::double as v
     from marts.commitments where currency = 'USD'`,
  );
  expected.committedLabel = `Saved, ${saved!.label}, USD`;
  expected.committed = usd(saved!.v);
  const [executed] = await warehouse.all<{ v: number }>(
    "select count(*)::integer as v from ops.actions where mode = 'execute' and state = 'succeeded'",
  );
  expected.executed = String(executed!.v);
  const [newest] = await warehouse.all<{ v: string }>(
    "select max(charge_date)::varchar as v from marts.cost_daily",
  );
  expected.newest = new Date(`${newest!.v}T00:00:00Z`).toLocaleDateString("en-GB", {
    day: "numeric",
    month: "short",
    year: "numeric",
    timeZone: "UTC",
  });
  await closeWarehouse();
  siteDir = config.paths.site;
  site = await serveStatic(siteDir);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
});

/** Relative luminance of a CSS rgb() colour (WCAG). */
function lumOf(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
    const s = (Number(v) * (color.startsWith("color(srgb") ? 255 : 1)) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

/** A page loaded and settled, with every console error, failed request and foreign request. */
async function open(name: string, width = 1200): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`console: ${m.text()}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`${r.status()}: ${r.url()}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(site.url) && !r.url().startsWith("data:")) problems.push(`foreign: ${r.url()}`);
  });
  await page.goto(`${site.url}/${name}`, { waitUntil: "networkidle" });
  await page.waitForSelector("h1");
  await page.waitForTimeout(300);
  return { page, problems };
}

describe("report site in Chromium", () => {
  it("loads every page with no error, no failed or foreign request, and marks in every chart", async () => {
    for (const name of PAGES) {
      const { page, problems } = await open(name);
      expect({ name, problems }).toEqual({ name, problems: [] });
      const charts = await page.locator(CHART).all();
      if (CHARTED.includes(name)) expect(charts.length, `${name}: no chart`).toBeGreaterThan(0);
      for (const chart of charts) {
        const marks = await chart
          .locator(":scope > g[aria-label]:not([aria-label$='axis']):not([aria-label='tip']) > *")
          .count();
        expect(marks, `${name}: a chart without marks`).toBeGreaterThan(0);
        // Plot draws ⚠ on a chart whose data it had to guess at (strings for dates, …).
        expect(
          await chart.locator("text", { hasText: "⚠" }).count(),
          `${name}: a chart with Plot's warning`,
        ).toBe(0);
        expect(
          await chart.getAttribute("aria-label"),
          `${name}: a chart without a text alternative`,
        ).toBeTruthy();
      }
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name || "index"}.png`), fullPage: true });
      await page.close();
    }
  });

  it("shows on every page a headline figure the warehouse computes, and the budget", async () => {
    const figureOf = async (name: string, label: string) => {
      const { page } = await open(name);
      const text = await page
        .locator(".cco-figure", { has: page.locator("h2", { hasText: label }) })
        .locator(".big")
        .textContent();
      await page.close();
      return text;
    };
    expect(await figureOf("", "Month to date, USD")).toBe(expected.monthToDate);
    expect(await figureOf("", "Identified, USD")).toBe(expected.savings);
    expect(await figureOf("", "Projected Oct 2026, USD")).toBe(expected.projected);
    expect(await figureOf("spend", expected.spendLabel!)).toBe(expected.spend);
    expect(await figureOf("allocation", "Untagged (team), USD")).toBe(expected.untagged);
    expect(await figureOf("recommendations", "Savings identified, USD")).toBe(expected.savings);
    expect(await figureOf("anomalies", "Open anomalies")).toBe(expected.openAnomalies);
    expect(await figureOf("commitments", expected.committedLabel!)).toBe(expected.committed);
    expect(await figureOf("data-quality", "Newest data")).toBe(expected.newest);
    expect(await figureOf("actions", "Executed")).toBe(expected.executed);
    expect(Number(expected.executed)).toBeGreaterThan(0);
    const { page } = await open("");
    expect(await page.locator("td", { hasText: "$40,000" }).count()).toBe(1);
    await page.close();
  });

  it("is readable in dark and in light mode: text against its background at 4.5:1 or more", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      for (const name of ["", "spend"]) {
        const context = await browser.newContext({ colorScheme, viewport: { width: 1200, height: 900 } });
        const page = await context.newPage();
        await page.goto(`${site.url}/${name}`, { waitUntil: "networkidle" });
        await page.waitForSelector("h1");
        await page.waitForTimeout(300);
        // The lowest contrast between the page's background and any text, chart labels included.
        const worst = await page.evaluate(() => {
          // rgb(255, 0, 0) or color(srgb 1 0 0): channels 0-255.
          const rgb = (c: string) =>
            (c.match(/[\d.]+/g) ?? [])
              .slice(0, 3)
              .map((v) => Number(v) * (c.startsWith("color(srgb") ? 255 : 1));
          const lum = (c: string) => {
            const [r, g, b] = rgb(c).map((v) => {
              const s = v / 255;
              return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
            });
            return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
          };
          // The page's background: the first of body and html that paints one (else the canvas's white).
          const background =
            [document.body, document.documentElement]
              .map((e) => getComputedStyle(e).backgroundColor)
              .find((c) => !/rgba\(0, 0, 0, 0\)|transparent/.test(c)) ?? "rgb(255, 255, 255)";
          const bg = lum(background);
          const ratio = (c: string) => {
            const l = lum(c);
            return (Math.max(l, bg) + 0.05) / (Math.min(l, bg) + 0.05);
          };
          const texts = [
            ...document.querySelectorAll(
              "#observablehq-main h1, #observablehq-main p, #observablehq-main td, #observablehq-main .muted",
            ),
          ].map((e) => ratio(getComputedStyle(e).color));
          const labels = [...document.querySelectorAll("#observablehq-main svg text")].map((e) =>
            ratio(
              getComputedStyle(e).fill === "currentcolor"
                ? getComputedStyle(e).color
                : getComputedStyle(e).fill,
            ),
          );
          return { background, text: Math.min(...texts), labels: Math.min(...labels, 99) };
        });
        expect(
          worst.text,
          `${colorScheme} ${name || "index"}: ${JSON.stringify(worst)}`,
        ).toBeGreaterThanOrEqual(4.5);
        expect(
          worst.labels,
          `${colorScheme} ${name || "index"}: ${JSON.stringify(worst)}`,
        ).toBeGreaterThanOrEqual(4.5);
        if (colorScheme === "dark") expect(lumOf(worst.background)).toBeLessThan(0.2);
        await page.screenshot({
          path: path.join(SCREENSHOTS, `${name || "index"}-${colorScheme}.png`),
          fullPage: true,
        });
        await context.close();
      }
    }
  });

  it("formats tables for people: human headers, no selection boxes, numbers right-aligned with separators", async () => {
    const { page } = await open("spend");
    const headers = await page.locator("table th").allTextContents();
    expect(headers.filter((h) => /_/.test(h))).toEqual([]);
    expect(await page.locator("table input[type=checkbox], table input[type=radio]").count()).toBe(0);
    const amounts = page.locator("table td", { hasText: /^[+-]?[$€]/ });
    expect(await amounts.count()).toBeGreaterThan(0);
    expect(await amounts.first().evaluate((td) => getComputedStyle(td).textAlign)).toBe("right");
    expect(await page.locator("table td", { hasText: /^\$\d{4,}/ }).count()).toBe(0); // thousands separated
    await page.close();
  });

  it("labels chart tooltips in words, not the plotting library's channel names", async () => {
    const { page } = await open("spend");
    const bar = page.locator(`${CHART} > g[aria-label='bar'] rect`).first();
    await bar.hover();
    const tip = await page.locator("g[aria-label='tip']").first().textContent();
    expect(tip).toMatch(/\$/);
    expect(tip).not.toMatch(/\b(fill|x1|x2|y1|y2|fy|fx|z|stroke)\b/);
    await page.close();
  });

  it("fits 390 px wide: no page scrolls sideways and no heading overlaps what follows", async () => {
    for (const name of PAGES) {
      const { page } = await open(name, 390);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ name, overflow }).toEqual({ name, overflow: 0 });
      const overlaps = await page.evaluate(
        () =>
          [...document.querySelectorAll("#observablehq-main h1, #observablehq-main h2")].filter((h) => {
            const next = h.nextElementSibling;
            return next && next.getBoundingClientRect().top < h.getBoundingClientRect().bottom - 1;
          }).length,
      );
      expect({ name, overlaps }).toEqual({ name, overlaps: 0 });
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name || "index"}-390.png`), fullPage: true });
      await page.close();
    }
  });

  it("says how to open the site when it is opened from disk, and not when served", async () => {
    const served = await open("");
    expect(await served.page.locator("#cco-disk-hint").isVisible()).toBe(false);
    await served.page.close();
    const page = await browser.newPage();
    await page.goto(`file://${path.join(siteDir, "index.html")}`);
    expect(await page.locator("#cco-disk-hint").isVisible()).toBe(true);
    expect(await page.locator("#cco-disk-hint").textContent()).toContain("npx cco report serve");
    await page.close();
  });
});
