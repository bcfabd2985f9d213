import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.ts";
import { ConfigError } from "../../core/errors.ts";
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
  });
});
