import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, login, serviceWorld, type World } from "./world.ts";

let w: World;
let viewer: string;
let alice: string;
let admin: string;
let operator: string;
beforeAll(async () => {
  w = await serviceWorld("service:\n  max_body_kb: 4\n");
  viewer = await login(w.url, "vera");
  alice = await login(w.url, "alice");
  admin = await login(w.url, "ada");
  operator = await login(w.url, "otto");
});
afterAll(() => w.close());

const decide = (token: string, decisions: object[]) =>
  call(w.url, "POST", "/api/v1/approvals/decide", { token, body: { decisions } });

describe("errors", () => {
  it("have one shape and a request id, echoed in x-request-id", async () => {
    const r = await call(w.url, "GET", "/api/v1/no-such-thing", { token: viewer });
    expect(r.status).toBe(404);
    expect(Object.keys(r.body).sort()).toEqual(["error", "request_id"]);
    expect(r.body.error).toEqual({ code: "not_found", message: "no route GET /api/v1/no-such-thing" });
    expect(r.headers.get("x-request-id")).toBe(r.body.request_id);
  });

  it("keep a sane incoming request id and replace one that is not", async () => {
    const kept = await call(w.url, "GET", "/healthz", { headers: { "x-request-id": "proxy-1234:abc" } });
    expect(kept.headers.get("x-request-id")).toBe("proxy-1234:abc");
    const replaced = await call(w.url, "GET", "/healthz", { headers: { "x-request-id": "<script>" } });
    expect(replaced.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answer malformed JSON with 400", async () => {
    const r = await call(w.url, "POST", "/api/v1/approvals/decide", {
      token: alice,
      body: '{"decisions": [',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe("bad_request");
    expect(r.body.error.message).toMatch(/^the body is not valid JSON/);
  });

  it("answer a body over service.max_body_kb with 413", async () => {
    const note = "x".repeat(5000);
    const r = await decide(alice, [{ recommendation_id: "rec-low-1", decision: "defer", note }]);
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("payload_too_large");
  });

  it("refuse unknown keys and wrong types, naming the path of the issue", async () => {
    const unknown = await decide(alice, [
      { recommendation_id: "rec-low-1", decision: "defer", urgent: true },
    ]);
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.details.issues[0]).toMatchObject({
      in: "body",
      path: ["decisions", 0],
      code: "unrecognized_keys",
    });
    const wrong = await decide(alice, [{ recommendation_id: "rec-low-1", decision: "maybe" }]);
    expect(wrong.body.error.details.issues[0]).toMatchObject({
      in: "body",
      path: ["decisions", 0, "decision"],
    });
    expect(wrong.body.error.message).toMatch(/^body\.decisions\.0\.decision: /);
    const empty = await decide(alice, []);
    expect(empty.status).toBe(400);
    const query = await call(w.url, "GET", "/api/v1/recommendations?limit=0&colour=red", { token: viewer });
    expect(query.status).toBe(400);
    expect(query.body.error.details.issues.map((i: { in: string }) => i.in)).toEqual(["query", "query"]);
    const noQuery = await call(w.url, "GET", "/api/v1/me?debug=1", { token: viewer });
    expect(noQuery.status).toBe(400);
    expect(noQuery.body.error.message).toBe("GET /api/v1/me takes no query parameters");
    const sort = await call(w.url, "GET", "/api/v1/recommendations?sort=password", { token: viewer });
    expect(sort.body.error.message).toMatch(/^query\.sort: expected one of /);
    const noBody = await call(w.url, "POST", "/api/v1/actions/pause", {
      token: operator,
      body: "not json",
      headers: { "content-type": "text/plain" },
    });
    expect(noBody.status).toBe(200);
    expect(await call(w.url, "POST", "/api/v1/actions/resume", { token: operator })).toMatchObject({
      status: 200,
    });
  });

  it("answer 503 with the assistant's own message when it has no model to ask, never a stack trace", async () => {
    // Nothing to ask in this world (no snapshots of the marts; no model endpoint answers): the service's state, not a bug.
    const baseUrl = process.env.OPENAI_BASE_URL;
    process.env.OPENAI_BASE_URL = "http://127.0.0.1:9/v1";
    try {
      const r = await call(w.url, "POST", "/api/v1/ask", { token: viewer, body: { question: "how much?" } });
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe("unavailable");
      expect(r.body.error.message).toMatch(/run the pipeline first|OPENAI_API_KEY|model endpoint/);
      expect(r.text).not.toMatch(/\bat .+\.ts:\d+/);
    } finally {
      if (baseUrl === undefined) delete process.env.OPENAI_BASE_URL;
      else process.env.OPENAI_BASE_URL = baseUrl;
    }
  });
});

describe("recommendations", () => {
  it("filter, sort and page in the server, with each row's approval state and money as exact text", async () => {
    const all = await call(
      w.url,
      "GET",
      "/api/v1/recommendations?status=open&sort=-estimated_monthly_savings&limit=2",
      { token: viewer },
    );
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(all.body.items.map((r: { recommendation_id: string }) => r.recommendation_id)).toEqual([
      "rec-high",
      "rec-low-1",
    ]);
    const first = all.body.items[0];
    expect(first.estimated_monthly_savings).toBe("300.00");
    expect(first.approval).toMatchObject({ state: "waiting", approvals: 0, required: 2 });
    expect(first.risk_factors[0].factor).toBe("performance");
    expect(first.generated_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const next = await call(
      w.url,
      "GET",
      "/api/v1/recommendations?status=open&sort=-estimated_monthly_savings&limit=2&offset=2",
      { token: viewer },
    );
    expect(next.body.items.map((r: { recommendation_id: string }) => r.recommendation_id)).toEqual([
      "rec-low-2",
      "rec-snapshot",
    ]);
    const asc = await call(w.url, "GET", "/api/v1/recommendations?sort=estimated_monthly_savings&limit=1", {
      token: viewer,
    });
    expect(asc.body.items[0].recommendation_id).toBe("rec-address");
    const risky = await call(w.url, "GET", "/api/v1/recommendations?sort=-risk_level&limit=1", {
      token: viewer,
    });
    expect(risky.body.items[0].risk_level).toBe("high");
    const aws = await call(w.url, "GET", "/api/v1/recommendations?provider=aws&risk=low", { token: viewer });
    expect(aws.body.items.map((r: { recommendation_id: string }) => r.recommendation_id).sort()).toEqual([
      "rec-low-1",
      "rec-snapshot",
    ]);
    const text = await call(w.url, "GET", "/api/v1/recommendations?q=LOW-2", { token: viewer });
    expect(text.body.total).toBe(1);
    const wildcard = await call(w.url, "GET", `/api/v1/recommendations?q=${encodeURIComponent("%")}`, {
      token: viewer,
    });
    expect(wildcard.body.total).toBe(0);
    const dismissed = await call(w.url, "GET", "/api/v1/recommendations?status=dismissed", { token: viewer });
    expect(dismissed.body.items[0]).toMatchObject({ recommendation_id: "rec-dismissed", approval: null });
  });

  it("names the providers recommendations come from, with counts, for the grid's filter", async () => {
    const open = await call(w.url, "GET", "/api/v1/recommendations/providers?status=open", { token: viewer });
    expect(open.status).toBe(200);
    expect(open.body.items).toEqual([
      { provider: "aws", recommendations: 2 },
      { provider: "azure", recommendations: 1 },
      { provider: "gcp", recommendations: 2 },
    ]);
    const all = await call(w.url, "GET", "/api/v1/recommendations/providers", { token: viewer });
    expect(all.body.items[0]).toEqual({ provider: "aws", recommendations: 3 });
  });

  it("one recommendation with its history and decisions; 404 for an unknown id", async () => {
    const r = await call(w.url, "GET", "/api/v1/recommendations/rec-low-2", { token: viewer });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      recommendation_id: "rec-low-2",
      history: [],
      mitigations: ["tell the owner"],
    });
    expect(Array.isArray(r.body.decisions)).toBe(true);
    const missing = await call(w.url, "GET", "/api/v1/recommendations/nope", { token: viewer });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe("no recommendation nope");
  });
});

describe("decisions through the API", () => {
  it("nobody approves their own high-risk request twice: a second person is needed", async () => {
    const first = await decide(alice, [
      { recommendation_id: "rec-high", decision: "approve", note: "checked the peak" },
    ]);
    expect(first.body.results[0]).toEqual({
      recommendation_id: "rec-high",
      ok: true,
      state: "waiting",
      approvals: 1,
      required: 2,
    });
    // the same person again, by session or by a token of theirs: refused, still one approval
    const token = (await call(w.url, "POST", "/api/v1/tokens", { token: alice, body: { name: "script" } }))
      .body.token;
    for (const credential of [alice, token]) {
      const again = await decide(credential, [{ recommendation_id: "rec-high", decision: "approve" }]);
      expect(again.body.results[0]).toMatchObject({ ok: false, error: { code: "refused" } });
      expect(again.body.results[0].error.message).toMatch(
        /alice already approved this version .*one approver counts once/,
      );
    }
    const status = await call(w.url, "GET", "/api/v1/approvals?state=waiting", { token: viewer });
    expect(
      status.body.find((s: { recommendation_id: string }) => s.recommendation_id === "rec-high"),
    ).toMatchObject({ approvals: 1, required: 2, approvers: ["alice"] });
    const second = await decide(admin, [{ recommendation_id: "rec-high", decision: "approve" }]);
    expect(second.body.results[0]).toMatchObject({ ok: true, state: "approved", approvals: 2 });
    const rows = await w.warehouse.all<{ approver: string; note: string | null }>(
      "select approver, note from ops.approvals where recommendation_id = 'rec-high' order by decided_at",
    );
    expect(rows).toEqual([
      { approver: "alice", note: "checked the peak" },
      { approver: "ada", note: null },
    ]);
  });

  it("decides each item on its own: a refused one does not stop the others", async () => {
    const r = await decide(alice, [
      { recommendation_id: "rec-snapshot", decision: "approve" },
      { recommendation_id: "rec-low-2", decision: "approve", note: "fine" },
      { recommendation_id: "rec-unknown", decision: "approve" },
      { recommendation_id: "rec-address", decision: "reject", version: "an-old-version" },
    ]);
    expect(r.status).toBe(200);
    const [snapshot, low2, unknown, stale] = r.body.results;
    expect(snapshot).toMatchObject({ ok: false, error: { code: "refused" } });
    expect(snapshot.error.message).toMatch(/cannot be undone: approving it needs acknowledge_irreversible/);
    expect(low2).toMatchObject({ ok: true, state: "approved", approvals: 1, required: 1 });
    expect(unknown).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(stale).toMatchObject({ ok: false, error: { code: "conflict" } });
    const ack = await decide(alice, [
      { recommendation_id: "rec-snapshot", decision: "approve", acknowledge_irreversible: true },
    ]);
    expect(ack.body.results[0]).toMatchObject({ ok: true, state: "approved" });
    const audit = await call(w.url, "GET", "/api/v1/audit?event=approval&subject=rec-low-2", {
      token: viewer,
    });
    expect(audit.body.items[0]).toMatchObject({
      actor: "alice",
      event: "approval.decided",
      detail: { note: "fine" },
    });
  });
});

describe("anomalies, runs, actions, audit, users", () => {
  it("acknowledges an anomaly as the signed-in approver", async () => {
    await w.warehouse.run(`insert into ml.cost_anomalies values ('an-1', 'provider', 'aws', 'aws', null, null, null, null,
      'USD', '2026-10-01', '2026-10-02', 100, 250, 150, 1.5, '[]', null, 'open', null, null, null, now(), now())`);
    const open = await call(w.url, "GET", "/api/v1/anomalies?status=open", { token: viewer });
    expect(open.body.items.map((a: { anomaly_id: string }) => a.anomaly_id)).toEqual(["an-1"]);
    expect(open.body.items[0]).toMatchObject({ impact: "150.00", root_cause: [] });
    const ack = await call(w.url, "POST", "/api/v1/anomalies/an-1/ack", {
      token: alice,
      body: { expected: true, note: "migration" },
    });
    expect(ack.body).toEqual({ anomaly_id: "an-1", status: "expected", status_by: "alice" });
    const [row] = await w.warehouse.all(
      "select status, status_by, status_reason from ml.cost_anomalies where anomaly_id = 'an-1'",
    );
    expect(row).toEqual({ status: "expected", status_by: "alice", status_reason: "migration" });
    expect((await call(w.url, "POST", "/api/v1/anomalies/an-404/ack", { token: alice })).status).toBe(404);
  });

  it("lists pipeline runs and one run's steps", async () => {
    await w.warehouse.run(`insert into ops.pipeline_runs (run_id, command, started_at, finished_at, status, trigger)
      values (9001, 'run', '2026-11-01T00:00:00Z', '2026-11-01T00:01:00Z', 'succeeded', 'schedule')`);
    await w.warehouse.run(`insert into ops.pipeline_steps (run_id, step, started_at, finished_at, status, rows)
      values (9001, 'ingest', '2026-11-01T00:00:00Z', '2026-11-01T00:00:30Z', 'skipped', 12)`);
    const list = await call(w.url, "GET", "/api/v1/runs?limit=5", { token: viewer });
    expect(list.body.items[0]).toMatchObject({ run_id: "9001", status: "succeeded", trigger: "schedule" });
    const one = await call(w.url, "GET", "/api/v1/runs/9001", { token: viewer });
    expect(one.body.steps).toEqual([
      expect.objectContaining({
        step: "ingest",
        status: "skipped",
        rows: "12",
        started_at: "2026-11-01T00:00:00.000Z",
      }),
    ]);
    expect((await call(w.url, "GET", "/api/v1/runs/9002", { token: viewer })).status).toBe(404);
    expect((await call(w.url, "GET", "/api/v1/runs/abc", { token: viewer })).status).toBe(400);
  });

  it("pauses and resumes the executor as the operator; a rollback of an unknown action is 404", async () => {
    const paused = await call(w.url, "POST", "/api/v1/actions/pause", {
      token: operator,
      body: { reason: "freeze" },
    });
    expect(paused.body).toMatchObject({ paused: true, by: "otto", reason: "freeze" });
    expect((await call(w.url, "GET", "/api/v1/actions", { token: viewer })).body.control.paused).toBe(true);
    const resumed = await call(w.url, "POST", "/api/v1/actions/resume", { token: operator });
    expect(resumed.body.paused).toBe(false);
    const missing = await call(w.url, "POST", "/api/v1/actions/act-none/rollback", {
      token: operator,
      body: { reason: "x" },
    });
    expect(missing.status).toBe(404);
  });

  it("lists the audit log newest first and verifies it (admin)", async () => {
    const page = await call(w.url, "GET", "/api/v1/audit?limit=3", { token: viewer });
    const seqs = page.body.items.map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(page.body.total).toBeGreaterThan(3);
    const verified = await call(w.url, "GET", "/api/v1/audit/verify", { token: admin });
    expect(verified.body).toMatchObject({ intact: true, problem: null });
  });

  it("adds users as an admin: 409 for a name taken, 400 for a short password", async () => {
    const added = await call(w.url, "POST", "/api/v1/users", {
      token: admin,
      body: { username: "bea", password: "a long passphrase", role: "approver" },
    });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ username: "bea", role: "approver", disabled: false });
    expect(added.text).not.toMatch(/password/);
    const taken = await call(w.url, "POST", "/api/v1/users", {
      token: admin,
      body: { username: "bea", password: "a long passphrase", role: "viewer" },
    });
    expect(taken.status).toBe(409);
    const short = await call(w.url, "POST", "/api/v1/users", {
      token: admin,
      body: { username: "cy", password: "short", role: "viewer" },
    });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toMatch(/10 characters or more/);
    const list = await call(w.url, "GET", "/api/v1/users", { token: admin });
    expect(list.text).not.toMatch(/\$2[aby]\$/);
  });
});

