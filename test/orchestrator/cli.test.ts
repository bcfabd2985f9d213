import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const cco = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [path.join(ROOT, "bin/cco.js"), ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    cwd: tempDir(),
  });

describe("cco CLI", () => {
  it("has --help on every command, exiting 0", () => {
    for (const command of [
      [],
      ["generate"],
      ["ingest"],
      ["models"],
      ["models", "build"],
      ["ml"],
      ["recommend"],
      ["report"],
      ["approvals"],
      ["actions"],
      ["run"],
      ["serve"],
      ["sql"],
      ["config"],
    ]) {
      const r = cco([...command, "--help"]);
      expect(r.status, command.join(" ")).toBe(0);
      expect(r.stdout).toMatch(/Usage: cco/);
    }
  });

  it("exits 2 on an unknown command or option, and for a stage not built yet", () => {
    expect(cco(["frobnicate"]).status).toBe(2);
    expect(cco(["generate", "--no-such-flag"]).status).toBe(2);
    const notBuilt = cco(["actions"]);
    expect(notBuilt.status).toBe(2);
    expect(notBuilt.stderr).toMatch(/not built yet/);
    expect(notBuilt.stdout).toBe("");
  });

  it("exits 2 naming the file and key of a bad config", () => {
    const dir = tempDir();
    execFileSync("bash", ["-c", `printf 'warehouse:\\n  threads: many\\n' > ${dir}/bad.yaml`]);
    const r = cco(["--config", `${dir}/bad.yaml`, "config"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml: warehouse\.threads/);
  });

  it("prints SQL results as an aligned table, JSON rows or CSV", () => {
    const wh = path.join(tempDir(), "w.duckdb");
    const q = "select 1 as n, 'a,b' as label, 12.50::decimal(10,2) as cost";
    const table = cco(["--warehouse", wh, "sql", q]);
    expect(table.status).toBe(0);
    expect(table.stdout.split("\n").slice(0, 3)).toEqual([
      "n  label   cost",
      "-  -----  -----",
      "1  a,b    12.50",
    ]);
    const json = cco(["--warehouse", wh, "--json", "sql", q]);
    expect(JSON.parse(json.stdout)).toEqual([{ n: 1, label: "a,b", cost: "12.50" }]);
    expect(cco(["--warehouse", wh, "sql", "--csv", q]).stdout).toBe('n,label,cost\n1,"a,b",12.50\n');
    const bad = cco(["--warehouse", wh, "sql", "select * from nowhere"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/nowhere/);
  });

  it("exits 2 naming the known sources for an unknown URI scheme", () => {
    const r = cco(["--warehouse", path.join(tempDir(), "w.duckdb"), "ingest", "ftp://billing/exports"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ftp:\/\/billing\/exports: unknown source; one of s3:\/\/<bucket>\/<prefix>/);
  });

  it("focus-check exits 1 on MUST failures, 2 when the relation is missing", () => {
    const sample = path.join(ROOT, "test/fixtures/billing-samples/focus/focus10_multicloud_sample_1000.csv");
    const failing = cco(["models", "focus-check", "--file", sample, "--focus-version", "1.0", "--json"]);
    expect(failing.status).toBe(1);
    expect(JSON.parse(failing.stdout)).toMatchObject({ relation: sample, mustFailures: 41 });
    const missing = cco(["--warehouse", path.join(tempDir(), "w.duckdb"), "models", "focus-check"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(
      /marts\.focus_costs does not exist \(the focus_costs mart is not built yet/,
    );
  });

  it("honours CCO_WAREHOUSE", () => {
    const wh = path.join(tempDir(), "env.duckdb");
    const r = cco(["--json", "config"], { CCO_WAREHOUSE: wh });
    expect(JSON.parse(r.stdout).warehouse.path).toBe(wh);
  });
});
