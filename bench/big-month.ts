/**
 * The benchmarks' big inputs, made by repeating a generated estate's rows with fresh ids:
 * - buildBigCur2Month: one CUR 2.0 month (October 2026) of any size (bench/ingest, models, report);
 * - buildBigEstate: three billing periods of every export the generator writes, in its mix, plus
 *   the next day (1 November) apart, for bench/scale.ts. Each copy of the estate is another set of
 *   resources (its resource ids carry the copy's number; copy 0 keeps the originals, which have
 *   metrics and inventory), so the marts grow with the bill as a real, larger estate's would.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { Progress } from "../core/log.ts";
import { lit } from "../core/sql.ts";
import { generateEstate } from "../orchestrator/estate-generator/generate.ts";

export interface BigMonth {
  /** CUR 2.0 Parquet of October 2026, `rows` line items. */
  cur2: string;
  /** The generated legacy CUR CSV.gz of October 2026 (one account), to repeat. */
  seedLegacy: string;
}

export async function buildBigCur2Month(dir: string, rows: number, progress: Progress): Promise<BigMonth> {
  const estate = await generateEstate(
    { seed: 1, resources: 1500, days: 31, endDate: "2026-10-31" },
    path.join(dir, "estate"),
    progress,
  );
  const seedCur2 = estate.files.find((f) => /BILLING_PERIOD=2026-10\/.*\.parquet$/.test(f))!;
  const seedLegacy = estate.files.find((f) => /20261001-20261101\/.*\.csv\.gz$/.test(f))!;
  const cur2 = path.join(dir, "BILLING_PERIOD=2026-10", "cur2-00001.snappy.parquet");
  await progress.step(`Building a ${rows.toLocaleString()}-row CUR 2.0 month`, async () => {
    mkdirSync(path.dirname(cur2), { recursive: true });
    await duck(`COPY (${repeated(`read_parquet('${seedCur2}')`, rows, "identity_line_item_id")})
      TO '${cur2}' (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880)`);
  });
  return { cur2, seedLegacy };
}

/** A source's rows repeated up to n, each copy with its own ids. */
export function repeated(source: string, n: number, idColumn: string): string {
  return `SELECT * EXCLUDE (i) REPLACE (${idColumn} || '-' || i AS ${idColumn}) FROM (SELECT * FROM ${source}) s,
    range(ceil(${n} / (SELECT count(*) FROM ${source}))::BIGINT) t(i) LIMIT ${n}`;
}

