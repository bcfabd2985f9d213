import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../service/app.ts";
import { TOKEN_FORMAT } from "../../service/auth/tokens.ts";
import type { Background } from "../../service/background.ts";
import { createLogger, createMetrics } from "../../service/observability.ts";
import { call, LogSink, login, PASSWORD, SECRET, serviceWorld, type World } from "./world.ts";

let w: World;
let admin: string;
beforeAll(async () => {
  w = await serviceWorld("service:\n  rate_limit: {max: 40, login_max: 8}\n");
  admin = await login(w.url, "ada");
});
afterAll(() => w.close());

describe("health", () => {
  it("/healthz answers without sign-in; /readyz checks the warehouse and its migrations", async () => {
    expect(await call(w.url, "GET", "/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await call(w.url, "GET", "/readyz")).toMatchObject({
      status: 200,
      body: { status: "ready", migration: 12 },
    });
    await w.warehouse.run("delete from ops.schema_migrations where version = 12");
    try {
      const r = await call(w.url, "GET", "/readyz");
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({
        code: "unavailable",
        message: "warehouse at migration 11, this version needs 12",
      });
    } finally {
      await w.warehouse.run(
        "insert into ops.schema_migrations values (12, 'service users and API tokens', now())",
      );
    }
  });
});

describe("metrics", () => {
  it("serves Prometheus text with the API's latency by route, the actions by outcome and process metrics", async () => {
    const token = await login(w.url, "vera");
    await call(w.url, "GET", "/api/v1/recommendations/rec-low-1", { token });
    await w.warehouse.run(`insert into ops.actions (action_id, run_id, recommendation_id, version, kind, provider, resource_id,
      parameters, state, mode, idempotency_token, step, created_at, updated_at)
      values ('act-1', 'run-1', 'rec-low-1', 'v', 'stop_vm', 'aws', 'i-1', '{}', 'succeeded', 'execute', 't', 1, now(), now())`);
    const r = await call(w.url, "GET", "/metrics");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(r.text).toMatch(
      /cco_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/recommendations\/:id",status="200"\} 1\n/,
    );
    expect(r.text).toMatch(/cco_actions_total\{outcome="succeeded"\} 1\n/);
    for (const name of [
      "cco_pipeline_stage_seconds",
      "cco_pipeline_stage_rows",
      "cco_pipeline_failures_total",
      "process_cpu_user_seconds_total",
      "nodejs_heap_size_used_bytes",
    ])
      expect(r.text).toContain(`# TYPE ${name} `);
  });

  it("needs an API token or an admin session when the service listens beyond loopback", async () => {
    const logger = createLogger("silent");
    const metrics = createMetrics(() => w.warehouse);
    const { app } = createApp({
      config: w.config,
      warehouse: w.warehouse,
      background: {} as Background,
      logger,
      metrics,
      jwtSecret: SECRET,
      loopback: () => false,
    });
    const server = createServer(app as Express);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect((await call(url, "GET", "/metrics")).status).toBe(401);
      expect((await call(url, "GET", "/metrics", { token: await login(url, "otto") })).status).toBe(403);
      expect((await call(url, "GET", "/metrics", { token: await login(url, "ada") })).status).toBe(200);
      const token = (
        await call(url, "POST", "/api/v1/tokens", {
          token: await login(url, "vera"),
          body: { name: "prometheus" },
        })
      ).body.token;
      expect((await call(url, "GET", "/metrics", { token })).status).toBe(200);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("logs", () => {
  it("write one JSON line per request with its request id, and never a password, token or cookie", async () => {
    const r = await call(w.url, "POST", "/api/v1/auth/login", {
      body: { username: "alice", password: PASSWORD },
      headers: { "x-request-id": "trace-0001-login" },
    });
    const session = r.body.token as string;
    const apiToken = (
      await call(w.url, "POST", "/api/v1/tokens", { token: session, body: { name: "logged?" } })
    ).body.token as string;
    await call(w.url, "GET", "/api/v1/me", { token: apiToken, headers: { "x-request-id": "trace-0002-me" } });
    await call(w.url, "GET", "/api/v1/me", { cookie: `cco_session=${session}` });
    await call(w.url, "POST", "/api/v1/users", {
      token: session,
      body: { username: "x", password: PASSWORD, role: "admin" },
    });
    await call(w.url, "POST", "/api/v1/auth/login", {
      body: { username: "alice", password: `${PASSWORD} wrong` },
    });
    const lines = w.log.lines();
    const request = lines.find((l) => l.request_id === "trace-0002-me" && l.msg === "request");
    expect(request).toMatchObject({
      method: "GET",
      route: "/api/v1/me",
      status: 200,
      user: "alice",
      via: "token",
      level: "info",
    });
    expect(lines.find((l) => l.request_id === "trace-0001-login" && l.msg === "signed in")).toMatchObject({
      username: "alice",
    });
    for (const secret of [PASSWORD, session, apiToken, TOKEN_FORMAT.exec(apiToken)![2]!, SECRET])
      expect(w.log.text).not.toContain(secret);
    expect(lines.every((l) => l.msg !== "request" || typeof l.request_id === "string")).toBe(true);
  });

  it("redact credentials wherever a logged object carries them", () => {
    const sink = new LogSink();
    const logger = createLogger("info", sink);
    logger.info(
      {
        password: "hunter2-long",
        user: { token: "cco_abc", password: "p4ss" },
        headers: { authorization: "Bearer x", cookie: "cco_session=y" },
      },
      "x",
    );
    logger.flush();
    expect(sink.text).not.toMatch(/hunter2-long|cco_abc|p4ss|Bearer x|cco_session=y/);
    expect(sink.text).toContain("[redacted]");
  });
});

describe("pipeline runs from the API", () => {
  it("start with 202, log each step with its run id, count in the stage metrics, and refuse a second run meanwhile", async () => {
    const token = admin;
    const started = await call(w.url, "POST", "/api/v1/runs", {
      token,
      body: { only: ["snapshot"], force: true },
    });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ run: "started" });
    const again = await call(w.url, "POST", "/api/v1/runs", { token, body: { only: ["snapshot"] } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("conflict");
    let run: { run_id: string; status: string; trigger: string } | undefined;
    for (let i = 0; i < 120 && !(run && run.status !== "running"); i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      run = (await call(w.url, "GET", "/api/v1/runs", { token })).body.items.find(
        (r: { trigger: string }) => r.trigger === "api",
      );
    }
    expect(run).toBeDefined();
    expect(run!.status).not.toBe("running");
    const steps = w.log.lines().filter((l) => l.run_id === run!.run_id && l.stage === "snapshot");
    expect(steps.map((l) => l.status)).toEqual(["running", run!.status]);
    const metrics = (await call(w.url, "GET", "/metrics")).text;
    expect(metrics).toMatch(
      new RegExp(`cco_pipeline_stage_seconds_count\\{stage="snapshot",status="${run!.status}"\\} 1\\n`),
    );
  });
});

describe("rate limits", () => {
  it("answer 429 in the error shape past service.rate_limit.max per client, other clients unaffected", async () => {
    const token = await login(w.url, "otto");
    let last = await call(w.url, "GET", "/api/v1/me", { token });
    for (let i = 0; i < 45 && last.status !== 429; i++)
      last = await call(w.url, "GET", "/api/v1/me", { token });
    expect(last.status).toBe(429);
    expect(last.body.error.code).toBe("rate_limited");
    expect(last.headers.get("ratelimit-policy")).toMatch(/40/);
    expect((await call(w.url, "GET", "/api/v1/me", { token: await login(w.url, "vera") })).status).toBe(200);
    expect((await call(w.url, "GET", "/healthz")).status).toBe(200);
  });

  it("count sign-in attempts per address, right or wrong", async () => {
    let last = await call(w.url, "POST", "/api/v1/auth/login", {
      body: { username: "ada", password: "wrong password" },
    });
    for (let i = 0; i < 10 && last.status !== 429; i++)
      last = await call(w.url, "POST", "/api/v1/auth/login", {
        body: { username: "ada", password: "wrong password" },
      });
    expect(last.status).toBe(429);
    expect(last.body.error.message).toMatch(/too many sign-in attempts/);
  });
});
