/** Read just enough of a file to recognise its format (and, for JSON, check its nesting depth first). */
import { lit } from "../core/sql.ts";
import { createReadStream, createWriteStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import path from "node:path";
import { createGunzip } from "node:zlib";
import { InputError } from "../core/errors.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import type { FileProbe } from "./format.ts";
import { unzipSingleCsv } from "./zip.ts";

export async function probe(file: string, warehouse: Warehouse, scratchDir: string): Promise<FileProbe> {
  const name = path.basename(file).toLowerCase();
  const compressed = name.endsWith(".gz");
  // A ZIP-compressed CSV is read from its inflated copy; everything else reads the file itself.
  const readPath = name.endsWith(".csv.zip") ? await unzipSingleCsv(file, scratchDir) : file;
  const base = { path: file, readPath, name, compressed, types: {} as Record<string, string> };
  if (name.endsWith(".parquet")) {
    try {
      const rows = await warehouse.all<{ column_name: string; column_type: string }>(
        `DESCRIBE SELECT * FROM read_parquet(${lit(file)}, hive_partitioning = false)`,
      );
      const columns = rows.map((r) => r.column_name);
      const types = Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
      return { ...base, kind: "parquet", compressed: false, columns, rawColumns: columns, types };
    } catch (error) {
      throw new InputError(file, `not a readable Parquet file: ${firstLine(error)}`);
    }
  }
  const head = await readHead(readPath, compressed);
  if (/\.(json|ndjson|jsonl)$/.test(name)) {
    await checkJsonDepth(file, compressed);
    const first = head.split("\n")[0]!.trim();
    if (first.startsWith("[")) {
      const rows = await warehouse
        .all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_json(${lit(file)}, format = 'array')`)
        .catch((error) => {
          throw new InputError(file, `not a readable JSON array: ${firstLine(error)}`);
        });
      const columns = rows.map((r) => r.column_name);
      return { ...base, kind: "json", columns, rawColumns: columns };
    }
    // One object per line (BigQuery's extract), or objects written one after another over
    // several lines (some exporters pretty-print them). Either way the columns are the union of
    // every object's keys: an exporter that leaves out null fields may name a key first late.
    let layout: "newline_delimited" | "unstructured";
    try {
      JSON.parse(first);
      layout = "newline_delimited";
    } catch {
      if (!first.startsWith("{"))
        throw new InputError(file, "expected JSON objects (one per line, or one after another)", { row: 1 });
      layout = "unstructured";
    }
    const keys = await warehouse
      .all<{ key: string }>(
        `SELECT key FROM (SELECT unnest(json_keys(json)) AS key, row_number() OVER () AS seen
           FROM read_json_objects(${lit(file)}, format = '${layout}'))
         GROUP BY key ORDER BY min(seen)`,
      )
      .catch((error) => {
        throw new InputError(file, `not readable as JSON objects: ${firstLine(error)}`);
      });
    const columns = keys.map((k) => k.key);
    return { ...base, kind: "ndjson", jsonLayout: layout, columns, rawColumns: columns };
  }
  if (head.includes("\u0000"))
    throw new InputError(file, "binary content: expected a CSV text file", { row: 1 });
  const text = head.replace(/^\uFEFF/, "");
  const header = text.split(/\r?\n/)[0] ?? "";
  if (!header.trim()) throw new InputError(file, "empty file: expected a CSV header", { row: 1 });
  const rawColumns = parseCsvHeader(header);
  const probe: FileProbe = { ...base, kind: "csv", columns: rawColumns.map(englishName), rawColumns };
  // Some exports mix CRLF and LF line ends; DuckDB's CSV reader needs one kind.
  if (/\r\n/.test(text) && /[^\r]\n/.test(text)) {
    probe.readPath = await normalizeLineEndings(readPath, compressed, scratchDir);
    probe.compressed = false;
  }
  return probe;
}

/**
 * Deepest nesting a JSON export may have. Billing exports nest a handful of levels (labels,
 * credits, measurements); DuckDB's JSON reader recurses per level and crashes the process
 * (SIGSEGV) at some tens of thousands, so a file nested deeper is refused before DuckDB reads it.
 */
export const MAX_JSON_DEPTH = 1000;

/** One streaming pass counting bracket depth outside strings; refuses a file nested past MAX_JSON_DEPTH. */
async function checkJsonDepth(file: string, gzip: boolean): Promise<void> {
  const source = createReadStream(file, { highWaterMark: 1 << 20 });
  let depth = 0;
  let inString = false;
  let escaped = false;
  try {
    for await (const chunk of gzip ? source.pipe(createGunzip()) : source) {
      const bytes = chunk as Buffer;
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === 0x5c) escaped = true;
          else if (byte === 0x22) inString = false;
        } else if (byte === 0x22) inString = true;
        else if (byte === 0x5b || byte === 0x7b) {
          if (++depth > MAX_JSON_DEPTH) {
            throw new InputError(
              file,
              `nested more than ${MAX_JSON_DEPTH} levels deep: not a billing export`,
            );
          }
        } else if (byte === 0x5d || byte === 0x7d) depth = Math.max(0, depth - 1);
      }
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(file, `cannot be read: ${firstLine(error)}`);
  } finally {
    source.destroy();
  }
}

/** Localized Azure headers read "Abonnement-GUID (SubscriptionGuid)": the name in parentheses is the real one. */
function englishName(header: string): string {
  const match = header.match(/\(([A-Za-z][A-Za-z0-9]*)\)\s*$/);
  return match ? match[1]! : header;
}

/** A copy of the file with every CRLF made LF (decompressed), in the scratch folder. */
async function normalizeLineEndings(file: string, gzip: boolean, scratchDir: string): Promise<string> {
  const target = path.join(scratchDir, `${path.basename(file).replace(/\.gz$/i, "")}.lf`);
  const source = createReadStream(file);
  let pendingCr = false;
  const fix = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      let text = (pendingCr ? "\r" : "") + chunk.toString("latin1");
      pendingCr = text.endsWith("\r");
      if (pendingCr) text = text.slice(0, -1);
      done(null, Buffer.from(text.replace(/\r\n/g, "\n"), "latin1"));
    },
    flush(done) {
      done(null, pendingCr ? Buffer.from("\r", "latin1") : null);
    },
  });
  await pipeline(gzip ? source.pipe(createGunzip()) : source, fix, createWriteStream(target));
  return target;
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
    let finished = false;
    // Once: a gunzip stream goes on emitting what it had inflated after its source is destroyed,
    // and joining the chunks again for each of those cost a second on a 100-file ingest.
    const done = () => {
      if (finished) return;
      finished = true;
      stream.removeAllListeners("data");
      source.destroy();
      if (stream !== source) stream.destroy();
      resolve(Buffer.concat(chunks).toString("utf8"));
    };
    stream.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= 65536) done();
    });
    stream.on("end", done);
    stream.on("error", (error: Error) =>
      reject(
        new InputError(
          file,
          gzip ? `is not a readable gzip file: ${error.message}` : `cannot be read: ${error.message}`,
        ),
      ),
    );
  });
}

/** The first line of an error's message, fit for a one-line refusal (see shown). */
export function firstLine(error: unknown): string {
  return shown((error instanceof Error ? error.message : String(error)).split("\n")[0]!, 300);
}

/**
 * Text from a file (a cell, a column or member name, a reader's message quoting it) as a message
 * shows it: control characters escaped, so a file cannot write to the terminal, and cut at `max`
 * characters, so a huge field does not become a huge message.
 */
export function shown(text: string, max = 80): string {
  const safe = text.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}
