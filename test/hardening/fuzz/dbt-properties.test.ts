/**
 * The dbt project reader's YAML properties files (models/…/*.yml: sources, models, columns and
 * their tests), fuzzed: a project whose properties file holds any YAML loads, or is refused with
 * a ConfigError naming the file. The project's own files are trusted; a user's added model is not.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, it } from "vitest";
import { stringify } from "yaml";
import { loadProject } from "../../../core/dbt/project.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { expectClearRefusal, FUZZ_TIMEOUT, runs, seed, Tally } from "./harness.ts";

const root = tempDir("cco-fuzz-");
let n = 0;

/** A project of one model and one properties file holding `yaml`. */
function project(yaml: string): string {
  const dir = path.join(root, String(n++));
  mkdirSync(path.join(dir, "models"), { recursive: true });
  writeFileSync(path.join(dir, "dbt_project.yml"), "name: fuzz\nprofile: fuzz\n");
  writeFileSync(
    path.join(dir, "profiles.yml"),
    "fuzz:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ':memory:'\n      schema: main\n",
  );
  writeFileSync(path.join(dir, "models", "a.sql"), "select 1 as x");
  writeFileSync(path.join(dir, "models", "a.yml"), yaml);
  return dir;
}

const column = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record(
      {
        name: fc.constantFrom("x", "y"),
        data_tests: fc.array(
          fc.oneof(fc.constantFrom("unique", "not_null", "nope"), fc.jsonValue({ maxDepth: 2 })),
          { maxLength: 2 },
        ),
      },
      { requiredKeys: ["name"] },
    ),
  },
  fc.jsonValue({ maxDepth: 2 }),
);

const doc = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        version: fc.constant(2),
        models: fc.oneof(
          fc.array(
            fc.oneof(
              fc.record(
                {
                  name: fc.constantFrom("a", "b"),
                  columns: fc.array(column, { maxLength: 3 }),
                  config: fc.jsonValue({ maxDepth: 2 }),
                },
                { requiredKeys: ["name"] },
              ),
              fc.jsonValue({ maxDepth: 1 }),
            ),
            { maxLength: 2 },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        sources: fc.oneof(
          fc.array(
            fc.record({
              name: fc.string({ maxLength: 5 }),
              tables: fc.array(
                fc.oneof(
                  fc.record({
                    name: fc.string({ maxLength: 5 }),
                    columns: fc.array(column, { maxLength: 2 }),
                  }),
                  fc.jsonValue({ maxDepth: 1 }),
                ),
                { maxLength: 2 },
              ),
            }),
            { maxLength: 2 },
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
      },
      { requiredKeys: [] },
    ),
  },
  fc.jsonValue({ maxDepth: 3 }),
);

describe("dbt YAML properties", () => {
  it(
    "a properties file of any YAML loads or is refused naming the file",
    () => {
      const tally = new Tally("dbt-properties");
      fc.assert(
        fc.property(
          fc.oneof({ weight: 4, arbitrary: doc.map((d) => stringify(d)) }, fc.string({ maxLength: 200 })),
          (yaml) => {
            const dir = project(yaml);
            try {
              loadProject(dir, { env: {} });
              tally.add("loaded");
            } catch (error) {
              expectClearRefusal(error, "a.yml");
              tally.add("rejected");
            }
          },
        ),
        { numRuns: runs(200), ...seed() },
      );
      tally.report();
    },
    FUZZ_TIMEOUT,
  );
});
