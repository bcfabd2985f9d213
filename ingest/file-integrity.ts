/** Whole-file checks before a file's rows are trusted: its checksum, and that a gzip is complete. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { InputError } from "../core/errors.ts";

/** sha256 and size of the file, in one streaming pass. */
export async function checksum(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest("hex"), bytes };
}

/**
 * Decompress a gzip file to nowhere, to prove it complete: DuckDB reads a
 * truncated gzip up to where it breaks off without saying so. zlib works on
 * libuv's thread pool, so this runs beside DuckDB's read of the same file.
 */
export async function verifyGzip(file: string): Promise<void> {
  const sink = new Writable({
    write(_chunk, _encoding, done) {
      done();
    },
  });
  await pipeline(
    createReadStream(file, { highWaterMark: 1 << 20 }),
    createGunzip({ chunkSize: 1 << 20 }),
    sink,
  ).catch((error: Error) => {
    throw new InputError(file, `is not a complete gzip file (truncated or corrupt): ${error.message}`);
  });
}
