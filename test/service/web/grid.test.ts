/**
 * The web approval grid in a real browser (Debian's Chromium through playwright-core) against the
 * real service (startService) on a demo warehouse: login, sort, filter, page and search served by
 * the API; approving selected rows lands in ops.approvals with the note and the approver; the
 * approval rules refuse a second approval by the same person and a viewer's decision; the report
 * site opens behind the login. Every page loads with no console error and nothing from another host.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { assertChromium, launchChromium } from "../../helpers/chromium.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../core/config.ts";
import { closeWarehouse, type Warehouse } from "../../../core/warehouse/warehouse.ts";
import { addUser } from "../../../service/auth/users.ts";
import { startService } from "../../../service/server.ts";
import { runDemo } from "../../helpers/demo.ts";

const SCREENSHOTS = path.resolve(import.meta.dirname, "../../../.tmp/screenshots/grid");
const USERS = {
  alice: { password: "alice-password-1", role: "approver" },
  victor: { password: "victor-password-1", role: "viewer" },
  olga: { password: "olga-password-1", role: "operator" },
  ada: { password: "ada-password-1", role: "admin" },
} as const;
type User = keyof typeof USERS;

let browser: Browser;
let service: { url: string; close(): Promise<void> };
let warehouse: Warehouse;
let config: Config;
/** Per page opened: console errors, failed requests, requests to another host. */
const problems = new Map<Page, string[]>();

