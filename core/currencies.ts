/** ISO 4217 currency codes (core/reference/currency_codes.csv, from the FOCUS validator; see its README). */
import { readFileSync } from "node:fs";

export const CURRENCY_CODES: readonly string[] = readFileSync(
  new URL("./reference/currency_codes.csv", import.meta.url),
  "utf8",
)
  .split(/\r?\n/)
  .slice(1)
  .map((line) => line.split(",")[1]?.trim())
  .filter((code): code is string => Boolean(code));

export const isCurrencyCode = (code: string) => CURRENCY_CODES.includes(code);
