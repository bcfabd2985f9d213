/**
 * The config loader (cco.config.yaml), fuzzed: any text; YAML documents with any values under the
 * real keys; and what breaks YAML readers (alias bombs, deep nesting, tabs, duplicate keys, tags,
 * ${VAR} references, binary). It loads or refuses with a ConfigError naming the file, never a bug.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { describe, it } from "vitest";
import { stringify } from "yaml";
import { loadConfig } from "../../../core/config.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { expectClearRefusal, FUZZ_TIMEOUT, runs, seed, Tally } from "./harness.ts";

const dir = tempDir("cco-fuzz-");
let n = 0;

function loadOrRefuse(text: string | Uint8Array, tally: Tally): void {
  const file = path.join(dir, `config-${n++}.yaml`);
  writeFileSync(file, text);
  try {
    loadConfig({ configFile: file, cwd: dir, env: { TEAM: "platform" } });
    tally.add("loaded");
  } catch (error) {
    expectClearRefusal(error, file);
    tally.add("rejected");
  }
}

/** The config's sections and a few of their keys, where wrong values matter most. */
const KEYS = {
  data_dir: null,
  warehouse: ["path", "memory_limit", "threads", "temp_directory"],
  generate: ["seed", "resources", "days", "end_date"],
  recommend: ["idle", "rightsizing", "priority", "risk"],
  ml: ["forecast", "anomalies"],
  approvals: ["expire_after_days", "rules"],
  actions: ["mode", "schedule", "adapters", "kinds"],
  notifications: ["channels", "attempts", "timeout_ms"],
  pipeline: ["stages", "retries"],
  service: ["port", "jwt_secret"],
  assistant: ["model", "max_steps", "api_key_env"],
  reports: ["title", "budgets"],
  allocation: ["dimensions", "share_untagged"],
  sources: ["s3", "bigquery", "azure"],
} as const;

const section = fc.constantFrom(...Object.keys(KEYS)) as fc.Arbitrary<keyof typeof KEYS>;

/** A YAML document with any JSON values placed under real sections and keys. */
const nearValid = fc
  .array(fc.tuple(section, fc.nat(), fc.jsonValue({ maxDepth: 3 })), { maxLength: 4 })
  .map((entries) => {
    const doc: Record<string, unknown> = {};
    for (const [name, i, value] of entries) {
      const keys = KEYS[name];
      if (keys === null) doc[name] = value;
      else doc[name] = { ...(doc[name] as object), [keys[i % keys.length]!]: value };
    }
    return stringify(doc);
  });

const bomb = `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
reports: {title: *g}
`;

const hostile = fc.constantFrom(
  bomb,
  `reports:\n  title: ${"[".repeat(5000)}`,
  `${"a:\n ".repeat(2000)}x`,
  "warehouse:\n\tthreads: 2\n",
  "warehouse:\n  threads: 2\nwarehouse:\n  threads: 3\n",
  "warehouse: !!binary aGVsbG8=\n",
  "warehouse: !custom {threads: 2}\n",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
  "reports:\n  title: ${NOT_SET}\n",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
  "reports:\n  title: ${TEAM}\n",
  "<<: {warehouse: {threads: 2}}\n",
  "--- \n...\n---\nreports: {}\n",
  "\uFEFFreports: {title: x}\n",
  "reports: {title: \u0000}\n",
  "? [a, b]\n: c\n",
  "generate:\n  seed: 1e999\n",
  "generate:\n  end_date: 2026-02-30\n",
  "__proto__: {polluted: true}\nconstructor: {prototype: {x: 1}}\n",
  "",
  "null",
  "[]",
  "42",
);

describe("config loader", () => {
  it(
    "loads any text or refuses it naming the file",
    () => {
      const tally = new Tally("config");
      fc.assert(
        fc.property(
          fc.oneof(
            { weight: 3, arbitrary: nearValid },
            hostile,
            fc.string({ maxLength: 300 }),
            fc.uint8Array({ maxLength: 300 }),
            fc
              .array(
                fc.constantFrom(
                  "a",
                  ":",
                  " ",
                  "\n",
                  "-",
                  "[",
                  "]",
                  "{",
                  "}",
                  "&x",
                  "*x",
                  "!!",
                  "'",
                  '"',
                  "#",
                  "|",
                ),
                {
                  maxLength: 100,
                },
              )
              .map((parts) => parts.join("")),
          ),
          (text) => loadOrRefuse(text, tally),
        ),
        { numRuns: runs(300), ...seed() },
      );
      tally.report();
    },
    FUZZ_TIMEOUT,
  );
});
