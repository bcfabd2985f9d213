/** Find export files under a path and read just enough of each to recognise it. */
import { createReadStream, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { createGunzip } from "node:zlib";
import { InputError } from "../core/errors.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { type FileProbe, sqlPath } from "./format.ts";

const DATA_FILE = /\.(csv|csv\.gz|parquet|json|ndjson|jsonl)$/i;
/** Manifests and our own truth file describe exports; they are not rows to load. */
const NOT_DATA = /(manifest\.json|truth\.json)$/i;

export function walk(target: string): string[] {
  const stat = statSync(target, { throwIfNoEntry: false });
  if (!stat) throw new InputError(target, "no such file or directory");
  if (stat.isFile()) return [target];
  const files: string[] = [];
  for (const entry of readdirSync(target, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    const full = path.join(target, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else if (DATA_FILE.test(entry.name) && !NOT_DATA.test(entry.name)) files.push(full);
  }
  return files;
}

export async function probe(file: string, warehouse: Warehouse): Promise<FileProbe> {
  const name = path.basename(file).toLowerCase();
  const compressed = name.endsWith(".gz");
  if (name.endsWith(".parquet")) {
    try {
      const rows = await warehouse.all<{ column_name: string }>(
        `DESCRIBE SELECT * FROM read_parquet(${sqlPath(file)}, hive_partitioning = false)`,
      );
      return {
        path: file,
        name,
        kind: "parquet",
        compressed: false,
        columns: rows.map((r) => r.column_name),
      };
    } catch (error) {
      throw new InputError(file, `not a readable Parquet file: ${firstLine(error)}`);
    }
  }
  const head = await readHead(file, compressed);
  if (/\.(json|ndjson|jsonl)$/.test(name)) {
    const first = head.split("\n")[0]!.trim();
    if (first.startsWith("[")) return { path: file, name, kind: "json", compressed, columns: [] };
    try {
      const record = JSON.parse(first) as Record<string, unknown>;
      return { path: file, name, kind: "ndjson", compressed, columns: Object.keys(record) };
    } catch {
      throw new InputError(file, "expected newline-delimited JSON (one object per line)", { row: 1 });
    }
  }
  const header = head.replace(/^\uFEFF/, "").split(/\r?\n/)[0] ?? "";
  if (!header.trim()) throw new InputError(file, "empty file: expected a CSV header", { row: 1 });
  return { path: file, name, kind: "csv", compressed, columns: parseCsvHeader(header) };
}

function parseCsvHeader(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((c) => c.trim());
}

/** First 64 KiB of the (decompressed) file. */
function readHead(file: string, gzip: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const source = createReadStream(file);
    const stream = gzip ? source.pipe(createGunzip()) : source;
    const done = () => {
      source.destroy();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    stream.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= 65536) done();
    });
    stream.on("end", done);
    stream.on("error", (error: Error) =>
      reject(new InputError(file, `cannot read${gzip ? " gzip" : ""}: ${error.message}`)),
    );
  });
}

export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!;
}
