/**
 * When a cron expression fires after a given instant, in its time zone, exactly as node-cron
 * 4.6's scheduler will fire it. node-cron's tasks tell their next runs only from "now"
 * (getNextRuns); this walks from any instant the way its scheduler does: local days in order,
 * each day's times from the parsed fields turned into instants, kept when the task matches.
 *
 * Across DST, that means: a wall-clock time that does not exist that day (02:30 when clocks
 * jump from 02:00 to 03:00) does not fire; one that occurs twice (fall back) fires once.
 */
import cron from "node-cron";

/** The walk gives up after this many local days without a match (29 February on a Monday …). */
const MAX_DAYS = 366 * 8;

interface Day {
  year: number;
  month: number;
  day: number;
}

export function nextFireTimes(expression: string, timezone: string, count: number, from: Date): Date[] {
  const fields = cron.parse(expression);
  const task = cron.createTask(expression, () => undefined, { timezone });
  try {
    const ascending = (xs: number[]) => [...new Set(xs)].sort((a, b) => a - b);
    const [seconds, minutes, hours] = [
      ascending(fields.second),
      ascending(fields.minute),
      ascending(fields.hour),
    ];
    const after = Math.floor(from.getTime() / 1000) * 1000;
    const start = localParts(new Date(after), timezone);
    const startClock = start.hour * 3600 + start.minute * 60 + start.second;
    const times: Date[] = [];
    let day: Day = start;
    for (let idle = 0; idle < MAX_DAYS; idle++, day = nextDay(day)) {
      if (!fields.month.includes(day.month) || !mayMatchDay(fields, day)) continue;
      const first = day === start;
      for (const hour of hours)
        for (const minute of minutes)
          for (const second of seconds) {
            // The first day: only its times after the start's wall clock (as node-cron's walk).
            if (first && hour * 3600 + minute * 60 + second <= startClock) continue;
            const at = localToInstant({ ...day, hour, minute, second }, timezone);
            if (at === undefined || at <= after || !task.match(new Date(at))) continue;
            times.push(new Date(at));
            if (times.length === count) return times;
            idle = 0;
          }
    }
    return times;
  } finally {
    task.destroy();
  }
}

/** A cheap pre-check of a day against plain numeric day-of-month and weekday lists (task.match decides). */
function mayMatchDay(fields: ReturnType<typeof cron.parse>, day: Day): boolean {
  const numeric = (xs: (number | string)[]) => xs.every((x) => typeof x === "number") as boolean;
  if (numeric(fields.dayOfMonth) && !fields.dayOfMonth.includes(day.day)) return false;
  if (numeric(fields.dayOfWeek)) {
    const weekday = new Date(Date.UTC(day.year, day.month - 1, day.day)).getUTCDay();
    const days = (fields.dayOfWeek as number[]).map((d) => d % 7);
    if (!days.includes(weekday)) return false;
  }
  return true;
}

function nextDay(day: Day): Day {
  const d = new Date(Date.UTC(day.year, day.month - 1, day.day + 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

interface LocalTime extends Day {
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function localParts(date: Date, timezone: string): LocalTime {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timezone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(ms: number, timezone: string): number {
  const p = localParts(new Date(ms), timezone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant a wall-clock time names in the zone; undefined when it does not exist (skipped by
 * a DST jump). Of a time that occurs twice, the one node-cron takes: the offset first found.
 */
function localToInstant(t: LocalTime, timezone: string): number | undefined {
  const guess = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
  const first = guess - offsetAt(guess, timezone);
  const second = guess - offsetAt(first, timezone);
  for (const candidate of first === second ? [first] : [first, second]) {
    const back = localParts(new Date(candidate), timezone);
    if (
      back.year === t.year &&
      back.month === t.month &&
      back.day === t.day &&
      back.hour === t.hour &&
      back.minute === t.minute &&
      back.second === t.second
    )
      return candidate;
  }
  return undefined;
}
