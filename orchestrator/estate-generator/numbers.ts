/**
 * The two helpers every part of the generator shares: calendar days as
 * YYYY-MM-DD strings, and rounding (amounts in truth.json are strings with two
 * decimals, so they compare exactly).
 */

/** The day `offset` days after (or before) `start`, in UTC. */
export function dayString(start: string, offset: number): string {
  const d = new Date(`${start}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + offset);
  return d.toISOString().slice(0, 10);
}

export function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}

export function money(value: number): string {
  return round(value, 2).toFixed(2);
}
