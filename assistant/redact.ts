/**
 * assistant.redact: account ids and names and tag values never reach the model. Each known value
 * is replaced, wherever it stands as a whole token (inside a resource id, a scope, a sentence),
 * by a placeholder such as ACCOUNT_3f9a1c2e or TAG_07b1d4aa: the same value gets the same
 * placeholder every time (a keyed hash, the key kept under <dataDir>/assistant/), so the model can
 * use it in SQL and follow-ups; placeholders in what comes back (tool arguments, the answer) are
 * mapped back to the real values before anything runs or is shown.
 */
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export type Sensitive = "ACCOUNT" | "TAG";

export interface SensitiveValues {
  accounts: Iterable<string | null | undefined>;
  tags: Iterable<string | null | undefined>;
}

/** Tag values that name nothing (flags), left as they are. */
const HARMLESS = new Set(["true", "false", "yes", "no", "on", "off", "null", "none"]);
/** A word character, or a decimal point between digits: a value inside one is not a whole token. */
const BEFORE = "(?<![A-Za-z0-9_]|\\d\\.)";
const AFTER = "(?![A-Za-z0-9_]|\\.\\d)";
const PLACEHOLDER = /\b(?:ACCOUNT|TAG)_[0-9a-f]{8}\b/g;

export class Redactor {
  private readonly toPlaceholder = new Map<string, string>();
  private readonly toValue = new Map<string, string>();
  private readonly pattern: RegExp | undefined;

  constructor(values: SensitiveValues, key: Buffer) {
    const add = (kind: Sensitive, raw: string | null | undefined) => {
      const value = raw?.trim();
      if (!value || value.length < 2 || HARMLESS.has(value.toLowerCase())) return;
      if (this.toPlaceholder.has(value)) return;
      const placeholder = `${kind}_${createHmac("sha256", key).update(value).digest("hex").slice(0, 8)}`;
      this.toPlaceholder.set(value, placeholder);
      this.toValue.set(placeholder, value);
    };
    for (const v of values.accounts) add("ACCOUNT", v);
    for (const v of values.tags) add("TAG", v);
    // Longest first, so an account name containing a tag value is replaced whole.
    const alternatives = [...this.toPlaceholder.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
    this.pattern = alternatives.length
      ? new RegExp(`${BEFORE}(?:${alternatives.join("|")})${AFTER}`, "g")
      : undefined;
  }

  /** Values known: how many were found to hide. */
  get size(): number {
    return this.toPlaceholder.size;
  }

  redact(text: string): string {
    return this.pattern ? text.replace(this.pattern, (v) => this.toPlaceholder.get(v) ?? v) : text;
  }

  restore(text: string): string {
    return text.replace(PLACEHOLDER, (p) => this.toValue.get(p) ?? p);
  }

  /** Every string in a JSON-like value redacted (object keys are column names: kept). */
  redactValue<T>(value: T): T {
    return mapStrings(value, (s) => this.redact(s)) as T;
  }

  restoreValue<T>(value: T): T {
    return mapStrings(value, (s) => this.restore(s)) as T;
  }
}

/** The installation's redaction key: random, made once, kept beside the conversations. */
export function redactionKey(dataDir: string): Buffer {
  const file = path.join(dataDir, "assistant", "redaction.key");
  if (existsSync(file)) return Buffer.from(readFileSync(file, "utf8").trim(), "hex");
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString("hex")}\n`, { mode: 0o600 });
  return key;
}

/** Queries listing what to hide, each giving one column `value` (run on the warehouse or the read-only copy). */
export const SENSITIVE_QUERIES: Record<Sensitive, string[]> = {
  ACCOUNT: [
    `select distinct unnest([billing_account_id, sub_account_id, sub_account_name]) as value from marts.cost_daily`,
    `select distinct unnest([billing_account_id, sub_account_id]) as value from marts.resources`,
  ],
  TAG: [
    `select distinct tags ->> k as value from (select tags, unnest(json_keys(tags)) as k from marts.resources)`,
  ],
};

/** What to hide, from whichever tables exist (`all` runs one query and gives its rows). */
export async function collectSensitive(
  all: (sql: string) => Promise<{ value: unknown }[]>,
): Promise<SensitiveValues> {
  const found: Record<Sensitive, string[]> = { ACCOUNT: [], TAG: [] };
  for (const kind of ["ACCOUNT", "TAG"] as const) {
    for (const sql of SENSITIVE_QUERIES[kind]) {
      // A table not built yet holds nothing to hide; any other failure stops: nothing is sent half-redacted.
      const rows = await all(sql).catch((error: unknown) => {
        if (/does not exist/i.test(error instanceof Error ? error.message : String(error))) return [];
        throw error;
      });
      for (const { value } of rows) if (typeof value === "string") found[kind].push(value);
    }
  }
  return { accounts: found.ACCOUNT, tags: found.TAG };
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === "string") return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
