import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readAuditLog } from "../../../actions/audit/read.ts";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { backoffMs, deliverNotifications, startNotificationPump } from "../../../actions/notify/deliver.ts";
import { enqueueNotification, type Notice } from "../../../actions/notify/outbox.ts";
import { notificationsSchema } from "../../../core/notifications-settings.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { expectNoSecret, SECRETS } from "../audit/secrets.ts";
import { type HttpRecorder, httpRecorder, mailBody, mailHeader, smtpServer } from "./servers.ts";

let warehouse: Warehouse;
let server: HttpRecorder;
beforeAll(async () => {
  warehouse = await Warehouse.open({ path: path.join(tempDir(), "warehouse.duckdb"), threads: 1 });
  server = await httpRecorder();
});
afterAll(async () => {
  await server.close();
  await warehouse.close();
});
beforeEach(async () => {
  await warehouse.run("delete from ops.notifications");
  server.requests.length = 0;
  server.replies.length = 0;
  server.fallback = { status: 200, body: "ok" };
});

/** The webhook URL's path stands for the secret part of a real one (Slack's /services/T…/B…/…). */
const SECRET_PATH = "/services/T0001/B0001/abcdefSECRETpath";

const settings = (extra: Record<string, unknown> = {}, channels?: unknown[]) => ({
  notifications: notificationsSchema.parse({
    attempts: 3,
    base_ms: 5,
    timeout_ms: 2000,
    channels: channels ?? [
      {
        type: "webhook",
        name: "hook",
        url: `${server.url}${SECRET_PATH}`,
        headers: { authorization: "Bearer s3cr3t-header-token" },
      },
    ],
    ...extra,
  }),
});

const notice = (subject: string, event: Notice["event"] = "executed"): Notice => ({
  event,
  subject,
  title: "Resize vm-42 from m5.2xlarge to m5.xlarge",
  fields: { account: "111122223333", monthly_savings: "120.50", risk_level: "low", note: null },
});

async function rowOf(subject: string) {
  const [row] = await warehouse.all<{
    status: string;
    attempts: number;
    last_error: string | null;
    sent_at: string | null;
  }>(
    "select status, attempts, last_error, sent_at::varchar as sent_at from ops.notifications where subject = $1",
    [subject],
  );
  return row;
}