/** Run statements on a scratch in-memory DuckDB. */
export async function duck(...statements: string[]): Promise<void> {
  const instance = await DuckDBInstance.create(":memory:", { threads: "2", memory_limit: "4GB" });
  const con = await instance.connect();
  try {
    for (const sql of statements) await con.run(sql);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

/** Bump when the estate's files change, so that cached estates are built again. */
const ESTATE_VERSION = 1;
/** The seed: 1,500 resources from 1 August to 1 November 2026 (about 174,000 line items in the three months). */
const SEED = { seed: 1, resources: 1500, days: 93, endDate: "2026-11-01" };
/** The day the incremental build adds: the first of a new billing period. */
const DAY_MONTH = "2026-11";

/** A copy's resource id: copy 0 keeps the original; empty ids stay empty. */
const copyOf = (column: string) =>
  `CASE WHEN i = 0 OR coalesce(${column}, '') = '' THEN ${column} ELSE ${column} || '-' || i END`;

/** How one export is read, repeated and written. Paths are relative to the generated estate. */
interface ExportSpec {
  id: string;
  /** Its data files; the groups of `month` give year and month. */
  files: RegExp;
  month: RegExp;
  read: (file: string) => string;
  /** SELECT * REPLACE (…) of a copy `i`: fresh line ids, the copy's resource ids. */
  replace: string;
  write: string;
  /** Where the repeated file goes (Azure and GCP become Parquet: see EXPORTS). */
  rename?: (file: string) => string;
}

// At 100M line items the generator's uncompressed CSV (Azure) and NDJSON (GCP) would be ~50 GB:
// those two are written as Parquet, which both exports also offer (Cost Management's Parquet
// exports; `bq extract --destination_format PARQUET`). The others keep the generator's format.
const EXPORTS: ExportSpec[] = [
  {
    id: "aws_cur2",
    files: /^aws\/cur2\/.*\/data\/.*\.parquet$/,
    month: /BILLING_PERIOD=(\d{4})-(\d{2})/,
    read: (f) => `read_parquet(${lit(f)})`,
    replace: `identity_line_item_id || '-' || i AS identity_line_item_id, ${copyOf("line_item_resource_id")} AS line_item_resource_id`,
    write: "FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880",
  },
  {
    id: "aws_cur_legacy",
    files: /^aws\/cur-legacy\/.*\.csv\.gz$/,
    month: /\/(\d{4})(\d{2})01-\d{8}\//,
    read: (f) => `read_csv(${lit(f)}, all_varchar = true)`,
    replace: `"identity/LineItemId" || '-' || i AS "identity/LineItemId", ${copyOf('"lineItem/ResourceId"')} AS "lineItem/ResourceId"`,
    write: "FORMAT csv, HEADER, COMPRESSION gzip",
  },
  {
    id: "azure",
    files: /^azure\/.*\.csv$/,
    month: /\/(\d{4})(\d{2})01-\d{8}\//,
    // Text, as the CSV holds it: the loader parses Azure's numbers and dates either way.
    read: (f) => `read_csv(${lit(f)}, all_varchar = true)`,
    replace: `${copyOf("InstanceName")} AS InstanceName`,
    write: "FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880",
    rename: (f) => f.replace(/\.csv$/, ".parquet"),
  },
  {
    id: "gcp",
    files: /^gcp\/.*\.json$/,
    month: /invoice_month=(\d{4})(\d{2})/,
    read: (f) => `read_json(${lit(f)}, format = 'newline_delimited', hive_partitioning = false)`,
    replace: `CASE WHEN i = 0 OR resource IS NULL THEN resource ELSE struct_pack(name := resource.name || '-' || i, global_name := resource.global_name || '-' || i) END AS resource`,
    write: "FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 122880",
    rename: (f) => f.replace(/\.json$/, ".parquet"),
  },
  {
    id: "focus",
    files: /^focus\/.*\.csv\.gz$/,
    month: /FOCUS Reports\/(\d{4})\/(\d{2})\//,
    read: (f) => `read_csv(${lit(f)}, all_varchar = true)`,
    replace: `${copyOf("ResourceId")} AS ResourceId`,
    write: "FORMAT csv, HEADER, COMPRESSION gzip",
  },
];

export interface BigEstate {
  /** The three billing periods' exports (August to October 2026): one ingest target. */
  billing: string;
  /** The next day's exports (1 November 2026, a new billing period), at the same scale. */
  day: string;
  /** Utilization metrics and inventory of copy 0's resources (not scaled). */
  support: string;
  lineItems: number;
  /** Resources of the generated estate the files repeat. */
  seedResources: number;
  dayLineItems: number;
  /** Line items per export, the generator's mix. */
  byExport: Record<string, number>;
  billingFiles: number;
  billingBytes: number;
  /** Seconds the estate took to build when it was built (it is cached). */
  buildSeconds: number;
  cached: boolean;
}

/** Generated once, reused by every size: the seed estate and its files' row counts. */
async function seedEstate(
  dir: string,
  resources: number,
  progress: Progress,
): Promise<{ root: string; rows: Map<string, number> }> {
  const root = path.join(dir, "estate");
  const marker = path.join(dir, "seed.json");
  const current = existsSync(marker) ? JSON.parse(readFileSync(marker, "utf8")) : {};
  if (current.version !== ESTATE_VERSION || current.resources !== resources) {
    rmSync(dir, { recursive: true, force: true });
    await generateEstate({ ...SEED, resources }, root, progress);
    const rows: Record<string, number> = {};
    await withDuck(async (run) => {
      for (const file of dataFiles(root)) {
        const spec = EXPORTS.find((e) => e.files.test(file))!;
        rows[file] = Number(await run(`SELECT count(*) FROM ${spec.read(path.join(root, file))}`));
      }
    });
    writeFileSync(marker, JSON.stringify({ version: ESTATE_VERSION, resources, rows }));
  }
  const { rows } = JSON.parse(readFileSync(marker, "utf8")) as { rows: Record<string, number> };
  return { root, rows: new Map(Object.entries(rows)) };
}

/** The seed's billing data files (relative, sorted): every export's. */
function dataFiles(root: string): string[] {
  return (readdirSync(root, { recursive: true }) as string[])
    .map((f) => f.split(path.sep).join("/"))
    .filter((f) => EXPORTS.some((e) => e.files.test(f)))
    .sort();
}

function monthOf(spec: ExportSpec, file: string): string {
  const m = spec.month.exec(file);
  if (!m) throw new Error(`${file}: no billing month in its path`);
  return `${m[1]}-${m[2]}`;
}

/**
 * `lineItems` line items over August to October 2026 in the generator's mix of exports, and the
 * next day at the same scale; cached in `dir` (built again only when missing or outdated). The
 * seed estate is cached in `seedDir`; `seedResources` is its size (tests use a small one).
 */
export async function buildBigEstate(
  dir: string,
  seedDir: string,
  lineItems: number,
  progress: Progress,
  seedResources = SEED.resources,
): Promise<BigEstate> {
  const marker = path.join(dir, "estate.json");
  if (existsSync(marker)) {
    const cached = JSON.parse(readFileSync(marker, "utf8")) as BigEstate & { version: number };
    if (
      cached.version === ESTATE_VERSION &&
      cached.lineItems === lineItems &&
      cached.seedResources === seedResources
    ) {
      const { version: _, ...estate } = cached;
      return { ...estate, cached: true };
    }
  }
  const t0 = performance.now();
  const seed = await seedEstate(seedDir, seedResources, progress);
  rmSync(dir, { recursive: true, force: true });
  const files = [...seed.rows.keys()];
  const inMonths = (f: string) => monthOf(EXPORTS.find((e) => e.files.test(f))!, f) !== DAY_MONTH;
  const seedMonths = files.filter(inMonths).reduce((s, f) => s + seed.rows.get(f)!, 0);
  const scale = lineItems / seedMonths;
  // Each file scaled alike (the mix kept); rounding's remainder goes to the largest file.
  const target = new Map(files.map((f) => [f, Math.round(seed.rows.get(f)! * scale)]));
  const months = files.filter(inMonths);
  const largest = months.reduce((a, b) => (seed.rows.get(a)! >= seed.rows.get(b)! ? a : b));
  target.set(largest, target.get(largest)! + lineItems - months.reduce((s, f) => s + target.get(f)!, 0));

  const estate: BigEstate = {
    billing: path.join(dir, "billing"),
    day: path.join(dir, "day"),
    support: path.join(dir, "support"),
    lineItems,
    seedResources,
    dayLineItems: 0,
    byExport: {},
    billingFiles: 0,
    billingBytes: 0,
    buildSeconds: 0,
    cached: false,
  };
  const written = new Map<string, number>();
  await progress.step(
    `Building ${lineItems.toLocaleString()} line items (${scale.toFixed(2)}× the generated estate)`,
    (tick) =>
      withDuck(async (run) => {
        for (const [n, file] of files.entries()) {
          const spec = EXPORTS.find((e) => e.files.test(file))!;
          const day = !inMonths(file);
          const out = path.join(day ? estate.day : estate.billing, spec.rename?.(file) ?? file);
          mkdirSync(path.dirname(out), { recursive: true });
          await run(`COPY (${copies(spec.read(path.join(seed.root, file)), spec.replace, seed.rows.get(file)!, target.get(file)!)})
            TO ${lit(out)} (${spec.write})`);
          written.set(out, target.get(file)!);
          if (day) estate.dayLineItems += target.get(file)!;
          else {
            estate.byExport[spec.id] = (estate.byExport[spec.id] ?? 0) + target.get(file)!;
            estate.billingFiles++;
            estate.billingBytes += statSync(out).size;
          }
          tick(n + 1, files.length);
        }
      }),
  );
  copyManifests(seed.root, estate, written);
  for (const sub of ["metrics", "inventory"]) {
    copyTree(path.join(seed.root, sub), path.join(estate.support, sub));
  }
  estate.buildSeconds = (performance.now() - t0) / 1000;
  writeFileSync(marker, JSON.stringify({ version: ESTATE_VERSION, ...estate }));
  return estate;
}

/**
 * `n` rows of a source of `seedRows` rows: whole copies 0, 1, … and, for the remainder, a part
 * of the next copy picked by hash (not the file's last rows, which would thin out its last days).
 */
function copies(source: string, replace: string, seedRows: number, n: number): string {
  const whole = Math.floor(n / seedRows);
  const rest = n - whole * seedRows;
  const parts: string[] = [];
  if (whole)
    parts.push(
      `SELECT * EXCLUDE (i) REPLACE (${replace}) FROM (SELECT * FROM ${source}) s, range(${whole}) t(i)`,
    );
  if (rest)
    parts.push(`SELECT * EXCLUDE (_n, i) REPLACE (${replace}) FROM (
      SELECT *, row_number() OVER () AS _n FROM ${source}) s, (SELECT ${whole}::BIGINT AS i) t
      ORDER BY hash(_n) LIMIT ${rest}`);
  return parts.map((p) => `(${p})`).join(" UNION ALL ");
}

/**
 * The exports' manifests beside their data. CUR 2.0 and legacy CUR manifests name the same files;
 * Azure's list Parquet parts now, with their new sizes (each Azure run folder holds one part).
 */
function copyManifests(seedRoot: string, estate: BigEstate, written: Map<string, number>): void {
  const manifests = (readdirSync(seedRoot, { recursive: true }) as string[])
    .map((f) => f.split(path.sep).join("/"))
    .filter((f) => /(-Manifest|\/manifest)\.json$/.test(f));
  for (const file of manifests) {
    const month = EXPORTS.map((e) => e.month.exec(file)).find(Boolean);
    if (!month) throw new Error(`${file}: no billing month in its path`);
    const out = path.join(`${month[1]}-${month[2]}` === DAY_MONTH ? estate.day : estate.billing, file);
    mkdirSync(path.dirname(out), { recursive: true });
    if (!file.startsWith("azure/")) {
      copyFileSync(path.join(seedRoot, file), out);
      continue;
    }
    const doc = JSON.parse(readFileSync(path.join(seedRoot, file), "utf8"));
    const part = path.join(path.dirname(out), "part_0_0001.parquet");
    const [bytes, rows] = [statSync(part).size, written.get(part)];
    Object.assign(doc, { byteCount: bytes, dataRowCount: rows });
    doc.deliveryConfig.fileFormat = "Parquet";
    doc.blobs = doc.blobs.map((b: { blobName: string }) => ({
      blobName: b.blobName.replace(/\.csv$/, ".parquet"),
      byteCount: bytes,
      dataRowCount: rows,
    }));
    writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  }
}

function copyTree(from: string, to: string): void {
  for (const file of readdirSync(from, { recursive: true }) as string[]) {
    const source = path.join(from, file);
    if (!statSync(source).isFile()) continue;
    mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    copyFileSync(source, path.join(to, file));
  }
}

/** A scratch DuckDB for the work, with a run(sql) that returns the first value of the first row. */
async function withDuck<T>(work: (run: (sql: string) => Promise<unknown>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(":memory:", {
    threads: "2",
    memory_limit: "4GB",
  });
  const con = await instance.connect();
  try {
    return await work(async (sql) => (await con.runAndReadAll(sql)).getRows()[0]?.[0]);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}
