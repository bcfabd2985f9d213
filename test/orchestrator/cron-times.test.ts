/**
 * Next fire times from any instant, in the schedule's zone, equal to what node-cron 4.6's
 * scheduler fires: checked by hand across DST, against the tasks' own getNextRuns from now, and
 * against node-cron's internal walker (the one its scheduler plans with) around every DST change
 * of several zones.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import cron from "node-cron";
import { describe, expect, it } from "vitest";
import { nextFireTimes } from "../../orchestrator/cron-times.ts";

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("nextFireTimes", () => {
  it("skips a time the spring-forward jump removes (Paris, 29 March 2026)", () => {
    expect(iso(nextFireTimes("30 2 * * *", "Europe/Paris", 3, new Date("2026-03-27T12:00:00Z")))).toEqual([
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      // 29 March: 02:30 does not exist (02:00 -> 03:00)
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
      "2026-03-31T00:30:00.000Z",
    ]);
  });

  it("fires once at a time the fall-back repeats (New York, 1 November 2026)", () => {
    expect(iso(nextFireTimes("30 1 * * *", "America/New_York", 3, new Date("2026-10-31T12:00:00Z")))).toEqual(
      [
        "2026-11-01T05:30:00.000Z", // 01:30 EDT, not again at 01:30 EST
        "2026-11-02T06:30:00.000Z", // 01:30 EST
        "2026-11-03T06:30:00.000Z",
      ],
    );
  });

  it("reads weekdays, months and seconds in the zone, not in UTC", () => {
    // Monday 08:00 in Tokyo is Sunday 23:00 UTC (from Monday 1 June, 09:00 there).
    expect(iso(nextFireTimes("0 8 * * 1", "Asia/Tokyo", 2, new Date("2026-06-01T00:00:00Z")))).toEqual([
      "2026-06-07T23:00:00.000Z",
      "2026-06-14T23:00:00.000Z",
    ]);
    expect(iso(nextFireTimes("15 0 0 1 1 *", "Asia/Kolkata", 1, new Date("2026-06-01T00:00:00Z")))).toEqual([
      "2026-12-31T18:30:15.000Z",
    ]);
  });

  it("agrees with node-cron's own next runs from now", () => {
    for (const [expression, timezone] of [
      ["0 2 * * *", "Europe/Paris"],
      ["*/15 6-18 * * 1-5", "America/New_York"],
      ["0 0 1 * *", "Australia/Sydney"],
      ["45 23 * * 0", "UTC"],
    ] as const) {
      const task = cron.createTask(expression, () => undefined, { timezone });
      const from = new Date();
      const theirs = task.getNextRuns(5);
      task.destroy();
      expect([expression, iso(nextFireTimes(expression, timezone, 5, from))]).toEqual([
        expression,
        iso(theirs),
      ]);
    }
  });

  it("agrees with node-cron's scheduler walk around every DST change of several zones", async () => {
    // The walk node-cron's scheduler plans each next run with (not exported: read from its file).
    const shared = path.resolve(import.meta.dirname, "../../node_modules/node-cron/dist/_shared.js");
    const { T: TimeMatcher } = (await import(pathToFileURL(shared).href)) as {
      T: new (pattern: string, timezone: string) => { getNextMatch(date: Date): Date };
    };
    const expressions = [
      "30 2 * * *",
      "0 * * * *",
      "*/20 1-3 * * *",
      "30 1 * * 1-5",
      "*/10 * * * * *",
      "0 30 2 * * 0",
    ];
    const transitions: Record<string, string[]> = {
      "Europe/Paris": ["2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z"],
      "America/New_York": ["2026-03-08T07:00:00Z", "2026-11-01T06:00:00Z"],
      "Australia/Lord_Howe": ["2026-04-04T15:00:00Z", "2026-10-03T15:30:00Z"], // 30-minute shifts
      "America/Santiago": ["2026-04-05T03:00:00Z", "2026-09-06T04:00:00Z"], // midnight changes
    };
    let checked = 0;
    for (const [timezone, changes] of Object.entries(transitions))
      for (const change of changes)
        for (const hoursBefore of [30, 3, 1.5, 0.75, 0.25])
          for (const expression of expressions) {
            const from = new Date(Date.parse(change) - hoursBefore * 3_600_000);
            const matcher = new TimeMatcher(expression, timezone);
            const walked: Date[] = [];
            let at = from;
            for (let i = 0; i < 4; i++) {
              at = matcher.getNextMatch(at);
              walked.push(at);
            }
            expect([
              timezone,
              expression,
              from.toISOString(),
              iso(nextFireTimes(expression, timezone, 4, from)),
            ]).toEqual([timezone, expression, from.toISOString(), iso(walked)]);
            checked++;
          }
    expect(checked).toBe(240);
  });
});
