/**
 * Maintenance windows (config.actions.maintenance_windows): a resource a window names (by account,
 * or by any of its tags) is changed only while one of its windows is open; a resource no window
 * names may be changed at any time. A window whose end is before its start runs past midnight
 * and belongs to the day it starts.
 */
import type { ActionsSettings } from "../../core/actions-settings.ts";

type Window = ActionsSettings["maintenance_windows"][number];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export interface WindowTarget {
  accounts: (string | null | undefined)[];
  tags: Record<string, string>;
}

export function windowsFor(settings: ActionsSettings, target: WindowTarget): Window[] {
  return settings.maintenance_windows.filter(
    (w) =>
      w.accounts?.some((a) => target.accounts.includes(a)) ||
      Object.entries(w.tags ?? {}).some(([k, v]) => target.tags[k] === v),
  );
}

/** The local weekday and minute of the day at `now` in a time zone. */
function local(now: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return {
    day: DAYS.indexOf(get("weekday").toLowerCase().slice(0, 3) as (typeof DAYS)[number]),
    minute: Number(get("hour")) * 60 + Number(get("minute")),
  };
}

const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export function isOpen(window: Window, now: Date): boolean {
  const { day, minute } = local(now, window.timezone);
  const start = minutes(window.start);
  const end = minutes(window.end);
  const on = (d: number) => window.days.includes(DAYS[(d + 7) % 7]!);
  if (start < end) return on(day) && minute >= start && minute < end;
  // Past midnight: the evening part belongs to today, the morning part to yesterday's window.
  return (on(day) && minute >= start) || (on(day - 1) && minute < end);
}

/** Null when the resource may be changed at `now`; else why not. */
export function outsideWindows(settings: ActionsSettings, target: WindowTarget, now: Date): string | null {
  const windows = windowsFor(settings, target);
  if (!windows.length || windows.some((w) => isOpen(w, now))) return null;
  return `outside its maintenance window${windows.length > 1 ? "s" : ""} ${windows.map((w) => `${w.name} (${w.days.join(",")} ${w.start}-${w.end} ${w.timezone})`).join(", ")}`;
}
