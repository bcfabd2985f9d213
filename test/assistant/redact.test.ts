/** Redaction: whole-token replacement by stable keyed placeholders, and the way back. */
import { existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { collectSensitive, Redactor, redactionKey } from "../../assistant/redact.ts";
import { tempDir } from "../helpers/tmp.ts";

const key = Buffer.alloc(32, 7);
const values = {
  accounts: [
    "648615268428",
    "acme-prod",
    "2b515093-76be-472d-ade7-29c368f7ddb0",
    "Acme Analytics Prod",
    null,
  ],
  tags: ["prod", "payments", "42", "true", "x", "CC-101"],
};

describe("Redactor", () => {
  const r = new Redactor(values, key);

  it("replaces every known value where it stands as a whole token, the longest first", () => {
    const text =
      "acme-prod (648615268428) runs /subscriptions/2b515093-76be-472d-ade7-29c368f7ddb0/rg/vm-1 " +
      "for team payments in prod; Acme Analytics Prod too; cost-center CC-101.";
    const out = r.redact(text);
    for (const v of ["648615268428", "acme-prod", "2b515093", "payments", "Acme Analytics Prod", "CC-101"]) {
      expect(out).not.toContain(v);
    }
    expect(out).toMatch(
      /^ACCOUNT_[0-9a-f]{8} \(ACCOUNT_[0-9a-f]{8}\) runs \/subscriptions\/ACCOUNT_[0-9a-f]{8}\/rg\/vm-1/,
    );
    // "acme-prod" is an account name, not the tag "prod" inside it.
    expect(out.match(/ACCOUNT_/g)).toHaveLength(4);
    expect(r.restore(out)).toBe(text);
  });

  it("leaves numbers, words containing a value, flags and one-letter values alone", () => {
    const text = "42.50 USD, 4211 hours, 0.42 share, production, prodigy, true, x";
    expect(r.redact(text)).toBe(text);
    expect(r.redact("owner 42")).toMatch(/^owner TAG_[0-9a-f]{8}$/);
  });

  it("gives the same value the same placeholder with the same key, another with another key", () => {
    const again = new Redactor(values, key);
    expect(again.redact("acme-prod")).toBe(r.redact("acme-prod"));
    const other = new Redactor(values, Buffer.alloc(32, 8));
    expect(other.redact("acme-prod")).not.toBe(r.redact("acme-prod"));
  });

  it("redacts every string in a JSON value, keeping its keys, and restores it", () => {
    const value = {
      sub_account_name: "acme-prod",
      rows: [["prod", 12.5, null]],
      nested: { tag: "payments" },
    };
    const hidden = r.redactValue(value);
    expect(Object.keys(hidden)).toEqual(["sub_account_name", "rows", "nested"]);
    expect(JSON.stringify(hidden)).not.toMatch(/acme-prod|"prod"|payments/);
    expect(hidden.rows[0]![1]).toBe(12.5);
    expect(r.restoreValue(hidden)).toEqual(value);
  });

  it("leaves a placeholder it does not know as it is", () => {
    expect(r.restore("ACCOUNT_00000000 and TAG_ffffffff")).toBe("ACCOUNT_00000000 and TAG_ffffffff");
  });
});

describe("the redaction key and the values to hide", () => {
  it("makes the key once and reads it back", () => {
    const dir = tempDir();
    const first = redactionKey(dir);
    expect(existsSync(path.join(dir, "assistant", "redaction.key"))).toBe(true);
    expect(redactionKey(dir).equals(first)).toBe(true);
    expect(first).toHaveLength(32);
  });

  it("skips tables that do not exist, and stops on any other failure", async () => {
    const found = await collectSensitive(async (sql) => {
      if (sql.includes("marts.resources"))
        throw new Error("Catalog Error: Table with name resources does not exist!");
      return [{ value: "acme-prod" }, { value: null }];
    });
    expect([...found.accounts]).toEqual(["acme-prod"]);
    await expect(
      collectSensitive(async () => {
        throw new Error("IO Error: disk on fire");
      }),
    ).rejects.toThrow(/disk on fire/);
  });
});
