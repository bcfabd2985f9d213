import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { tempDir } from "../../../helpers/tmp.ts";
import { cco } from "../run-cli.ts";

const CUSTOM = `data_dir: my-data
warehouse:
  memory_limit: 2GB
  threads: 3
generate:
  end_date: 2026-06-30
recommend:
  idle_vm:
    lookback_days: 21
reports:
  title: Platform costs
allocation:
  dimensions:
    team: [team, owner]
  share_untagged: true
sources:
  s3:
    region: eu-west-1
    force_path_style: true
`;

describe("cco config", () => {
  it("prints the effective configuration with the file's keys, which loads back to the same", () => {
    const cwd = tempDir();
    writeFileSync(path.join(cwd, "cco.config.yaml"), CUSTOM);
    const printed = cco(["config"], { cwd });
    expect(printed.status).toBe(0);
    const file = parse(printed.stdout);
    expect(file).toMatchObject({
      data_dir: path.join(cwd, "my-data"),
      warehouse: { path: path.join(cwd, "my-data", "warehouse.duckdb"), memory_limit: "2GB", threads: 3 },
      generate: { seed: 42, end_date: "2026-06-30" },
      recommend: { idle_vm: { lookback_days: 21, cpu_p95_max_pct: 3, min_days_observed: 7 } },
      allocation: { dimensions: { team: ["team", "owner"] }, share_untagged: true },
      sources: { s3: { region: "eu-west-1", force_path_style: true } },
    });
    expect(printed.stdout).not.toMatch(/dataDir|memoryLimit|lookbackDays|shareUntagged|forcePathStyle/);

    // Written out and loaded back (from another folder, so nothing relative can help), it prints the same.
    const elsewhere = tempDir();
    writeFileSync(path.join(elsewhere, "copy.yaml"), printed.stdout);
    const again = cco(["--config", path.join(elsewhere, "copy.yaml"), "config"], { cwd: elsewhere });
    expect(again.status, again.stderr).toBe(0);
    expect(parse(again.stdout)).toEqual(file);

    // --json: the same keys, and loadable too (YAML reads JSON).
    const json = cco(["--json", "config"], { cwd });
    expect(JSON.parse(json.stdout)).toEqual(file);
    writeFileSync(path.join(elsewhere, "copy.json.yaml"), json.stdout);
    const fromJson = cco(["--json", "--config", path.join(elsewhere, "copy.json.yaml"), "config"], {
      cwd: elsewhere,
    });
    expect(JSON.parse(fromJson.stdout)).toEqual(file);
  });

  it("prints every default when there is no file", () => {
    const cwd = tempDir();
    const r = cco(["config"], { cwd });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^# Effective cco configuration \(from the defaults\)/);
    expect(parse(r.stdout)).toMatchObject({
      data_dir: path.join(cwd, "data"),
      warehouse: { memory_limit: "4GB", threads: 2 },
      generate: { seed: 42, resources: 300, days: 120, end_date: "2026-10-31" },
    });
  });
});
