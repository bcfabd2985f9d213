import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml, stringify } from "yaml";
import { isCalendarDate, loadConfig, toFileConfig } from "../../core/config.ts";
import { ConfigError } from "../../core/errors.ts";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { recommendSchema } from "../../core/recommend-settings.ts";
import { tempDir } from "../helpers/tmp.ts";

function withFile(text: string): string {
  const dir = tempDir();
  const file = path.join(dir, "cco.config.yaml");
  writeFileSync(file, text);
  return dir;
}

describe("config", () => {
  it("works with no file: every value defaulted", () => {
    const config = loadConfig({ cwd: tempDir(), env: {} });
    expect(config.source).toBe("(defaults)");
    expect(config.warehouse).toMatchObject({ memoryLimit: "4GB", threads: 2 });
    expect(config.warehouse.path.endsWith(path.join("data", "warehouse.duckdb"))).toBe(true);
    expect(config.generate).toEqual({ seed: 42, resources: 300, days: 120, endDate: "2026-10-31" });
  });

  it("names the file and key of an unknown key", () => {
    const cwd = withFile("warehouse:\n  treads: 4\n");
    expect(() => loadConfig({ cwd, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/cco\.config\.yaml: warehouse\.treads: unknown key/);
  });

  it("names the file and key of a bad value", () => {
    const cwd = withFile("warehouse:\n  memory_limit: lots\n");
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      /cco\.config\.yaml: warehouse\.memory_limit: expected a size/,
    );
    const cwd2 = withFile("generate:\n  resources: -3\n");
    expect(() => loadConfig({ cwd: cwd2, env: {} })).toThrow(/generate\.resources/);
  });

  it("reports YAML syntax errors with the line", () => {
    const cwd = withFile("warehouse:\n  threads: [1,\n");
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/cco\.config\.yaml: line \d+/);
  });

  it("substitutes ${VAR} from the environment after validation, and names a missing one", () => {
    const cwd = withFile("reports:\n  title: ${TEAM_NAME} costs\n");
    expect(loadConfig({ cwd, env: { TEAM_NAME: "Platform" } }).reports.title).toBe("Platform costs");
    expect(() => loadConfig({ cwd, env: {} })).toThrow(
      /reports\.title: environment variable TEAM_NAME is not set/,
    );
  });

  it("lets --warehouse beat CCO_WAREHOUSE beat the file, and likewise for the data dir", () => {
    const cwd = withFile("data_dir: from-file\nwarehouse:\n  path: file.duckdb\n");
    expect(loadConfig({ cwd, env: {} }).warehouse.path).toBe(path.join(cwd, "file.duckdb"));
    expect(loadConfig({ cwd, env: { CCO_WAREHOUSE: "/x/env.duckdb" } }).warehouse.path).toBe("/x/env.duckdb");
    expect(
      loadConfig({ cwd, env: { CCO_WAREHOUSE: "/x/env.duckdb" }, warehouse: "/x/flag.duckdb" }).warehouse
        .path,
    ).toBe("/x/flag.duckdb");
    expect(loadConfig({ cwd, env: {} }).dataDir).toBe(path.join(cwd, "from-file"));
    expect(loadConfig({ cwd, env: { CCO_DATA_DIR: "/d/env" } }).dataDir).toBe("/d/env");
    expect(loadConfig({ cwd, env: { CCO_DATA_DIR: "/d/env" }, dataDir: "/d/flag" }).paths.lake).toBe(
      "/d/flag/lake",
    );
  });

  it("fails when an explicitly named config file does not exist", () => {
    expect(() => loadConfig({ cwd: tempDir(), env: {}, configFile: "missing.yaml" })).toThrow(
      /missing\.yaml: config file not found/,
    );
    const dir = tempDir();
    expect(() => loadConfig({ cwd: dir, env: {}, configFile: "." })).toThrow(
      new ConfigError(dir, "", "a folder, not a config file"),
    );
  });

  it("rejects a generate.end_date that is not a calendar day, naming the file and key", () => {
    for (const date of ["2026-13-45", "2026-02-30", "2026-00-10", "2026-1-5", "31/10/2026"]) {
      const cwd = withFile(`generate:\n  end_date: ${date}\n`);
      expect(() => loadConfig({ cwd, env: {} }), date).toThrow(ConfigError);
      expect(() => loadConfig({ cwd, env: {} }), date).toThrow(
        `${path.join(cwd, "cco.config.yaml")}: generate.end_date: ${date} is not a date (expected YYYY-MM-DD)`,
      );
    }
    expect(
      loadConfig({ cwd: withFile("generate:\n  end_date: 2028-02-29\n"), env: {} }).generate.endDate,
    ).toBe("2028-02-29");
    expect([
      isCalendarDate("2027-02-29"),
      isCalendarDate("2028-02-29"),
      isCalendarDate("2026-12-31"),
    ]).toEqual([false, true, true]);
  });

  it("spells the effective config as the file does, and that file loads back to the same config", () => {
    const cwd = withFile(
      [
        "data_dir: elsewhere",
        "warehouse:",
        "  memory_limit: 512MiB",
        "  threads: 4",
        "generate:",
        "  seed: 7",
        "  end_date: 2026-03-31",
        "recommend:",
        "  idle_vm:",
        "    lookback_days: 30",
        "    network_mib_per_day_max: 10",
        "reports:",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
        "  title: ${TEAM} costs",
        "allocation:",
        "  dimensions:",
        "    team: [team, owner]",
        "    product: [product]",
        "  share_untagged: true",
        "sources:",
        "  s3:",
        "    endpoint: http://127.0.0.1:9000",
        "    force_path_style: true",
        "  bigquery:",
        "    project: billing-prj",
        "",
      ].join("\n"),
    );
    const config = loadConfig({ cwd, env: { TEAM: "Platform" } });
    const file = toFileConfig(config);
    expect(file).toMatchObject({
      data_dir: path.join(cwd, "elsewhere"),
      warehouse: {
        path: path.join(cwd, "elsewhere", "warehouse.duckdb"),
        memory_limit: "512MiB",
        threads: 4,
      },
      recommend: { idle_vm: { lookback_days: 30, network_mib_per_day_max: 10, cpu_p95_max_pct: 3 } },
      reports: { title: "Platform costs" },
      allocation: { dimensions: { team: ["team", "owner"], product: ["product"] }, share_untagged: true },
      sources: {
        s3: { endpoint: "http://127.0.0.1:9000", force_path_style: true },
        bigquery: { project: "billing-prj" },
      },
    });
    // Loaded back from another folder, with no environment: every value is already in the file.
    const again = loadConfig({ cwd: withFile(stringify(file)), env: {} });
    const { source: _a, root: _b, ...expected } = config;
    const { source: _c, root: _d, ...actual } = again;
    expect(actual).toEqual(expected);
    expect(toFileConfig(again)).toEqual(file);
  });
});

