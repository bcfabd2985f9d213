/** ISO 4217 currency codes (core/reference/currency_codes.csv, from the FOCUS validator; see its README). */
import { readFileSync } from "node:fs";
import { shippedFile } from "./paths.ts";

export const CURRENCY_CODES: readonly string[] = readFileSync(
  shippedFile("core", "reference", "currency_codes.csv"),
  "utf8",
)
  .split(/\r?\n/)
  .slice(1)
  .map((line) => line.split(",")[1]?.trim())
  .filter((code): code is string => Boolean(code));

export const isCurrencyCode = (code: string) => CURRENCY_CODES.includes(code);
