/** Hand-made daily cost series for the forecast's unit tests: a seeded normal noise, a weekly pattern, a trend. */
import type { Series } from "../../../ml/forecast/series.ts";
import { daysBetween } from "../../../ml/forecast/series.ts";

/** Days from 2026-03-02 (a Monday) on. */
export function datesOf(n: number): string[] {
  return daysBetween("2026-03-02", new Date(Date.UTC(2026, 2, 2 + n - 1)).toISOString().slice(0, 10));
}

/** Standard normal draws from a seeded generator (mulberry32 and Box-Muller). */
export function normals(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** level × (1 + growth·t) × (weekendFactor on Saturdays and Sundays) × e^(noise·N(0,1)). */
export function weekly(
  n: number,
  options: { level?: number; growth?: number; weekend?: number; noise?: number; seed?: number } = {},
): number[] {
  const { level = 100, growth = 0.003, weekend = 0.6, noise = 0.02, seed = 1 } = options;
  const z = normals(seed);
  // Day 0 is a Monday: days 5 and 6 of each week are the weekend.
  return Array.from(
    { length: n },
    (_, t) => level * (1 + growth * t) * (t % 7 >= 5 ? weekend : 1) * Math.exp(noise * z()),
  );
}

export function seriesOf(usage: number[], options: Partial<Series> = {}): Series {
  return {
    scopeType: "service",
    scope: "test/Service",
    currency: "USD",
    provider: "test",
    billingAccountId: null,
    subAccountId: null,
    serviceName: "Service",
    region: null,
    usage,
    oneOff: usage.map(() => 0),
    ...options,
  };
}