beforeAll(async () => {
  assertChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The service's errors only (the refused sign-ins the tests make are warnings).
  ({ warehouse, config } = await runDemo(
    "generate:\n  resources: 80\n  days: 35\nservice:\n  log_level: error\n",
  ));
  for (const [username, { password, role }] of Object.entries(USERS))
    await addUser(warehouse, { username, password, role }, "test", { cost: 4 });
  // No schedules: the executor must not act on the rows the tests approve while they look at them.
  service = await startService(config, {
    port: 0,
    host: "127.0.0.1",
    warehouse,
    schedules: false,
    env: { CCO_JWT_SECRET: randomBytes(32).toString("base64url") },
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await service?.close();
  await closeWarehouse();
});

/** A fresh browser context (its own cookies) at 1280 px, watching for problems on its pages. */
async function newContext(): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on("page", watch);
  return context;
}

function watch(page: Page): void {
  const found: string[] = [];
  problems.set(page, found);
  page.on("pageerror", (e) => found.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    // A refused request logs "Failed to load resource" in Chromium: the tests that provoke one say so.
    if (m.type() === "error" && !/status of (401|403|409)/.test(m.text())) found.push(`console: ${m.text()}`);
  });
  page.on("requestfailed", (r) => found.push(`failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(service.url) && !r.url().startsWith("data:")) found.push(`foreign: ${r.url()}`);
  });
}

/** Sign in through the login page and wait for the grid. */
async function signIn(context: BrowserContext, user: User): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${service.url}/login`);
  await page.getByLabel("User name").fill(user);
  await page.getByLabel("Password").fill(USERS[user].password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${service.url}/`);
  await gridLoaded(page);
  return page;
}

/** The grid has answered (rows or the empty line) and is not loading. */
async function gridLoaded(page: Page): Promise<void> {
  await page.waitForSelector("#grid-body tr");
  await page.waitForSelector("#grid:not([aria-busy])");
}

/** Do `action`, then wait for the grid's next recommendations answer and its rendering. */
async function reloaded(page: Page, action: () => Promise<unknown>): Promise<void> {
  const answer = page.waitForResponse((r) => r.url().includes("/api/v1/recommendations?"));
  try {
    await action();
  } catch (error) {
    answer.catch(() => {}); // the page is closed with the failed test
    throw error;
  }
  await answer;
  await gridLoaded(page);
}

const rowIds = (page: Page) =>
  page.locator("#grid-body tr[data-id]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")));
const row = (page: Page, id: string) => page.locator(`#grid-body tr[data-id="${id}"]`);

async function openIds(where: string, order: string, params: string[] = []): Promise<string[]> {
  const rows = await warehouse.all<{ id: string }>(
    `select recommendation_id as id from marts.recommendations where status = 'open' ${where} order by ${order}`,
    params,
  );
  return rows.map((r) => r.id);
}

function expectNoProblems(page: Page): void {
  expect(problems.get(page) ?? []).toEqual([]);
}

describe("approval grid in Chromium", () => {
  it("refuses a wrong password with the server's message, and the grid is behind the login", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${service.url}/`);
    await page.waitForURL(/\/login\?next=(%2F|\/)$/);
    await page.getByLabel("User name").fill("alice");
    await page.getByLabel("Password").fill("not-her-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    const error = page.getByRole("alert");
    await expect.poll(() => error.isVisible()).toBe(true);
    // The same message the API gives for it.
    const direct = await fetch(`${service.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "alice", password: "not-her-password" }),
    });
    expect(direct.status).toBe(401);
    const { error: apiError } = (await direct.json()) as { error: { message: string } };
    expect(await error.textContent()).toBe(apiError.message);
    expect(page.url()).toContain("/login");
    expect((await context.cookies()).filter((c) => c.name === "cco_session" && c.value)).toEqual([]);
    expectNoProblems(page);
    await context.close();
  });

  it("lists the open recommendations with money as the API gives it, right-aligned with its currency", async () => {
    const context = await newContext();
    const page = await signIn(context, "alice");
    const total = (await openIds("", "recommendation_id")).length;
    expect(await page.locator("#range").textContent()).toBe(`1–${Math.min(total, 50)} of ${total}`);
    // The default order is the API's: priority, highest first.
    expect(await rowIds(page)).toEqual(
      (await openIds("", "priority desc nulls last, recommendation_id")).slice(0, 50),
    );
    // Every digit the API sends, grouped, with the currency's symbol.
    const api = await page.request.get(`${service.url}/api/v1/recommendations?status=open&limit=50`);
    const { items } = (await api.json()) as {
      items: { recommendation_id: string; estimated_monthly_savings: string; currency: string }[];
    };
    expect(typeof items[0]!.estimated_monthly_savings).toBe("string");
    for (const item of items.slice(0, 10)) {
      const text = (await row(page, item.recommendation_id)
        .locator("td[data-column=savings]")
        .textContent())!;
      expect(text.replace(/[^\d.-]/g, "")).toBe(item.estimated_monthly_savings.replace(/^-?0+(?=\d)/, ""));
      const symbol = new Intl.NumberFormat("en-US", { style: "currency", currency: item.currency })
        .format(0)
        .replace(/[\d.,\s]/g, "");
      expect(text.startsWith(symbol)).toBe(true);
    }
    const cell = row(page, items[0]!.recommendation_id).locator("td[data-column=savings]");
    expect(await cell.evaluate((td) => getComputedStyle(td).textAlign)).toBe("right");
    const headers = await page.locator("#grid thead th").allTextContents();
    for (const name of ["Provider", "Detector", "Resource", "Account", "Region", "Monthly savings", "Risk"])
      expect(headers.some((h) => h.startsWith(name))).toBe(true);
    // 1280 px: neither the page nor the table scrolls sideways.
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth),
    ).toBe(0);
    expect(await page.locator(".table-wrap").evaluate((e) => e.scrollWidth - e.clientWidth)).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, "grid.png"), fullPage: true });
    expectNoProblems(page);
    await context.close();
  });

  it("sorts by savings on the server (keyboard too), pages and searches", async () => {
    const context = await newContext();
    const page = await signIn(context, "alice");
    const savings = page.locator("#grid thead th[data-column=savings]");
    await reloaded(page, () => savings.getByRole("button").click());
    expect(await savings.getAttribute("aria-sort")).toBe("descending");
    const focused = () => page.evaluate(() => document.activeElement?.getAttribute("data-sort"));
    await expect.poll(focused).toBe("estimated_monthly_savings");
    expect(page.url()).toContain("sort=-estimated_monthly_savings");
    const descending = await openIds("", "estimated_monthly_savings desc nulls last, recommendation_id");
    expect(await rowIds(page)).toEqual(descending.slice(0, 50));
    // The header button keeps the focus: Enter sorts the other way.
    await reloaded(page, () => page.keyboard.press("Enter"));
    expect(await savings.getAttribute("aria-sort")).toBe("ascending");
    expect(await rowIds(page)).toEqual(
      (await openIds("", "estimated_monthly_savings asc nulls last, recommendation_id")).slice(0, 50),
    );

    // Pages of 10, from the address.
    await page.goto(`${service.url}/?sort=-estimated_monthly_savings&limit=10`);
    await gridLoaded(page);
    expect(await rowIds(page)).toEqual(descending.slice(0, 10));
    await reloaded(page, () => page.getByRole("button", { name: "Next" }).click());
    expect(await rowIds(page)).toEqual(descending.slice(10, 20));
    expect(await page.locator("#range").textContent()).toBe(`11–20 of ${descending.length}`);
    await reloaded(page, () => page.getByRole("button", { name: "Previous" }).click());
    expect(await rowIds(page)).toEqual(descending.slice(0, 10));

    // Text search, sent once typing stops.
    const [target] = await warehouse.all<{ id: string; resource: string }>(
      `select any_value(recommendation_id) as id, resource_id as resource from marts.recommendations
       where status = 'open' and resource_id like 'vol-%' group by resource_id having count(*) = 1 order by 2 limit 1`,
    );
    const searches: string[] = [];
    page.on("request", (r) => r.url().includes("q=") && searches.push(r.url()));
    await reloaded(page, () =>
      page.getByLabel("Search", { exact: true }).pressSequentially(target!.resource, { delay: 20 }),
    );
    await page.waitForTimeout(400);
    expect(searches.length).toBe(1); // debounced: one request, not one per key
    expect(await rowIds(page)).toEqual([target!.id]);
    expectNoProblems(page);
    await context.close();
  });

  it("lets an approver filter, select two low-risk rows and approve them with a note", async () => {
    const context = await newContext();
    const page = await signIn(context, "alice");
    // The filter offers the providers open recommendations name, with their counts (none by hand).
    const counts = await warehouse.all<{ provider: string; n: number }>(
      "select provider, count(*)::integer as n from marts.recommendations where status = 'open' group by 1 order by 1",
    );
    const names: Record<string, string> = { aws: "AWS", azure: "Azure", gcp: "Google Cloud" };
    expect(await page.getByLabel("Provider", { exact: true }).locator("option").allTextContents()).toEqual([
      "All",
      ...counts.map((c) => `${names[c.provider] ?? c.provider} (${c.n})`),
    ]);
    await reloaded(page, () => page.getByLabel("Provider", { exact: true }).selectOption("aws"));
    const aws = await openIds("and provider = 'aws'", "priority desc nulls last, recommendation_id");
    expect(aws.length).toBeGreaterThan(2);
    expect(new Set(await page.locator("td[data-column=provider]").allTextContents())).toEqual(
      new Set(["aws"]),
    );
    expect(await rowIds(page)).toEqual(aws.slice(0, 50));
    await reloaded(page, () => page.getByLabel("Risk", { exact: true }).selectOption("low"));
    expect(new Set(await page.locator("td[data-column=risk]").allTextContents())).toEqual(new Set(["low"]));
    // Two that one approval settles (no irreversible step, under the two-approver savings rule).
    const chosen = (
      await warehouse.all<{ id: string }>(
        `select recommendation_id as id from ops.approval_queue where provider = 'aws' and risk_level = 'low'
         and required_approvals = 1 and not irreversible order by priority desc, recommendation_id limit 2`,
      )
    ).map((r) => r.id);
    expect(chosen).toHaveLength(2);
    expect(await rowIds(page)).toEqual(expect.arrayContaining(chosen));

    const approve = page.getByRole("button", { name: "Approve" });
    expect(await approve.isDisabled()).toBe(true); // nothing selected yet
    await row(page, chosen[0]!).getByRole("checkbox").check();
    // The keyboard selects too.
    await row(page, chosen[1]!).getByRole("checkbox").focus();
    await page.keyboard.press("Space");
    expect(await page.locator("#selection-count").textContent()).toBe("2 rows selected");
    await page.getByLabel("Note (optional)", { exact: true }).fill("checked with the owners");
    await reloaded(page, () => approve.click());

    await expect.poll(() => page.locator("#summary").textContent()).toBe("Approved 2 of 2.");
    for (const id of chosen) {
      expect(await row(page, id).locator("td[data-column=approval] .state").textContent()).toBe(
        "approved 1/1",
      );
      expect(await row(page, id).locator(".result.ok").textContent()).toBe("Approved just now");
    }
    const decisions = await warehouse.all<{ id: string; decision: string; approver: string; note: string }>(
      `select recommendation_id as id, decision, approver, note from ops.approvals
       where recommendation_id in ($1, $2) order by recommendation_id`,
      chosen,
    );
    expect(decisions).toEqual(
      [...chosen]
        .sort()
        .map((id) => ({ id, decision: "approve", approver: "alice", note: "checked with the owners" })),
    );
    // The approval filter now finds them among the approved.
    await reloaded(page, () => page.getByLabel("Approval", { exact: true }).selectOption("approved"));
    expect(await rowIds(page)).toEqual(expect.arrayContaining(chosen));
    await page.screenshot({ path: path.join(SCREENSHOTS, "approved.png"), fullPage: true });
    expectNoProblems(page);
    await context.close();
  });

  it("refuses a second approval of a high-risk row by the same person with the rule's message", async () => {
    const [high] = await warehouse.all<{ id: string }>(
      "select recommendation_id as id from ops.approval_queue where risk_level = 'high' and required_approvals = 2 order by 1 limit 1",
    );
    expect(high, "the demo estate has no high-risk recommendation").toBeDefined();
    const context = await newContext();
    const page = await signIn(context, "alice");
    await reloaded(page, () => page.getByLabel("Risk", { exact: true }).selectOption("high"));
    const decide = async () => {
      await row(page, high!.id).getByRole("checkbox").check();
      await page.getByLabel("I accept steps that cannot be undone").check();
      await reloaded(page, () => page.getByRole("button", { name: "Approve" }).click());
    };
    await decide();
    await expect.poll(() => page.locator("#summary").textContent()).toBe("Approved 1 of 1.");
    expect(await row(page, high!.id).locator(".state").textContent()).toBe("waiting 1/2");

    await decide();
    const summary = page.locator("#summary");
    await expect.poll(() => summary.textContent()).toMatch(/^Approved 0 of 1\. 1 refused:/);
    const message = /alice already approved this version on .*: one approver counts once/;
    expect(await summary.textContent()).toMatch(message);
    expect(await row(page, high!.id).locator(".result.refused").textContent()).toMatch(message);
    expect(await row(page, high!.id).locator(".state").textContent()).toBe("waiting 1/2");
    const [count] = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from ops.approvals where recommendation_id = $1 and approver = 'alice'",
      [high!.id],
    );
    expect(count!.n).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, "refused.png"), fullPage: true });
    expectNoProblems(page);
    await context.close();
  });

  it("selects a whole page with the header's box, and rejects a row with a note", async () => {
    const context = await newContext();
    const page = await signIn(context, "olga");
    await reloaded(page, () => page.getByLabel("Risk", { exact: true }).selectOption("medium"));
    const ids = (await rowIds(page)) as string[];
    expect(ids.length).toBeGreaterThan(1);
    const all = page.getByLabel("Select every row on this page");
    await all.check();
    expect(await page.locator("#selection-count").textContent()).toBe(`${ids.length} rows selected`);
    expect(await all.evaluate((e) => e === document.activeElement)).toBe(true); // keyboard users stay put
    expect(await page.locator("#grid-body input[type=checkbox]:checked").count()).toBe(ids.length);
    await row(page, ids[0]!).getByRole("checkbox").uncheck();
    expect(await all.evaluate((e) => (e as HTMLInputElement).indeterminate)).toBe(true);
    // A part-selected page: the box selects the rest, then nothing.
    await all.click();
    expect(await page.locator("#selection-count").textContent()).toBe(`${ids.length} rows selected`);
    await all.click();
    expect(await page.locator("#selection-count").textContent()).toBe("No rows selected");
    expect(await page.locator("#grid-body input[type=checkbox]:checked").count()).toBe(0);

    // Rows out of view are never decided: other filters clear the selection.
    await row(page, ids[0]!).getByRole("checkbox").check();
    await reloaded(page, () => page.getByLabel("Provider", { exact: true }).selectOption("azure"));
    expect(await page.locator("#selection-count").textContent()).toBe("No rows selected");
    await reloaded(page, () => page.getByLabel("Provider", { exact: true }).selectOption(""));

    const target = ids.at(-1)!;
    await row(page, target).getByRole("checkbox").check();
    await page.getByLabel("Note (optional)", { exact: true }).fill("owner needs it until March");
    await reloaded(page, () => page.getByRole("button", { name: "Reject" }).click());
    await expect.poll(() => page.locator("#summary").textContent()).toBe("Rejected 1 of 1.");
    expect(await row(page, target).locator(".state").textContent()).toMatch(/^rejected 0\/\d$/);
    const decisions = await warehouse.all<{ decision: string; approver: string; note: string }>(
      "select decision, approver, note from ops.approvals where recommendation_id = $1",
      [target],
    );
    expect(decisions).toEqual([{ decision: "reject", approver: "olga", note: "owner needs it until March" }]);
    expectNoProblems(page);
    await context.close();
  });

  it("shows a row's explanation and risk factors, and closes with Escape", async () => {
    const context = await newContext();
    const page = await signIn(context, "alice");
    const id = (await rowIds(page))[0]!;
    const [rec] = await warehouse.all<{ factors: number; explanation: string }>(
      `select json_array_length(risk_factors::json)::integer as factors, explanation
       from marts.recommendations where recommendation_id = $1`,
      [id],
    );
    await row(page, id).locator("td[data-column=region]").click();
    const dialog = page.getByRole("dialog");
    await dialog.locator("table.factors").waitFor();
    expect(await dialog.locator("table.factors tbody tr").count()).toBe(rec!.factors);
    const explanation = (await dialog.locator(".explanation").textContent()) ?? "";
    expect(explanation.length).toBeGreaterThan(20);
    const explained = await page.request.get(`${service.url}/api/v1/recommendations/${id}/explain`);
    if (explained.ok()) expect(explanation).toBe(((await explained.json()) as { text: string }).text);
    else expect(explanation).toBe(rec!.explanation);
    expect(await dialog.textContent()).toContain(id);
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // The resource's button opens it from the keyboard.
    await row(page, id).locator("td[data-column=resource] button").focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await context.close();
  });

  it("disables deciding for a viewer, and the server refuses the viewer's POST with 403", async () => {
    const context = await newContext();
    const page = await signIn(context, "victor");
    const id = (await rowIds(page))[0]!;
    await row(page, id).getByRole("checkbox").check();
    expect(await page.getByRole("button", { name: "Approve" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Reject" }).isDisabled()).toBe(true);
    expect(await page.locator("#role-hint").textContent()).toContain("viewer");
    expect(await page.locator("#who").textContent()).toBe("victor (viewer)");
    const body = { decisions: [{ recommendation_id: id, decision: "approve" }] };
    // With the cookie and the CSRF header: the role is refused.
    const withHeader = await context.request.post(`${service.url}/api/v1/approvals/decide`, {
      headers: { "x-cco-csrf": "1" },
      data: body,
    });
    expect(withHeader.status()).toBe(403);
    expect(((await withHeader.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    const [count] = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from ops.approvals where approver = 'victor'",
    );
    expect(count!.n).toBe(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, "viewer.png"), fullPage: true });
    expectNoProblems(page);
    await context.close();
  });

  it("refuses a cookie-authenticated POST without the CSRF header, even for an approver", async () => {
    const context = await newContext();
    await signIn(context, "ada");
    const id = (await openIds("", "recommendation_id"))[0]!;
    const response = await context.request.post(`${service.url}/api/v1/approvals/decide`, {
      data: { decisions: [{ recommendation_id: id, decision: "reject" }] },
    });
    expect(response.status()).toBe(403);
    const [count] = await warehouse.all<{ n: number }>(
      "select count(*)::integer as n from ops.approvals where approver = 'ada'",
    );
    expect(count!.n).toBe(0);
    await context.close();
  });

  it("opens the report site and the runs list behind the login, and signs out", async () => {
    const context = await newContext();
    const anonymous = await context.newPage();
    await anonymous.goto(`${service.url}/reports/`);
    expect(await anonymous.locator("#observablehq-main").count()).toBe(0);
    await anonymous.close();

    const page = await signIn(context, "olga");
    await page.getByRole("link", { name: "Report site" }).click();
    await page.waitForURL(`${service.url}/reports/`);
    await page.locator("#observablehq-main h1").waitFor();
    expect(await page.locator("#observablehq-main h1").first().textContent()).toBe("Executive summary");
    // The page's own scripts ran (figures are drawn by them).
    await expect.poll(() => page.locator(".cco-figure .big").count()).toBeGreaterThan(0);
    expect(problems.get(page)?.filter((p) => p.startsWith("foreign"))).toEqual([]);

    await page.goto(`${service.url}/`);
    await gridLoaded(page);
    await page.getByRole("link", { name: "Pipeline runs" }).click();
    await page.locator("#runs-body tr").first().waitFor();
    const [runs] = await warehouse.all<{ n: number }>("select count(*)::integer as n from ops.pipeline_runs");
    expect(runs!.n).toBeGreaterThan(0);
    expect(await page.locator("#runs-body tr").count()).toBe(Math.min(runs!.n, 50));
    await page.locator("#runs-body button").first().click();
    await page.locator("#steps:not([hidden])").waitFor();

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/login$/);
    await page.goto(`${service.url}/`);
    await page.waitForURL(/\/login\?next=/);
    await context.close();
  });
});