describe("the recommend defaults", () => {
  it("in dbt_project.yml equal the config's (what the detector models read without cco)", () => {
    const project = parseYaml(readFileSync(path.join(PROJECT_ROOT, "dbt_project.yml"), "utf8")) as {
      vars: { recommend: unknown };
    };
    const { priority: _p, risk: _r, ...detectors } = recommendSchema.parse({});
    expect(project.vars.recommend).toEqual(detectors);
  });
});

describe("docs/configuration.md", () => {
  it("shows a file that loads, with its values (the example is not a sketch)", () => {
    const text = readFileSync(path.join(PROJECT_ROOT, "docs", "configuration.md"), "utf8");
    const example = /```yaml\n([\s\S]*?)```/.exec(text)![1]!;
    const config = loadConfig({
      cwd: withFile(example),
      env: { SLACK_WEBHOOK_URL: "https://hooks.example/x", CCO_JWT_SECRET: "s".repeat(40) },
    });
    expect(config.service.jwt_secret).toBe("s".repeat(40));
    expect(config.pipeline.retry).toEqual({ attempts: 3, base_delay_ms: 2000 });
    expect(config.actions.mode).toBe("dry_run");
    expect(config.approvals.rules[0]).toEqual({ risk_levels: ["high"], approvers: 2 });
    expect(config.notifications.channels[0]).toMatchObject({ type: "slack", url: "https://hooks.example/x" });
    expect(config.reports.budgets).toEqual([{ scope: "total", currency: "USD", monthly: 40000 }]);
  });
});
