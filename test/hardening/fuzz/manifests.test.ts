/**
 * Export manifests (legacy CUR, CUR 2.0, Azure partitioned exports), fuzzed where the loader
 * reads them: any JSON (or non-JSON) in a manifest's place, and near-valid manifests whose lists
 * hold odd entries (nulls, numbers, objects, `../` and absolute keys, NULs). Each folder either
 * loads or is refused with a CcoError naming a file, and nothing half-lands.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, it } from "vitest";
import { FIXTURES } from "../../helpers/tmp.ts";
import { FUZZ_TIMEOUT, runs, seed, Tally } from "./harness.ts";
import { type IngestHarness, ingestHarness } from "./ingest-harness.ts";

let harness: IngestHarness;
beforeAll(async () => {
  harness = await ingestHarness();
});
afterAll(() => harness.close());

const CUR = readFileSync(path.join(FIXTURES, "aws/cur_legacy_notfinal_koku_2023-06.csv"));
const CUR2 = readFileSync(path.join(FIXTURES, "aws/cur2_fivetran_dbt_seed.csv"));
const AZURE = readFileSync(path.join(FIXTURES, "azure/ea_actualcost_small_ftk.csv"));

/** An entry a list in a manifest might hold: the right key, or something else. */
const entry = (valid: string) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant(valid) },
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      "../../../../etc/passwd",
      "/etc/passwd",
      "a/../../b.csv",
      "",
      "/",
      "x\u0000y.csv",
      "s3://bucket/x/data/BILLING_PERIOD=2023-06/../../../../../../x.csv",
      "C:\\Windows\\win.ini",
    ),
    fc.jsonValue({ maxDepth: 2 }),
  );

/** A list, sometimes not a list at all. */
const list = (valid: string) =>
  fc.oneof({ weight: 4, arbitrary: fc.array(entry(valid), { maxLength: 4 }) }, fc.jsonValue({ maxDepth: 2 }));

const deep = (depth: number) => `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;

/** A manifest's text: near-valid for its layout, any JSON, a deeply nested document, or not JSON. */
const manifestText = (doc: fc.Arbitrary<Record<string, unknown>>) =>
  fc.oneof(
    { weight: 6, arbitrary: doc.map((d) => JSON.stringify(d)) },
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null"),
    fc.constantFrom("null", "[]", "0", '"x"', "{", "", "\uFEFF{}", deep(5000), `[${"[".repeat(100000)}`),
    fc.string({ maxLength: 200 }),
  );

interface Layout {
  name: string;
  /** The manifest's text (all a counterexample shows). */
  manifest: fc.Arbitrary<string>;
  /** The folder: the manifest and the data files beside it. */
  files(manifest: string): Record<string, string | Uint8Array>;
}

const LAYOUTS: Layout[] = [
  {
    name: "legacy CUR",
    manifest: manifestText(
      fc.record(
        { reportKeys: list("prefix/acme/20230601-20230701/asm-1/acme-1.csv"), billingPeriod: fc.jsonValue() },
        { requiredKeys: ["reportKeys"] },
      ),
    ),
    files: (text) => ({
      "acme/20230601-20230701/acme-Manifest.json": text,
      "acme/20230601-20230701/asm-1/acme-1.csv": CUR,
      "acme/20230601-20230701/asm-0/acme-1.csv": CUR,
    }),
  },
  {
    name: "legacy CUR copy in its assembly",
    manifest: manifestText(fc.record({ reportKeys: list("prefix/acme/20230601-20230701/asm-1/acme-1.csv") })),
    files: (text) => ({
      "acme/20230601-20230701/asm-1/acme-Manifest.json": text,
      "acme/20230601-20230701/asm-1/acme-1.csv": CUR,
    }),
  },
  {
    name: "CUR 2.0",
    manifest: manifestText(
      fc.record({ dataFiles: list("s3://b/p/exp/data/BILLING_PERIOD=2024-01/exp-00001.csv") }),
    ),
    files: (text) => ({
      "exp/metadata/BILLING_PERIOD=2024-01/exp-Manifest.json": text,
      "exp/data/BILLING_PERIOD=2024-01/exp-00001.csv": CUR2,
    }),
  },
  {
    name: "Azure",
    manifest: manifestText(
      fc.record(
        {
          blobs: fc.oneof(
            {
              weight: 4,
              arbitrary: fc.array(
                fc.oneof(
                  fc.record({ blobName: entry("e/r/run/part_0_0001.csv") }),
                  fc.jsonValue({ maxDepth: 1 }),
                ),
                { maxLength: 3 },
              ),
            },
            fc.jsonValue({ maxDepth: 2 }),
          ),
          exportConfig: fc.oneof(
            fc.record({
              type: fc.oneof(
                fc.constantFrom("ActualCost", "AmortizedCost", "FocusCost", "Usage", "ReservationDetails"),
                fc.jsonValue(),
              ),
            }),
            fc.jsonValue({ maxDepth: 1 }),
          ),
        },
        { requiredKeys: ["blobs"] },
      ),
    ),
    files: (text) => ({
      "e/20240101-20240131/run/manifest.json": text,
      "e/20240101-20240131/run/part_0_0001.csv": AZURE,
    }),
  },
];

describe("export manifests", () => {
  for (const layout of LAYOUTS) {
    it(
      `${layout.name}: a folder with any manifest loads or is refused clearly`,
      async () => {
        const tally = new Tally(`manifests ${layout.name}`);
        await fc.assert(
          fc.asyncProperty(layout.manifest, async (text) => {
            tally.add(await harness.attempt(layout.files(text)));
          }),
          { numRuns: runs(40), ...seed() },
        );
        tally.report();
      },
      FUZZ_TIMEOUT,
    );
  }
});
