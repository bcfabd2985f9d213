/** The local copy of a remote object, refreshed only when its size or ETag changed. */
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

export function isCurrent(file: string, size: number, etag: string | undefined): boolean {
  if (!existsSync(file) || statSync(file).size !== size) return false;
  const marker = `${file}.etag`;
  return !etag || (existsSync(marker) && readFileSync(marker, "utf8") === etag);
}

/** Stream an object to its cache file (via a partial file, so a broken download never looks complete). */
export async function store(file: string, body: Readable, etag: string | undefined): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  await pipeline(body, createWriteStream(partial));
  renameSync(partial, file);
  if (etag) writeFileSync(`${file}.etag`, etag);
}

/** A key or name made safe as a relative path inside the cache. */
export function safeRelative(key: string): string {
  return key
    .split("/")
    .filter((part) => part && part !== "." && part !== "..")
    .join(path.sep);
}
