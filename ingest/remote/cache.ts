/** The local copy of a remote object, refreshed only when its size or ETag changed. */
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { streamFileAtomic } from "../../core/files.ts";

export function isCurrent(file: string, size: number, etag: string | undefined): boolean {
  if (!existsSync(file) || statSync(file).size !== size) return false;
  const marker = `${file}.etag`;
  return !etag || (existsSync(marker) && readFileSync(marker, "utf8") === etag);
}

/** Stream an object to its cache file (via a partial file, so a broken download never looks complete). */
export async function store(file: string, body: Readable, etag: string | undefined): Promise<void> {
  await streamFileAtomic(file, body);
  if (etag) writeFileSync(`${file}.etag`, etag);
}

/** A key or name made safe as a relative path inside the cache. */
export function safeRelative(key: string): string {
  return key
    .split("/")
    .filter((part) => part && part !== "." && part !== "..")
    .join(path.sep);
}
