/**
 * The arima package's wasm, as the forecast loads it: its C code's messages never reach stdout
 * (they would corrupt --json output), and a failed fit says why instead of throwing.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fitPredict } from "../../../ml/forecast/arima.ts";
import { AUTO, TREND } from "../../../ml/forecast/models.ts";

/** 120 days of the demo estate's BigQuery cost with its planted spike: AutoARIMA's search prints "non-stationary seasonal AR part" on it. */
const bigquery = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "bigquery-daily-cost.json"), "utf8"),
) as number[];

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the arima wasm", () => {
  it("keeps what its C code prints off stdout", () => {
    const stdout = vi.spyOn(process.stdout, "write");
    const log = vi.spyOn(console, "log");
    const fit = fitPredict(bigquery, AUTO.order, 30);
    expect(fit.ok).toBe(true);
    expect(stdout).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });

  it("predicts with standard errors that grow with the days ahead", () => {
    const fit = fitPredict(bigquery.map(Math.log), TREND.order, 14);
    if (!fit.ok) throw new Error(fit.reason);
    expect(fit.mean).toHaveLength(14);
    expect(fit.se[13]!).toBeGreaterThan(fit.se[0]!);
    // The forecast of the next weekend stays below the weekdays' (the weekly pattern is kept).
    const weekday = (h: number) => (120 + h) % 7;
    const sat = fit.mean.findIndex((_, h) => weekday(h) === 0);
    expect(fit.mean[sat]!).toBeLessThan(fit.mean[sat - 1]!);
  });

  it("fails with a reason, not an exception, on a series too short for the model", () => {
    const fit = fitPredict([1, 2, 3, 4, 5], TREND.order, 7);
    expect(fit).toMatchObject({ ok: false });
    expect(fit.ok ? "" : fit.reason).toMatch(/too short/i);
  });
});
