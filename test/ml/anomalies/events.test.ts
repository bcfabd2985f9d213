/** Rows of one cause across scopes share an event id; simultaneous rows of other causes do not. */
import { describe, expect, it } from "vitest";
import { type EventMember, eventIds } from "../../../ml/anomalies/events.ts";

const row = (scope_type: string, service: string, days: [string, string], currency = "USD"): EventMember => ({
  scope_type,
  currency,
  start_date: days[0],
  end_date: days[1],
  impact: "100",
  root_cause: [
    { dimension: "account", value: "A" },
    { dimension: "service", value: service },
  ],
});

describe("events", () => {
  it("group one cause's rows, and name the group after its most specific row", () => {
    const rows = [
      row("total", "Lambda", ["2026-06-01", "2026-06-03"]),
      row("service", "Lambda", ["2026-06-02", "2026-06-03"]),
      row("provider", "Lambda", ["2026-06-01", "2026-06-02"]),
      // Same days, another service: another event.
      row("service", "S3", ["2026-06-02", "2026-06-02"]),
      // Same service later: another event.
      row("service", "Lambda", ["2026-06-20", "2026-06-20"]),
      // Same days and cause names in another currency: another event.
      row("total", "Lambda", ["2026-06-01", "2026-06-03"], "EUR"),
    ];
    const ids = ["t", "s", "p", "s3", "later", "eur"];
    expect(eventIds(rows, ids)).toEqual(["s", "s", "s", "s3", "later", "eur"]);
  });
});