describe("a warehouse before its first pipeline run", () => {
  it("lists no recommendations and finds none, rather than failing", async () => {
    const { createServer } = await import("node:http");
    const { Warehouse } = await import("../../core/warehouse/warehouse.ts");
    const { createApp } = await import("../../service/app.ts");
    const { createLogger, createMetrics } = await import("../../service/observability.ts");
    const { addUser } = await import("../../service/auth/users.ts");
    const { tempDir } = await import("../helpers/tmp.ts");
    const empty = await Warehouse.open({ path: `${tempDir()}/empty.duckdb` });
    await addUser(empty, { username: "vera", password: "long enough pass", role: "viewer" }, "t", {
      cost: 4,
    });
    const { app } = createApp({
      config: w.config,
      warehouse: empty,
      background: {} as never,
      logger: createLogger("silent"),
      metrics: createMetrics(() => empty),
      jwtSecret: "y".repeat(32),
    });
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const token = await login(url, "vera", "long enough pass");
      const list = await call(url, "GET", "/api/v1/recommendations?status=open", { token });
      expect(list.body).toEqual({ items: [], total: 0, limit: 50, offset: 0 });
      expect((await call(url, "GET", "/api/v1/recommendations?approval=waiting", { token })).body.total).toBe(
        0,
      );
      expect((await call(url, "GET", "/api/v1/recommendations/abc", { token })).status).toBe(404);
      expect((await call(url, "GET", "/api/v1/approvals", { token })).body).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await empty.close();
    }
  });
});
