/**
 * What the fuzz tests found, pinned as plain cases (each was a crash, a bug's TypeError, or an
 * unreadable message before its fix): DuckDB killed by deeply nested JSON (SIGSEGV), manifests
 * whose lists hold nulls or one-segment keys, a URI a source matched but no URL parser accepts,
 * and messages quoting a whole huge field or a terminal escape.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../core/config.ts";
import { ConfigError, InputError, UsageError } from "../../../core/errors.ts";
import { loadProject } from "../../../core/dbt/project.ts";
import { resolveTargets } from "../../../ingest/providers.ts";
import { FIXTURES, quiet, tempDir } from "../../helpers/tmp.ts";
import { type IngestHarness, ingestHarness } from "./ingest-harness.ts";

let harness: IngestHarness;
beforeAll(async () => {
  harness = await ingestHarness();
});
afterAll(() => harness.close());

/** Ingest one folder in the harness's warehouse; the refusal (checked clear and clean by the harness). */
async function refusal(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = tempDir();
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), bytes);
  }
  expect(await harness.attempt(files)).toBe("rejected");
  const { ingestPaths } = await import("../../../ingest/load.ts");
  const error = await ingestPaths(harness.warehouse, [dir], { lakeDir: harness.lakeDir }, quiet).catch(
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(InputError);
  return (error as Error).message.replace(`${dir}${path.sep}`, "");
}

describe("found by fuzzing", () => {
  it("JSON nested tens of thousands deep is refused before DuckDB reads it (it crashed the process)", async () => {
    const depth = 60_000;
    const deep = `${"[".repeat(depth)}1${"]".repeat(depth)}`;
    expect(await refusal({ "export.json": `[{"cost": ${deep}}]` })).toBe(
      "export.json: nested more than 1000 levels deep: not a billing export",
    );
    expect(await refusal({ "export.ndjson": `{"cost": 1}\n{"cost": ${deep}}\n` })).toBe(
      "export.ndjson: nested more than 1000 levels deep: not a billing export",
    );
    // Brackets inside strings are text, not nesting: a real export with them loads.
    const gcp = readFileSync(path.join(FIXTURES, "gcp/legacy_file_export_json_2014-01-02.json"), "utf8");
    const quoted = gcp.replace('"lineItemId" : "', `"lineItemId" : "${"[{".repeat(2000)}`);
    expect(await harness.attempt({ "gcp.json": quoted })).toBe("loaded");
  });

  it.each([
    ["acme-Manifest.json", "null", "not an export manifest: expected a JSON object"],
    ["acme-Manifest.json", '{"reportKeys": [null]}', "reportKeys[0] is not a file name: null"],
    [
      "acme-Manifest.json",
      '{"reportKeys": ["acme-1.csv"]}',
      "manifest lists 1 file that is not there: acme-1.csv",
    ],
    [
      "manifest.json",
      '{"blobs": [null], "exportConfig": {"type": "ActualCost"}}',
      "blobs[0] is not a file name: null",
    ],
    [
      "manifest.json",
      '{"blobs": [{"blobName": "x/.."}], "exportConfig": {"type": "ActualCost"}}',
      'lists "x/..", which is outside its export folder',
    ],
  ])("a manifest %s holding %s is refused naming it", async (name, text, message) => {
    const found = await refusal({ [name]: text, "part-1.csv": "a,b\n1,2\n" });
    expect(found).toBe(`${name}: ${message}`);
  });

  it("a value or a header name is quoted cut short and with control characters escaped", async () => {
    const huge = "9".repeat(1_000_000);
    const hugeHeader = `${huge},a\n1,2\n`;
    const message = await refusal({ "export.csv": hugeHeader });
    expect(message.length).toBeLessThan(400);
    expect(message).toMatch(/^export\.csv: not a recognised export \(columns seen: 9{40}…/);
    const csv = readFileSync(
      path.join(FIXTURES, "focus/focus13_multi_provider_fdt_consolidated.csv"),
      "utf8",
    );
    const lines = csv.split("\n");
    lines[1] = lines[1]!.replace(/,USD,/, ',"US\u001b[2J",');
    expect(await refusal({ "focus.csv": lines.join("\n") })).toMatch(
      /\(row 2, column BillingCurrency\): unknown currency code "US\\x1b\[2J"/,
    );
  });

  it("a target a source matches but no URL parser reads is a usage error, not a TypeError", async () => {
    const cwd = tempDir();
    const config = loadConfig({ cwd, env: {} });
    const error = await resolveTargets(["s3:// !"], { cacheDir: cwd, config, progress: quiet }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe("s3:// !: not a valid URI");
  });

  it("a model's properties file of the wrong shape or not YAML is refused naming the file and key (TypeErrors before)", () => {
    const root = tempDir();
    mkdirSync(path.join(root, "models"), { recursive: true });
    writeFileSync(path.join(root, "dbt_project.yml"), "name: p\nprofile: p\n");
    writeFileSync(path.join(root, "models", "a.sql"), "select 1 as x");
    const load = (yaml: string) => {
      writeFileSync(path.join(root, "models", "a.yml"), yaml);
      try {
        loadProject(root, { env: {} });
        return "loaded";
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message.replace(`${root}${path.sep}`, "");
      }
    };
    expect(load("models: {}")).toMatch(/models\/a\.yml.*models.*expected a list/);
    expect(load("models:\n  - name: a\n    columns: [null]")).toMatch(
      /a\.yml.*columns\[0\].*expected a mapping/,
    );
    expect(load("models:\n  - name: a\n    columns:\n      - name: x\n        data_tests: [null]")).toMatch(
      /a\.yml.*x.*expected a test name/,
    );
    expect(load("%")).toMatch(/a\.yml.*not valid YAML/);
    expect(load("models:\n  - name: b")).toMatch(/a\.yml.*b.*no such model file/);
    expect(load("models:\n  - name: a\n    config: x")).toMatch(/a\.yml.*a\.config.*expected a mapping/);
    expect(load("models:\n  - name: a\n    columns:\n      - name: x\n        data_tests: [unique]")).toBe(
      "loaded",
    );
  });
});
