/**
 * Near-valid files: a real sample of every provider format, mutated the ways exports really break
 * (truncated, bytes flipped, another delimiter, a huge field, invalid UTF-8, BOMs, NULs, other line
 * ends, a stray quote, lines lost or doubled, deeply nested or overflowing JSON), then compressed
 * again as the name says. Each either loads or is refused clearly, and a refusal leaves the
 * warehouse and the lake as they were (ingest-harness.ts).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lit } from "../../../core/sql.ts";
import { FIXTURES, tempDir } from "../../helpers/tmp.ts";
import { FUZZ_TIMEOUT, runs, seed, Tally } from "./harness.ts";
import { type IngestHarness, ingestHarness } from "./ingest-harness.ts";

let harness: IngestHarness;

interface Sample {
  /** The file name it is written under (its extension decides how it is read). */
  name: string;
  /** The content as text or rows, before compression. */
  plain: Uint8Array;
}

const fixture = (file: string) => readFileSync(path.join(FIXTURES, file));

const METRICS = `timestamp,provider,resource_id,source,cpu_avg_pct,cpu_max_pct,memory_avg_pct,memory_max_pct,network_in_bytes,network_out_bytes,disk_read_bytes,disk_write_bytes
2026-10-01T00:00:00Z,aws,i-0abc,file,5,9,,,10,10,0,0
2026-10-01T01:00:00Z,aws,i-0abc,file,6,11.5,40,42,10,10,0,0
2026-10-01T00:00:00Z,azure,/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/vm1,file,1,2,,,0,0,0,0
`;

const INVENTORY = `snapshot_time,provider,account_id,region,resource_id,resource_type,state,attached_to,size_gb,created_at,source_id,tags
2026-10-05T00:00:00Z,aws,123456789012,us-east-1,vol-0abc,disk,available,,100,2026-01-01T00:00:00Z,,"{""team"":""a""}"
2026-10-05T00:00:00Z,aws,123456789012,us-east-1,i-0abc,vm,running,,,2026-01-01T00:00:00Z,,{}
`;

const samples: Sample[] = [];

beforeAll(async () => {
  harness = await ingestHarness();
  const scratch = tempDir("cco-fuzz-");
  const w = harness.warehouse;
  // An NDJSON BigQuery extract and a CUR 2.0 Parquet file, made from the CSV/JSON samples.
  const ndjson = path.join(scratch, "gcp.ndjson");
  await w.run(
    `copy (select * from read_json(${lit(path.join(FIXTURES, "gcp/bq_json_concat_pso_cuds_test_9_3_export.json"))}, format = 'unstructured')) to ${lit(ndjson)} (format json)`,
  );
  const toParquet = async (csv: string, name: string) => {
    const file = path.join(scratch, name);
    await w.run(
      `copy (select * from read_csv(${lit(path.join(FIXTURES, csv))}, all_varchar = true)) to ${lit(file)} (format parquet)`,
    );
    return readFileSync(file);
  };
  const cur2 = await toParquet("aws/cur2_fivetran_dbt_seed.csv", "cur2.parquet");
  const focus = await toParquet("focus/focus13_multi_provider_fdt_consolidated.csv", "focus.parquet");
  samples.push(
    { name: "cur2-00001.csv", plain: fixture("aws/cur2_fivetran_dbt_seed.csv") },
    {
      name: "MockTestReportV2-00001.csv.gz",
      plain: gunzipSync(fixture("aws/cur2_keboola_MockTestReportV2-00001.csv.gz")),
    },
    { name: "cur2-00001.parquet", plain: cur2 },
    { name: "cur-legacy.csv", plain: fixture("aws/cur_legacy_notfinal_koku_2023-06.csv") },
    {
      name: "MockTestReport-00001.csv.zip",
      plain: Object.values(unzipSync(fixture("aws/cur_legacy_keboola_MockTestReport-00001.csv.zip")))[0]!,
    },
    { name: "azure-ea.csv", plain: fixture("azure/ea_actualcost_small_ftk.csv") },
    { name: "azure-mca.csv", plain: fixture("azure/mca_camelcase_koku.csv") },
    { name: "azure-german.csv", plain: fixture("azure/opencost_headerset_german.csv") },
    { name: "gcp-bq.csv", plain: fixture("gcp/bq_export_csv_resource_koku_2022-08.csv") },
    { name: "gcp-bq.json", plain: fixture("gcp/bq_json_concat_pso_cuds_test_9_3_export.json") },
    { name: "gcp-bq.ndjson", plain: readFileSync(ndjson) },
    { name: "gcp-file-export.json", plain: fixture("gcp/legacy_file_export_json_2014-01-02.json") },
    { name: "gcp-file-export.csv", plain: fixture("gcp/legacy_file_export_csv_koku_2019-09.csv") },
    { name: "focus.csv", plain: fixture("focus/focus13_multi_provider_fdt_consolidated.csv") },
    { name: "focus.parquet", plain: focus },
    { name: "metrics.csv", plain: Buffer.from(METRICS) },
    { name: "inventory.csv", plain: Buffer.from(INVENTORY) },
  );
});
afterAll(() => harness.close());

/** What a mutation does to the plain bytes; `at` picks positions (0..1). */
type Mutation = (bytes: Buffer, at: number, size: number) => Buffer;

