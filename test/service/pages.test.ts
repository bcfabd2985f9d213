import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, PASSWORD, serviceWorld, type World } from "./world.ts";

let w: World;
let cookie: string;
beforeAll(async () => {
  w = await serviceWorld();
  const r = await call(w.url, "POST", "/api/v1/auth/login", {
    body: { username: "vera", password: PASSWORD },
  });
  cookie = r.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(() => w.close());

describe("the grid's pages", () => {
  it("send a browser without a session to /login and back", async () => {
    for (const page of ["/", "/index.html", "/runs.html", "/runs"]) {
      const r = await call(w.url, "GET", page);
      expect(r.status, page).toBe(303);
      expect(r.headers.get("location")).toBe(`/login?next=${encodeURIComponent(page)}`);
    }
  });

  it("serve the login page and the scripts and styles without a session", async () => {
    const login = await call(w.url, "GET", "/login");
    expect(login.status).toBe(200);
    expect(login.text).toMatch(/<form id="login-form"/);
    for (const asset of ["/app.css", "/login.js", "/api.js"])
      expect((await call(w.url, "GET", asset)).status, asset).toBe(200);
  });

  it("serve the grid to a signed-in browser, with a strict content security policy", async () => {
    const r = await call(w.url, "GET", "/", { cookie });
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/<script type="module" src="\/grid\.js">/);
    const csp = r.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("answer unknown paths with 404 and paths outside the folder not at all", async () => {
    expect((await call(w.url, "GET", "/nothing-here.js")).status).toBe(404);
    expect((await call(w.url, "GET", "/..%2f..%2fpackage.json", { cookie })).status).toBe(404);
  });
});

describe("the report site under /reports/", () => {
  it("needs a session", async () => {
    const r = await call(w.url, "GET", "/reports/");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?next=%2Freports%2F");
  });

  it("says how to build it when there is none", async () => {
    const r = await call(w.url, "GET", "/reports/", { cookie });
    expect(r.status).toBe(404);
    expect(r.text).toContain("cco report build");
  });

  it("serves the built site with its pages' clean URLs and a policy that lets its inline scripts run", async () => {
    const site = w.config.paths.site;
    mkdirSync(site, { recursive: true });
    writeFileSync(path.join(site, "index.html"), "<!doctype html><title>Executive summary</title>");
    writeFileSync(path.join(site, "spend.html"), "<!doctype html><title>Spend</title>");
    try {
      const index = await call(w.url, "GET", "/reports/", { cookie });
      expect(index.status).toBe(200);
      expect(index.text).toContain("Executive summary");
      expect(index.headers.get("content-security-policy")).toMatch(
        /script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'/,
      );
      expect((await call(w.url, "GET", "/reports/spend", { cookie })).text).toContain("Spend");
      expect((await call(w.url, "GET", "/reports/missing", { cookie })).status).toBe(404);
    } finally {
      rmSync(site, { recursive: true, force: true });
    }
  });
});
