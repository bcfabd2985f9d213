/**
 * The anomaly job on the small hand-made estate (a real DuckDB file, after the forecast job):
 * the planted three days of one bucket's egress found as one anomaly per scope with the bucket
 * as root cause, the purchase and the tax not anomalies, and a user's status kept across runs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../../../core/config.ts";
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { run as detect, evaluate } from "../../../ml/anomalies/index.ts";
import type { Contributor } from "../../../ml/anomalies/root-cause.ts";
import { setAnomalyStatus } from "../../../ml/anomalies/status.ts";
import { run as forecast } from "../../../ml/forecast/index.ts";
import { quiet } from "../../helpers/tmp.ts";
import { datesOf } from "../forecast/series-fixture.ts";
import { fixtureWarehouse, PLANTED, SMALL_DAYS, smallEstate } from "../forecast/warehouse-fixture.ts";

let warehouse: Warehouse;
let config: Config;
const dates = datesOf(SMALL_DAYS);

interface Row {
  anomaly_id: string;
  scope_type: string;
  scope: string;
  currency: string;
  start_date: string;
  end_date: string;
  expected_cost: string;
  actual_cost: string;
  impact: string;
  root_cause: string;
  status: string;
  status_reason: string | null;
  first_detected_at: string;
  last_detected_at: string;
}

const anomalies = () =>
  warehouse.all<Row>(`
    select anomaly_id, scope_type, scope, currency, start_date::varchar as start_date, end_date::varchar as end_date,
      expected_cost::varchar as expected_cost, actual_cost::varchar as actual_cost, impact::varchar as impact,
      root_cause::varchar as root_cause, status, status_reason, first_detected_at::varchar as first_detected_at,
      last_detected_at::varchar as last_detected_at
    from ml.cost_anomalies order by scope_type, scope, start_date`);

beforeAll(async () => {
  ({ warehouse, config } = await fixtureWarehouse(smallEstate()));
  await forecast(warehouse, config, quiet);
  await detect(warehouse, config, quiet);
});
afterAll(() => warehouse.close());

describe("the anomaly job", () => {
  it("finds the bucket's three days of egress as one anomaly in the scopes holding it", async () => {
    const rows = await anomalies();
    const planted = rows.filter(
      (r) => r.start_date <= dates[PLANTED.to]! && r.end_date >= dates[PLANTED.from]!,
    );
    expect(planted.map((r) => `${r.scope_type} ${r.scope}`)).toEqual(
      expect.arrayContaining(["service aws/Amazon S3", "provider aws", "total total"]),
    );
    const s3 = planted.find((r) => r.scope === "aws/Amazon S3")!;
    expect([s3.start_date, s3.end_date]).toEqual([dates[PLANTED.from], dates[PLANTED.to]]);
    expect(Number(s3.impact)).toBeGreaterThan(0.9 * 3 * (PLANTED.extra - 2));
    expect(Number(s3.impact)).toBeCloseTo(Number(s3.actual_cost) - Number(s3.expected_cost), 2);
    const cause = JSON.parse(s3.root_cause) as Contributor[];
    const first = (d: string) => cause.find((c) => c.dimension === d)!;
    expect(first("resource")).toMatchObject({ value: PLANTED.resource });
    expect(first("resource").share!).toBeGreaterThan(0.9);
    expect(first("usage_type").value).toBe("EU-DataTransfer-Out-Bytes");
    expect(first("region").value).toBe("eu-west-1");
    expect(first("account").value).toBe("111111111111");
    // At the total, the cause is still the bucket.
    const total = planted.find((r) => r.scope_type === "total")!;
    expect(
      (JSON.parse(total.root_cause) as Contributor[]).find((c) => c.dimension === "resource")!.value,
    ).toBe(PLANTED.resource);
  });

  it("gives the rows of that one cause one event, named after its most specific row (the service's)", async () => {
    const rows = await warehouse.all<{ scope_type: string; anomaly_id: string; event_id: string }>(
      "select scope_type, anomaly_id, event_id from ml.cost_anomalies",
    );
    const service = rows.find((r) => r.scope_type === "service")!;
    expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set([service.anomaly_id]));
  });

  it("raises nothing else: not the purchase, not the monthly tax, not the new service", async () => {
    const other = (await anomalies()).filter(
      (r) => !(r.start_date <= dates[PLANTED.to]! && r.end_date >= dates[PLANTED.from]!),
    );
    expect(other.map((r) => `${r.scope} ${r.start_date}`)).toEqual([]);
  });

  it("keeps a user's status, reason and first detection across runs, and the id with them", async () => {
    const before = await anomalies();
    const s3 = before.find((r) => r.scope === "aws/Amazon S3")!;
    expect(s3.status).toBe("open");
    expect(
      await setAnomalyStatus(warehouse, s3.anomaly_id, "expected", "data export to a partner", "ana"),
    ).toBe(true);
    await forecast(warehouse, config, quiet);
    const summary = await detect(warehouse, config, quiet);
    const after = await anomalies();
    expect(after.map((r) => r.anomaly_id)).toEqual(before.map((r) => r.anomaly_id));
    // The word covers the event's rows in the other scopes too.
    expect(new Set(after.map((r) => r.status))).toEqual(new Set(["expected"]));
    const again = after.find((r) => r.anomaly_id === s3.anomaly_id)!;
    expect(again).toMatchObject({
      status: "expected",
      status_reason: "data export to a partner",
      first_detected_at: s3.first_detected_at,
    });
    expect(again.last_detected_at >= s3.last_detected_at).toBe(true);
    expect(summary.metrics).toMatchObject({ inserted: 0, updated: before.length, removed: 0 });
  });

  it("drops a stored open anomaly no longer found in the days it examined, but keeps an acknowledged one", async () => {
    const insert = (id: string, status: string) =>
      warehouse.run(`insert into ml.cost_anomalies (anomaly_id, scope_type, scope, currency, start_date, end_date,
          expected_cost, actual_cost, impact, root_cause, status, first_detected_at, last_detected_at)
        values ('${id}', 'service', 'aws/AWS Lambda', 'USD', date '2026-05-05', date '2026-05-05', 100, 200, 100, '[]', '${status}', now(), now())`);
    await insert("stale-open", "open");
    await insert("stale-acknowledged", "acknowledged");
    await warehouse.run(
      "update ml.cost_anomalies set start_date = date '2026-05-12', end_date = date '2026-05-12' where anomaly_id = 'stale-acknowledged'",
    );
    const summary = await detect(warehouse, config, quiet);
    const ids = (await anomalies()).map((r) => r.anomaly_id);
    expect(ids).not.toContain("stale-open");
    expect(ids).toContain("stale-acknowledged");
    expect(summary.metrics.removed).toBe(1);
  });

  it("is scored against a truth naming the bucket, and says it cannot be without one", async () => {
    const truth = {
      anomalies: [
        {
          id: "X1",
          start_date: dates[PLANTED.from],
          end_date: dates[PLANTED.to],
          currency: "USD",
          root_cause: {
            provider: "aws",
            billing_account_id: "111111111111",
            sub_account_id: "111111111111",
            service_name: "Amazon S3",
            region: "eu-west-1",
            usage_type: "EU-DataTransfer-Out-Bytes",
            resource_id: PLANTED.resource,
          },
        },
      ],
    };
    const scored = await evaluate(warehouse, config, truth);
    expect(scored.checks.map((c) => [c.value, c.met])).toEqual([
      [1, true],
      [expect.any(Number), true],
    ]);
    // A truth naming another resource is a miss of the root cause.
    const wrong = structuredClone(truth);
    wrong.anomalies[0]!.root_cause.resource_id = "bucket-a";
    expect((await evaluate(warehouse, config, wrong)).checks[0]).toMatchObject({ value: 0, met: false });
    const blind = await evaluate(warehouse, config, undefined);
    expect(blind.checks.map((c) => [c.value, c.met])).toEqual([
      [null, true],
      [null, true],
    ]);
    expect(blind.checks[0]!.name).toMatch(/not scored: no --truth/);
  });
});