const insert = (bytes: Buffer, at: number, piece: Buffer | string) => {
  const i = Math.floor(at * bytes.length);
  return Buffer.concat([bytes.subarray(0, i), Buffer.from(piece), bytes.subarray(i)]);
};
const lines = (bytes: Buffer) => bytes.toString("latin1").split("\n");
const joinLines = (parts: string[]) => Buffer.from(parts.join("\n"), "latin1");

const MUTATIONS: Record<string, Mutation> = {
  truncate: (b, at) => b.subarray(0, Math.floor(at * b.length)),
  flip: (b, at, size) => {
    const out = Buffer.from(b);
    for (let k = 0; k < 1 + (size % 8); k++) {
      const i = Math.floor(((at + k * 0.137) % 1) * out.length);
      if (i < out.length) out[i] = out[i]! ^ (1 << ((size + k) % 8));
    }
    return out;
  },
  semicolons: (b) => Buffer.from(b.toString("latin1").replaceAll(",", ";"), "latin1"),
  tabs: (b) => Buffer.from(b.toString("latin1").replaceAll(",", "\t"), "latin1"),
  hugeField: (b, at, size) => insert(b, at, "9".repeat(1000 + size * 4000)),
  invalidUtf8: (b, at, size) =>
    insert(
      b,
      at,
      Buffer.from([[0xc3, 0x28], [0xff], [0xfe, 0xff], [0xed, 0xa0, 0x80], [0xf8, 0x88]][size % 5]!),
    ),
  utf8Bom: (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b]),
  utf16: (b) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString("latin1"), "utf16le")]),
  nul: (b, at) => insert(b, at, "\u0000"),
  crlf: (b) => Buffer.from(b.toString("latin1").replaceAll("\n", "\r\n"), "latin1"),
  cr: (b) => Buffer.from(b.toString("latin1").replaceAll("\n", "\r"), "latin1"),
  strayQuote: (b, at) => insert(b, at, '"'),
  dropLine: (b, at) => {
    const parts = lines(b);
    parts.splice(Math.floor(at * parts.length), 1);
    return joinLines(parts);
  },
  doubleLine: (b, at) => {
    const parts = lines(b);
    const i = Math.floor(at * parts.length);
    parts.splice(i, 0, parts[i] ?? "");
    return joinLines(parts);
  },
  duplicateHeader: (b) => {
    const parts = lines(b);
    const header = parts[0]!.split(",");
    header[header.length - 1] = header[0]!;
    parts[0] = header.join(",");
    return joinLines(parts);
  },
  emptyHeaderName: (b, at) => {
    const parts = lines(b);
    const header = parts[0]!.split(",");
    header[Math.floor(at * header.length)] = "";
    parts[0] = header.join(",");
    return joinLines(parts);
  },
  deepJson: (b, at, size) => {
    const depth = 100 + size * 500;
    return insert(b, at, `${"[".repeat(depth)}1${"]".repeat(depth)}`);
  },
  jsonField: (b, at, size) =>
    insert(b, at, ['"x":1e999,', '"cost":-0,', '"a":{"b":{"c":{}}},', '"":"",', '"\\ud800":1,'][size % 5]!),
  bigNumber: (b, at) => insert(b, at, "123456789012345678901234567890.123456789"),
  empty: () => Buffer.alloc(0),
};

/** The mutated content as the name promises it, sometimes with the compressed bytes broken too. */
function pack(name: string, plain: Buffer, breakCompressed: number | null): Buffer {
  let packed = plain;
  if (name.endsWith(".gz")) packed = gzipSync(plain);
  else if (name.endsWith(".zip")) packed = Buffer.from(zipSync({ "report-00001.csv": plain }));
  if (breakCompressed === null || packed === plain) return packed;
  return packed.subarray(0, Math.floor(breakCompressed * packed.length));
}

describe("ingest of mutated real samples", () => {
  it("every sample loads unmutated (the fuzz starts from valid files)", async () => {
    for (const sample of samples) {
      const outcome = await harness.attempt({
        [sample.name]: pack(sample.name, Buffer.from(sample.plain), null),
      });
      expect(outcome, sample.name).not.toBe("rejected");
    }
  });

  it(
    "loads or refuses clearly, leaving nothing half-landed",
    async () => {
      const tally = new Tally("ingest-mutations");
      const mutation = fc.record({
        kind: fc.constantFrom(...Object.keys(MUTATIONS)),
        at: fc.double({ min: 0, max: 1, noNaN: true }),
        size: fc.nat({ max: 250 }),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.nat({ max: samples.length - 1 }),
          fc.array(mutation, { minLength: 1, maxLength: 3 }),
          fc.option(fc.double({ min: 0, max: 0.999, noNaN: true }), { freq: 8 }),
          async (index, mutations, breakCompressed) => {
            const sample = samples[index]!;
            let bytes: Buffer = Buffer.from(sample.plain);
            for (const m of mutations) bytes = MUTATIONS[m.kind]!(bytes, m.at, m.size);
            const outcome = await harness.attempt({
              [sample.name]: pack(sample.name, bytes, breakCompressed),
            });
            tally.add(outcome);
          },
        ),
        { numRuns: runs(150), ...seed() },
      );
      tally.report();
    },
    FUZZ_TIMEOUT,
  );
});
