/**
 * Any bytes, under every name the loader reads (CSV, gzip, ZIP, Parquet, JSON, NDJSON), either
 * load or are refused with a CcoError naming the file; never a bug, a hang, or a half-landed load.
 * Byte strings are drawn raw and also wrapped the way each name promises (gzip'd, zipped, a
 * Parquet magic around them), so the readers behind the first check get fuzzed too.
 */
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, it } from "vitest";
import { FUZZ_TIMEOUT, runs, seed, Tally } from "./harness.ts";
import { type IngestHarness, ingestHarness } from "./ingest-harness.ts";

let harness: IngestHarness;
beforeAll(async () => {
  harness = await ingestHarness();
});
afterAll(() => harness.close());

const NAMES = [
  "export.csv",
  "export.csv.gz",
  "export.csv.zip",
  "export.parquet",
  "export.json",
  "export.ndjson",
];

/** Raw bytes, or text that looks a little like an export (commas, quotes, braces, line ends). */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc
    .array(
      fc.constantFrom("a", "1", ",", '"', "\n", "\r\n", "{", "}", "[", "]", ":", "\u0000", "\uFEFF", "é"),
      {
        maxLength: 400,
      },
    )
    .map((parts) => new TextEncoder().encode(parts.join(""))),
);

/** The bytes as the name promises them: gzip'd, zipped (one member, any name), or between Parquet magics. */
function wrap(name: string, bytes: Uint8Array, member: string): Uint8Array {
  if (name.endsWith(".gz")) return gzipSync(bytes);
  if (name.endsWith(".zip")) return zipSync({ [member]: bytes });
  if (name.endsWith(".parquet")) return Buffer.concat([Buffer.from("PAR1"), bytes, Buffer.from("PAR1")]);
  return bytes;
}

describe("ingest of arbitrary bytes", () => {
  it(
    "loads or refuses clearly, under every name, raw or wrapped",
    async () => {
      const tally = new Tally("ingest-bytes");
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...NAMES),
          body,
          fc.boolean(),
          fc.constantFrom("a.csv", "../../escape.csv", "/abs/x.csv", "x.txt"),
          async (name, bytes, wrapped, member) => {
            const outcome = await harness.attempt({ [name]: wrapped ? wrap(name, bytes, member) : bytes });
            tally.add(`${name} ${outcome}`);
          },
        ),
        { numRuns: runs(120), ...seed() },
      );
      tally.report();
    },
    FUZZ_TIMEOUT,
  );
});
