/**
 * What every fuzz test shares: how many runs (FUZZ_RUNS goes deep), a time bound on one run, and
 * the verdict on an error: a CcoError whose message names the file, never one of our bugs dressed
 * up as one (a TypeError's text inside an InputError) nor a DuckDB internal error.
 */
import { expect } from "vitest";
import { CcoError } from "../../../core/errors.ts";

/** Runs per property: `base` in CI, FUZZ_RUNS (e.g. FUZZ_RUNS=5000) to go deep. */
export function runs(base: number): number {
  const deep = Number(process.env.FUZZ_RUNS);
  return Number.isSafeInteger(deep) && deep > 0 ? deep : base;
}

/** A fuzz test's time limit: the suite's in CI, an hour when going deep. */
export const FUZZ_TIMEOUT = process.env.FUZZ_RUNS ? 3_600_000 : 120_000;

/** Seed for reproducing a failure: FUZZ_SEED=<seed printed by fast-check>. */
export function seed(): { seed?: number } {
  const value = Number(process.env.FUZZ_SEED);
  return Number.isSafeInteger(value) ? { seed: value } : {};
}

/** `work`, or an error saying it hung (still running after `ms`). */
export async function bounded<T>(what: string, ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang: ${what} still running after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work(), hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** Text of a JavaScript or DuckDB bug, wherever it turns up in a message. */
const BUG =
  /Cannot read propert|Cannot set propert|is not a function|is not iterable|is not defined|Maximum call stack|Invalid array length|INTERNAL Error|FATAL Error|database has been invalidated/;

/** The error is a clear refusal: a CcoError (not a bug) whose one-line message names `file`. */
export function expectClearRefusal(error: unknown, file: string): void {
  if (!(error instanceof CcoError)) {
    throw new Error(`not a CcoError for ${file}: ${error instanceof Error ? error.stack : String(error)}`);
  }
  expect(error.message, "names the file").toContain(file);
  expect(error.message, "a bug's text inside a refusal").not.toMatch(BUG);
  // A message quotes what it found, cut short: never a whole pasted field.
  for (const line of error.message.split("\n"))
    expect(line.length, "a message line's length").toBeLessThan(1000);
}

/** Count outcomes across a property's runs, printed when going deep (FUZZ_RUNS) for the record. */
export class Tally {
  private readonly counts = new Map<string, number>();
  constructor(private readonly name: string) {}
  add(outcome: string): void {
    this.counts.set(outcome, (this.counts.get(outcome) ?? 0) + 1);
  }
  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  report(): void {
    if (!process.env.FUZZ_RUNS) return;
    const parts = [...this.counts].map(([k, v]) => `${k} ${v}`).join(", ");
    process.stdout.write(`fuzz ${this.name}: ${this.total()} runs (${parts})\n`);
  }
}
