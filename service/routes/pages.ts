/**
 * The pages: the approval grid (service/web/) at / and the report site (config.paths.site) at
 * /reports/, both behind sign-in. The login page and the grid's scripts and styles are public
 * (they hold no data: every number comes from the API, which checks the session). A browser
 * without a session is sent to /login and back after it.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import express, { type Express, type Request, type Response } from "express";
import helmet from "helmet";
import { shippedFile } from "../../core/paths.ts";
import type { RouteContext } from "./context.ts";

export const WEB_DIR = shippedFile("service", "web");

function toLogin(req: Request, res: Response): void {
  res.redirect(303, `/login?next=${encodeURIComponent(req.originalUrl)}`);
}

/** The Observable Framework site runs inline module scripts and DuckDB-wasm in a worker. */
const reportHeaders = helmet.contentSecurityPolicy({
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", "'unsafe-inline'", "'wasm-unsafe-eval'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:", "blob:"],
    fontSrc: ["'self'", "data:"],
    connectSrc: ["'self'", "blob:", "data:"],
    workerSrc: ["'self'", "blob:"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
  },
});

export function register(app: Express, { config }: RouteContext): void {
  const site = config.paths.site;
  const signedIn = (req: Request) => req.auth !== undefined;

  app.get("/login", (_req, res) => res.sendFile(path.join(WEB_DIR, "login.html")));

  app.use("/reports", reportHeaders, (req, res, next) => {
    if (!signedIn(req)) return toLogin(req, res);
    if (!existsSync(path.join(site, "index.html"))) {
      res
        .status(404)
        .type("html")
        .send(
          "<!doctype html><title>No report yet</title><h1>No report site yet</h1>" +
            "<p>Build it with <code>cco report build</code> (or a pipeline run), then reload.</p>",
        );
      return;
    }
    next();
  });
  app.use("/reports", express.static(site, { extensions: ["html"], redirect: true, fallthrough: true }));

  // Pages need a session; their scripts and styles do not.
  app.use((req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const isPage = !path.extname(req.path) || req.path.endsWith(".html");
    if (isPage && req.path !== "/login.html" && !signedIn(req)) return toLogin(req, res);
    next();
  });
  app.use(express.static(WEB_DIR, { index: "index.html", extensions: ["html"], redirect: false }));
}
