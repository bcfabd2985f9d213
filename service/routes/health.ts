/**
 * /healthz (the process answers), /readyz (the warehouse answers and every migration is applied)
 * and /metrics (Prometheus text). /metrics needs no sign-in when the service listens on a
 * loopback address only; otherwise an API token (any role) or an admin's session.
 */
import type { Express } from "express";
import { migrations } from "../../core/warehouse/migrations.ts";
import { ApiError, sendError } from "../http/errors.ts";
import { checkAccess } from "../http/route.ts";
import type { RouteContext } from "./context.ts";

export function register(app: Express, { api, reader, metrics, loopback }: RouteContext): void {
  api.document({
    method: "get",
    path: "/healthz",
    tag: "meta",
    summary: "The process answers",
    access: "public",
  });
  api.document({
    method: "get",
    path: "/readyz",
    tag: "meta",
    summary: "The warehouse answers and every migration is applied (else 503)",
    access: "public",
  });
  api.document({
    method: "get",
    path: "/metrics",
    tag: "meta",
    summary: "Prometheus metrics: open on a loopback address; elsewhere an API token or an admin session",
    access: "public",
  });
  app.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  app.get("/readyz", async (req, res) => {
    const latest = Math.max(...migrations.map((m) => m.version));
    try {
      const [row] = await reader().all<{ one: number; version: number | null }>(
        "select 1 as one, (select max(version) from ops.schema_migrations) as version",
      );
      if (Number(row?.version) < latest)
        return sendError(
          req,
          res,
          new ApiError("unavailable", `warehouse at migration ${row?.version}, this version needs ${latest}`),
        );
      res.json({ status: "ready", migration: Number(row?.version) });
    } catch (error) {
      sendError(
        req,
        res,
        new ApiError("unavailable", `the warehouse does not answer: ${(error as Error).message}`),
      );
    }
  });

  app.get("/metrics", async (req, res) => {
    if (!loopback()) {
      checkAccess(req, "viewer");
      if (req.auth!.via !== "token" && req.auth!.role !== "admin")
        throw new ApiError("forbidden", "/metrics: use an API token, or sign in as an admin");
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
