import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appendAudit } from "../../../actions/audit/log.ts";
import { redact, redactText } from "../../../actions/audit/redact.ts";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { expectNoSecret, leakyDetail, SECRETS } from "./secrets.ts";

describe("redact", () => {
  it("removes secrets under secret keys and inside strings, keeps the rest", () => {
    const out = redact(leakyDetail);
    expectNoSecret(JSON.stringify(out));
    expect(out.request.headers["content-type"]).toBe("application/json");
    expect(out.request.credentials).toBe("[redacted]");
    expect(out.error).toBe("GET https://[redacted]@api.example.com/v1 failed with key [redacted]");
    expect(out.webhook).toBe("https://hooks.slack.com/[redacted]");
    expect(out.blob).toBe("https://acct.blob.core.windows.net/c/x.csv?sv=[redacted]&sig=[redacted]");
    expect(out.callback).toBe("https://gw.example.com/sms?to=123&token=[redacted]");
    expect(out).toMatchObject({
      idempotency_token: "cco-act-42-step-1",
      request_id: "req-7",
      monthly_savings: "120.50",
    });
  });

  it("leaves ordinary text alone", () => {
    const text = "Resize i-0abc from m5.2xlarge to m5.xlarge: saves 120.50 USD/month (risk low)";
    expect(redactText(text)).toBe(text);
  });

  it("survives cycles, bigints and errors", () => {
    const cyclic: Record<string, unknown> = {
      n: 10n,
      error: new Error(`token=${SECRETS.queryToken} rejected`),
    };
    cyclic.self = cyclic;
    const out = redact(cyclic) as Record<string, unknown>;
    expect(out.n).toBe("10");
    expect(out.error).toBe("token=[redacted] rejected");
    expect(JSON.stringify(out)).toContain("[too deep]");
  });
});

describe("the audit log never stores a secret", () => {
  let warehouse: Warehouse;
  beforeAll(async () => {
    warehouse = await Warehouse.open({ path: path.join(tempDir(), "warehouse.duckdb"), threads: 1 });
  });
  afterAll(() => warehouse.close());

  it("in the detail, the subject or the actor, and the entry still verifies", async () => {
    await appendAudit(warehouse, {
      actor: `svc https://ops:${SECRETS.urlPassword}@idp.example.com`,
      event: "provider.call",
      subject: `https://hooks.slack.com/services/${SECRETS.slackPath}`,
      detail: leakyDetail,
    });
    const [row] = await warehouse.all<Record<string, string>>(
      "select actor, subject, detail::varchar as detail, hash from ops.audit_log",
    );
    expectNoSecret(JSON.stringify(row));
    expect(JSON.parse(row?.detail ?? "{}").request_id).toBe("req-7");
    expect((await verifyAudit(warehouse)).intact).toBe(true);
  });
});