describe("delivery over HTTP", () => {
  it("posts Slack-compatible JSON and the generic webhook's JSON with its headers, and audits both without secrets", async () => {
    const config = settings({}, [
      { type: "slack", name: "team", url: `${server.url}/slack${SECRET_PATH}`, events: ["approval_needed"] },
      {
        type: "webhook",
        name: "sms",
        url: `${server.url}/sms?token=gw-secret-token`,
        headers: { "x-api-key": "k-123456" },
      },
    ]);
    expect(await enqueueNotification(warehouse, config, notice("rec-1", "approval_needed"))).toBe(2);
    expect(await enqueueNotification(warehouse, config, notice("act-1", "executed"))).toBe(1);
    const report = await deliverNotifications(warehouse, config);
    expect(report).toEqual({ sent: 3, failed: 0, retrying: 0, pending: 0 });

    const slack = server.requests.find((r) => r.path.startsWith("/slack"));
    const slackBody = JSON.parse(slack?.body ?? "{}");
    expect(slackBody.text).toBe("[cco] Approval needed: Resize vm-42 from m5.2xlarge to m5.xlarge");
    expect(slackBody.blocks[0].text.text).toContain("A change is waiting for your decision.");
    expect(slackBody.blocks[1].fields).toContainEqual({ type: "mrkdwn", text: "*Monthly savings*\n120.50" });
    expect(slack?.headers["content-type"]).toBe("application/json");

    const sms = server.requests.filter((r) => r.path.startsWith("/sms"));
    expect(sms.map((r) => JSON.parse(r.body).event).sort()).toEqual(["approval_needed", "executed"]);
    const executed = JSON.parse(sms.find((r) => r.body.includes('"executed"'))?.body ?? "{}");
    expect(executed).toMatchObject({
      event: "executed",
      subject: "act-1",
      fields: { monthly_savings: "120.50", note: null },
      message: { subject: "[cco] Executed: Resize vm-42 from m5.2xlarge to m5.xlarge" },
    });
    expect(executed.message.text).toContain("Its state and verification: cco actions status act-1");
    expect(sms[0]?.headers["x-api-key"]).toBe("k-123456");
    expect(sms[0]?.headers["idempotency-key"]).toMatch(/^[0-9a-f]{24}$/);

    expect(await rowOf("act-1")).toMatchObject({ status: "sent", attempts: 1, last_error: null });
    expect((await rowOf("act-1"))?.sent_at).not.toBeNull();
    const audit = await readAuditLog(warehouse, { event: "notification" });
    const sent = audit.filter((e) => e.event === "notification.sent");
    expect(sent).toHaveLength(3);
    expect(sent.map((e) => e.detail.target)).toContain(server.url);
    const text = JSON.stringify(audit);
    for (const secret of ["SECRETpath", "gw-secret-token", "k-123456", "/slack"])
      expect(text).not.toContain(secret);
  });

  it("retries a server that fails twice (500, then 429) and then succeeds: sent, attempts = 3", async () => {
    server.replies.push({ status: 500, body: "boom" }, { status: 429, body: "slow down" });
    const config = settings();
    await enqueueNotification(warehouse, config, notice("act-flaky"));

    // One pass tries once, schedules the retry and returns.
    expect(await deliverNotifications(warehouse, config)).toMatchObject({ sent: 0, retrying: 1, pending: 1 });
    expect(await rowOf("act-flaky")).toMatchObject({ status: "pending", attempts: 1 });
    expect((await rowOf("act-flaky"))?.last_error).toMatch(
      /^HTTP 500 Internal Server Error from http:\/\/127\.0\.0\.1:\d+: boom$/,
    );

    // With a time limit it waits for the retries that come due within it.
    expect(await deliverNotifications(warehouse, config, { timeLimitMs: 5000 })).toMatchObject({
      sent: 1,
      pending: 0,
    });
    expect(await rowOf("act-flaky")).toMatchObject({ status: "sent", attempts: 3, last_error: null });
    expect(server.requests).toHaveLength(3);
    // The same notice each time, under one idempotency key.
    expect(new Set(server.requests.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    const audit = await readAuditLog(warehouse, { subject: "act-flaky" });
    expect(audit.map((e) => [e.event, e.detail.attempt])).toEqual([
      ["notification.failed", 1],
      ["notification.failed", 2],
      ["notification.sent", 3],
    ]);
    expect(audit[1]?.detail).toMatchObject({
      final: false,
      error: expect.stringMatching(/^HTTP 429 Too Many Requests/),
    });
  });

  it("gives up after `attempts` on a server that always fails", async () => {
    server.fallback = { status: 503, body: "down" };
    const config = settings();
    await enqueueNotification(warehouse, config, notice("act-down"));
    expect(await deliverNotifications(warehouse, config, { timeLimitMs: 5000 })).toMatchObject({
      sent: 0,
      failed: 1,
      retrying: 2,
      pending: 0,
    });
    const row = await rowOf("act-down");
    expect(row).toMatchObject({ status: "failed", attempts: 3, sent_at: null });
    expect(row?.last_error).toMatch(/^HTTP 503 Service Unavailable from http:\/\/127\.0\.0\.1:\d+: down$/);
    expect(server.requests).toHaveLength(3);
    const audit = await readAuditLog(warehouse, { subject: "act-down" });
    expect(audit.map((e) => e.detail.final)).toEqual([false, false, true]);
    expect(JSON.stringify(audit)).not.toContain("SECRETpath");
    // A failed notification is not sent again.
    await deliverNotifications(warehouse, config, { timeLimitMs: 200 });
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry a refusal that will not change (404 from a revoked webhook)", async () => {
    server.fallback = { status: 404, body: "no_service" };
    const config = settings();
    await enqueueNotification(warehouse, config, notice("act-revoked"));
    expect(await deliverNotifications(warehouse, config, { timeLimitMs: 2000 })).toMatchObject({ failed: 1 });
    expect(await rowOf("act-revoked")).toMatchObject({ status: "failed", attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });

  it("waits for Retry-After before the next attempt", async () => {
    server.replies.push({ status: 429, headers: { "retry-after": "1" } });
    const config = settings({ base_ms: 1 });
    await enqueueNotification(warehouse, config, notice("act-retry-after"));
    const started = Date.now();
    expect(await deliverNotifications(warehouse, config, { timeLimitMs: 5000 })).toMatchObject({ sent: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("counts an unreachable server and a send timeout as failed attempts, to retry", async () => {
    const gone = await httpRecorder();
    await gone.close();
    const config = settings({ timeout_ms: 200 }, [
      { type: "webhook", name: "gone", url: gone.url },
      { type: "webhook", name: "slow", url: server.url },
    ]);
    server.fallback = { status: 200, hang: true };
    await enqueueNotification(warehouse, config, notice("act-unreachable"));
    await deliverNotifications(warehouse, config);
    const rows = await warehouse.all<{
      channel: string;
      status: string;
      attempts: number;
      last_error: string;
    }>("select channel, status, attempts, last_error from ops.notifications order by channel");
    expect(rows).toEqual([
      {
        channel: "gone",
        status: "pending",
        attempts: 1,
        last_error: expect.stringMatching(/^cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED$/),
      },
      { channel: "slow", status: "pending", attempts: 1, last_error: "no answer within 200 ms" },
    ]);
  });

  it("never holds the caller past its time limit, and leaves what it abandoned untouched", async () => {
    server.fallback = { status: 200, hang: true };
    const config = settings({ timeout_ms: 30_000 });
    await enqueueNotification(warehouse, config, notice("act-hang"));
    const started = Date.now();
    const report = await deliverNotifications(warehouse, config, { timeLimitMs: 300 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(report).toMatchObject({ sent: 0, failed: 0, pending: 1 });
    expect(await rowOf("act-hang")).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("fails a notification whose channel left the config", async () => {
    const config = settings();
    await enqueueNotification(warehouse, config, notice("act-orphan"));
    const without = settings({}, [{ type: "webhook", name: "other", url: server.url }]);
    expect(await deliverNotifications(warehouse, without)).toMatchObject({ failed: 1 });
    expect(await rowOf("act-orphan")).toMatchObject({
      status: "failed",
      last_error: "channel hook is not in the config (any more)",
    });
  });

  it("never puts a secret in the outbox, the payload sent, or the audit", async () => {
    const config = settings();
    await enqueueNotification(warehouse, config, {
      event: "verification_failed",
      subject: "act-leak",
      title: `Call failed: https://svc:${SECRETS.urlPassword}@api.example.com with ${SECRETS.awsKeyId}`,
      fields: {
        error: `Bearer ${SECRETS.bearer}`,
        password: SECRETS.smtpPassword,
        blob: `https://a.blob.core.windows.net/x?sig=${SECRETS.sasSig}`,
      },
    });
    const [row] = await warehouse.all<{ payload: string }>(
      "select payload::varchar as payload from ops.notifications",
    );
    expectNoSecret(row?.payload ?? "");
    expect(JSON.parse(row?.payload ?? "{}").fields.password).toBe("[redacted]");
    await deliverNotifications(warehouse, config);
    expectNoSecret(server.requests[0]?.body ?? "");
    expect(server.requests[0]?.body).toContain(
      "[cco] Verification failed: Call failed: https://[redacted]@api.example.com",
    );
    expectNoSecret(JSON.stringify(await readAuditLog(warehouse, { subject: "act-leak" })));
  });
});

describe("delivery by email", () => {
  it("sends the rendered notice to every recipient through SMTP", async () => {
    const smtp = await smtpServer();
    try {
      const config = settings({}, [
        {
          type: "email",
          name: "ops-mail",
          host: "127.0.0.1",
          port: smtp.port,
          from: "cco@example.com",
          to: ["oncall@example.com", "finops@example.com"],
          events: ["rolled_back"],
        },
      ]);
      await enqueueNotification(warehouse, config, notice("act-7", "rolled_back"));
      expect(await deliverNotifications(warehouse, config)).toMatchObject({ sent: 1, pending: 0 });
      expect(smtp.mails).toHaveLength(1);
      const mail = smtp.mails[0]!;
      expect(mail.from).toBe("cco@example.com");
      expect(mail.to).toEqual(["oncall@example.com", "finops@example.com"]);
      expect(mailHeader(mail.raw, "Subject")).toBe(
        "[cco] Rolled back: Resize vm-42 from m5.2xlarge to m5.xlarge",
      );
      expect(mailHeader(mail.raw, "X-Cco-Event")).toBe("rolled_back");
      const body = mailBody(mail.raw);
      expect(body).toContain("A change was undone");
      expect(body).toContain("Monthly savings: 120.50");
      expect(body).toContain("Note: -");
      expect(body).toContain("History: cco audit log --subject act-7");
      const [entry] = await readAuditLog(warehouse, { subject: "act-7", event: "notification.sent" });
      expect(entry?.detail.target).toBe(
        `smtp://127.0.0.1:${smtp.port} to oncall@example.com, finops@example.com`,
      );
    } finally {
      await smtp.close();
    }
  });

  it("retries when the SMTP server cannot be reached", async () => {
    const smtp = await smtpServer();
    await smtp.close();
    const config = settings({}, [
      {
        type: "email",
        name: "m",
        host: "127.0.0.1",
        port: smtp.port,
        from: "cco@example.com",
        to: ["a@example.com"],
      },
    ]);
    await enqueueNotification(warehouse, config, notice("act-nomail"));
    expect(await deliverNotifications(warehouse, config)).toMatchObject({ retrying: 1 });
    expect((await rowOf("act-nomail"))?.last_error).toMatch(/^SMTP 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });
});

describe("the background pump", () => {
  it("delivers what is queued while it runs, and stops", async () => {
    const config = settings();
    const reports: unknown[] = [];
    const pump = startNotificationPump(warehouse, config, {
      intervalMs: 50,
      onReport: (r) => reports.push(r),
    });
    await enqueueNotification(warehouse, config, notice("act-pumped"));
    pump.wake();
    for (let i = 0; i < 100 && server.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await pump.stop();
    expect(server.requests).toHaveLength(1);
    expect(await rowOf("act-pumped")).toMatchObject({ status: "sent", attempts: 1 });
    const ticks = reports.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(reports.length).toBe(ticks);
  });

  it("stops promptly while a send hangs", async () => {
    server.fallback = { status: 200, hang: true };
    const config = settings({ timeout_ms: 30_000 });
    await enqueueNotification(warehouse, config, notice("act-pump-hang"));
    const pump = startNotificationPump(warehouse, config, { intervalMs: 10 });
    for (let i = 0; i < 100 && server.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    const started = Date.now();
    await pump.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await rowOf("act-pump-hang")).toMatchObject({ status: "pending", attempts: 0 });
  });
});

describe("backoff", () => {
  const s = { base_ms: 100, max_ms: 1000 };
  it("is full jitter under an exponential ceiling, capped, and honours Retry-After", () => {
    expect(backoffMs(s, 1, 0, () => 0.999)).toBe(99);
    expect(backoffMs(s, 3, 0, () => 0.5)).toBe(200);
    expect(backoffMs(s, 3, 0, () => 0)).toBe(0);
    expect(backoffMs(s, 10, 0, () => 0.999)).toBe(999);
    expect(backoffMs(s, 1, 700, () => 0.1)).toBe(700);
    expect(backoffMs(s, 1, 60_000, () => 0.1)).toBe(1000);
  });
});

describe("the log after all of it", () => {
  it("still verifies", async () => {
    expect(await verifyAudit(warehouse)).toMatchObject({ intact: true, warnings: [] });
  });
});
