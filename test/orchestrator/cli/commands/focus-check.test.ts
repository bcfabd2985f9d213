import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../../helpers/tmp.ts";
import { cco, ROOT } from "../run-cli.ts";

const SAMPLE = path.join(ROOT, "test/fixtures/billing-samples/focus/focus10_multicloud_sample_1000.csv");

describe("cco models focus-check", () => {
  it("exits 1 on MUST failures, 2 when the relation is missing", () => {
    const failing = cco(["models", "focus-check", "--file", SAMPLE, "--focus-version", "1.0", "--json"]);
    expect(failing.status).toBe(1);
    expect(JSON.parse(failing.stdout)).toMatchObject({
      relation: SAMPLE,
      rowsChecked: 1000,
      mustFailures: 41,
    });
    const missing = cco(["--warehouse", path.join(tempDir(), "w.duckdb"), "models", "focus-check"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(
      /marts\.focus_costs does not exist \(the focus_costs mart is not built yet/,
    );
  });

  it("says no rule was checked on a relation without rows, and exits 1 unless --allow-empty", () => {
    const wh = path.join(tempDir(), "w.duckdb");
    const made = cco([
      "--warehouse",
      wh,
      "sql",
      "--write",
      `create table main.empty_focus as select * from read_csv('${SAMPLE}') limit 0`,
    ]);
    expect(made.status, made.stderr).toBe(0);
    const check = (...args: string[]) =>
      cco(["--warehouse", wh, ...args, "models", "focus-check", "--relation", "main.empty_focus"]);
    const empty = check();
    expect(empty.status).toBe(1);
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toBe(
      "cco: main.empty_focus has no rows: no FOCUS rule was checked against data (--allow-empty accepts an empty dataset)\n",
    );
    const allowed = cco([
      "--warehouse",
      wh,
      "models",
      "focus-check",
      "--relation",
      "main.empty_focus",
      "--allow-empty",
    ]);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toBe("main.empty_focus: no rows, so no rule was checked (--allow-empty)\n");
    expect(allowed.stdout).not.toMatch(/passed/);
    const json = cco([
      "--warehouse",
      wh,
      "--json",
      "models",
      "focus-check",
      "--relation",
      "main.empty_focus",
      "--allow-empty",
    ]);
    expect(JSON.parse(json.stdout)).toEqual({
      relation: "main.empty_focus",
      version: "1.2",
      rowsChecked: 0,
      rules: [],
    });
  });

  it("says the same of a file with a header and no rows", () => {
    const file = path.join(tempDir(), "empty.csv");
    writeFileSync(file, `${readFileSync(SAMPLE, "utf8").split("\n")[0]}\n`);
    const r = cco(["models", "focus-check", "--file", file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/empty\.csv has no rows: no FOCUS rule was checked/);
    expect(r.stdout).toBe("");
  });
});
