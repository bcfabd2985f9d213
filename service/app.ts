/**
 * The service's express app: request ids, security headers, logs and metrics for every request,
 * rate limits, JSON bodies up to service.max_body_kb, sign-in, the /api/v1 routes (routes/, one
 * file per resource), health and metrics, the OpenAPI document, then the pages. Built from
 * its parts (deps) so tests drive it against a warehouse of their own.
 */
import { createHash } from "node:crypto";
import express, { type Express } from "express";
import { ipKeyGenerator, rateLimit } from "express-rate-limit";
import helmet from "helmet";
import type { Logger } from "pino";
import type { Config } from "../core/config.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { authenticate, IdentityCache, parseCookies } from "./auth/middleware.ts";
import { DEFAULT_BCRYPT_COST } from "./auth/passwords.ts";
import { SESSION_COOKIE } from "./auth/sessions.ts";
import type { Background } from "./background.ts";
import { ApiError, errorHandler, notFound, sendError } from "./http/errors.ts";
import { openApiDocument } from "./http/openapi.ts";
import { isoTimes, ReadCache } from "./http/read-cache.ts";
import { requestId } from "./http/request.ts";
import { Api } from "./http/route.ts";
import type { Metrics } from "./observability.ts";
import type { RouteContext } from "./routes/context.ts";
import { register as actions } from "./routes/actions.ts";
import { register as anomalies } from "./routes/anomalies.ts";
import { register as approvals } from "./routes/approvals.ts";
import { register as assistant } from "./routes/assistant.ts";
import { register as audit } from "./routes/audit.ts";
import { register as auth } from "./routes/auth.ts";
import { register as health } from "./routes/health.ts";
import { register as pages } from "./routes/pages.ts";
import { register as recommendations } from "./routes/recommendations.ts";
import { register as runs } from "./routes/runs.ts";
import { register as users } from "./routes/users.ts";

export interface AppDeps {
  config: Config;
  warehouse: Warehouse;
  /** A connection for one read (default: the writing one). */
  reader?: () => Warehouse;
  background: Background;
  logger: Logger;
  metrics: Metrics;
  jwtSecret: string;
  /** bcrypt cost of passwords set through the API (default 12; tests use less). */
  bcryptCost?: number;
  /** Answers of reads that do not depend on the caller (default: none kept). */
  cache?: ReadCache;
  /** True when the service listens on a loopback address only (/metrics is then open). */
  loopback?: () => boolean;
  now?: () => Date;
}

/** The client a rate limit counts: its credential when it sends one, else its address. */
function clientKey(req: express.Request): string {
  const credential = req.get("authorization") ?? parseCookies(req.get("cookie"))[SESSION_COOKIE];
  if (credential) return `c:${createHash("sha256").update(credential).digest("base64url").slice(0, 22)}`;
  return `ip:${ipKeyGenerator(req.ip ?? "unknown")}`;
}

export function createApp(deps: AppDeps): { app: Express; api: Api } {
  const { config, logger, metrics } = deps;
  const settings = config.service;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", settings.trust_proxy);
  // Query strings parse flat: a[b]=1 stays a key, never an object the schemas did not expect.
  app.set("query parser", "simple");
  app.set("json replacer", isoTimes);
  const cache = deps.cache ?? new ReadCache(0);
  const api = new Api(app, cache);
  const identities = new IdentityCache();
  const context: RouteContext = {
    api,
    config,
    warehouse: deps.warehouse,
    reader: deps.reader ?? (() => deps.warehouse),
    background: deps.background,
    logger,
    metrics,
    jwtSecret: deps.jwtSecret,
    bcryptCost: deps.bcryptCost ?? DEFAULT_BCRYPT_COST,
    loopback: deps.loopback ?? (() => true),
    now: deps.now ?? (() => new Date()),
    authChanged: () => identities.clear(),
  };

  app.use(requestId);
  // A change through the API empties the read cache, before it runs and once it is done.
  app.use((req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      cache.clear();
      res.on("finish", () => cache.clear());
    }
    next();
  });
  app.use((req, res, next) => {
    const started = performance.now();
    res.on("finish", () => {
      const seconds = (performance.now() - started) / 1000;
      // The path as asked: a mounted handler (/reports) sees it shortened.
      const path = req.originalUrl.split("?")[0]!;
      const route = req.route?.path
        ? String(req.route.path)
        : path.startsWith("/reports")
          ? "/reports/*"
          : res.statusCode === 404
            ? "unmatched"
            : "static";
      metrics.httpDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      logger.info(
        {
          request_id: req.id,
          method: req.method,
          path,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 10000) / 10,
          user: req.auth?.username,
          via: req.auth?.via,
        },
        "request",
      );
    });
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", "data:"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          formAction: ["'self'"],
        },
      },
      // Only a proxy that terminates TLS can promise HTTPS; the service itself speaks HTTP.
      strictTransportSecurity: settings.trust_proxy,
    }),
  );
  const limited = (max: number) =>
    rateLimit({
      windowMs: settings.rate_limit.window_seconds * 1000,
      limit: max,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      keyGenerator: clientKey,
      handler: (req, res) =>
        sendError(
          req,
          res,
          new ApiError(
            "rate_limited",
            `more than ${max} requests in ${settings.rate_limit.window_seconds} s: slow down (service.rate_limit)`,
          ),
        ),
    });
  // Sign-in attempts count per address, whatever the credential, and far fewer pass.
  app.use(
    "/api/v1/auth/login",
    rateLimit({
      windowMs: settings.rate_limit.window_seconds * 1000,
      limit: settings.rate_limit.login_max,
      standardHeaders: "draft-8",
      legacyHeaders: false,
      keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? "unknown")}`,
      handler: (req, res) =>
        sendError(
          req,
          res,
          new ApiError("rate_limited", "too many sign-in attempts from this address: wait a minute"),
        ),
    }),
  );
  app.use("/api", limited(settings.rate_limit.max));
  app.use(express.json({ limit: `${settings.max_body_kb}kb`, strict: true }));
  app.use(
    authenticate({
      jwtSecret: deps.jwtSecret,
      reader: { all: (sql, params) => context.reader().all(sql, params) },
      writer: deps.warehouse,
      now: context.now,
      cache: identities,
      onError: (error) => logger.warn({ err: error }, "could not record a token's use"),
    }),
  );

  for (const register of [
    auth,
    recommendations,
    approvals,
    actions,
    anomalies,
    audit,
    runs,
    users,
    assistant,
  ]) {
    register(context);
  }
  app.get("/api/v1/openapi.json", (_req, res) => {
    res.json(openApiDocument(api.routes));
  });
  api.document({
    method: "get",
    path: "/api/v1/openapi.json",
    tag: "meta",
    summary: "This document (OpenAPI 3.1)",
    access: "public",
  });
  app.use("/api", notFound);
  health(app, context);
  pages(app, context);
  app.use(notFound);
  app.use(errorHandler((req, error) => logger.error({ request_id: req.id, err: error }, "request failed")));
  return { app, api };
}
