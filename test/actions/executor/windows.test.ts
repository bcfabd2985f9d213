import { describe, expect, it } from "vitest";
import { isOpen, outsideWindows } from "../../../actions/executor/windows.ts";
import { actionsSchema } from "../../../core/actions-settings.ts";

const settings = actionsSchema.parse({
  maintenance_windows: [
    {
      name: "nights",
      accounts: ["111"],
      start: "22:00",
      end: "04:00",
      timezone: "Europe/Paris",
      days: ["mon", "tue"],
    },
    {
      name: "sunday",
      tags: { env: "prod" },
      start: "10:00",
      end: "12:00",
      timezone: "America/New_York",
      days: ["sun"],
    },
  ],
});
const [nights, sunday] = settings.maintenance_windows as [never, never];

describe("maintenance windows", () => {
  it("open in the window's own time zone, past midnight belonging to the day it starts", () => {
    // Monday 2026-11-02 22:30 Paris = 21:30 UTC.
    expect(isOpen(nights, new Date("2026-11-02T21:30:00Z"))).toBe(true);
    // Tuesday 03:00 Paris: still Monday's window.
    expect(isOpen(nights, new Date("2026-11-03T02:00:00Z"))).toBe(true);
    // Monday 03:00 Paris: Sunday's window, and Sunday is not listed.
    expect(isOpen(nights, new Date("2026-11-02T02:00:00Z"))).toBe(false);
    // Wednesday 03:00 Paris: Tuesday's window.
    expect(isOpen(nights, new Date("2026-11-04T02:00:00Z"))).toBe(true);
    // Sunday 2026-11-01 11:00 New York (EST) = 16:00 UTC.
    expect(isOpen(sunday, new Date("2026-11-01T16:00:00Z"))).toBe(true);
    expect(isOpen(sunday, new Date("2026-11-01T18:00:00Z"))).toBe(false);
  });

  it("bind only the resources they name, by account or tag", () => {
    const noon = new Date("2026-11-02T12:00:00Z");
    expect(outsideWindows(settings, { accounts: ["222"], tags: {} }, noon)).toBeNull();
    expect(outsideWindows(settings, { accounts: ["111"], tags: {} }, noon)).toMatch(
      /outside its maintenance window nights/,
    );
    expect(outsideWindows(settings, { accounts: ["111"], tags: { env: "prod" } }, noon)).toMatch(
      /windows nights .*, sunday/,
    );
  });

  it("refuse an unknown time zone in config", () => {
    const bad = actionsSchema.safeParse({ schedule: { timezone: "Mars/Olympus" } });
    expect(bad.error?.issues[0]?.message).toMatch(/Mars\/Olympus is not a time zone/);
  });
});
