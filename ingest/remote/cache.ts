/** The local copy of a remote object, refreshed only when its size or ETag changed. */
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { streamFileAtomic } from "../../core/files.ts";

export function isCurrent(file: string, size: number, etag: string | undefined): boolean {
  if (!existsSync(file) || statSync(file).size !== size) return false;
  const marker = `${file}.etag`;
  return !etag || (existsSync(marker) && readFileSync(marker, "utf8") === etag);
}

/** Stream an object to its cache file, with the object's own modification time where known (runs are ordered by it). */
export async function store(
  file: string,
  body: Readable,
  etag: string | undefined,
  modified?: Date,
): Promise<void> {
  await streamFileAtomic(file, body);
  if (modified) utimesSync(file, modified, modified);
  if (etag) writeFileSync(`${file}.etag`, etag);
}

/** A key or name made safe as a relative path inside the cache. */
export function safeRelative(key: string): string {
  return key
    .split("/")
    .filter((part) => part && part !== "." && part !== "..")
    .join(path.sep);
}
