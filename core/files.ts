/**
 * Writing files so that no reader ever sees half of one: the content goes to a partial
 * file beside the target and is renamed over it (a rename is atomic on one file system).
 *
 * Never written through a link: whatever sits at the partial's name (a leftover of a killed
 * write, or a symbolic link planted there) is removed first and the partial created exclusively,
 * and the rename replaces a link at the target's name instead of writing where it points.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The partial name a file is written under before it is renamed into place. */
export const partialOf = (file: string) => `${file}.partial`;

/** The partial name for `file`, cleared: nothing there, so an exclusive create cannot follow a link. */
function freshPartial(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = partialOf(file);
  rmSync(partial, { force: true, recursive: true });
  return partial;
}

/** Write `data` to `file` atomically (parents created). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const partial = freshPartial(file);
  writeFileSync(partial, data, { flag: "wx" });
  renameSync(partial, file);
}

/** Stream `body` to `file` atomically: a broken stream leaves no file that looks complete. */
export async function streamFileAtomic(file: string, body: Readable): Promise<void> {
  const partial = freshPartial(file);
  try {
    await pipeline(body, createWriteStream(partial, { flags: "wx" }));
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, file);
}

/**
 * Produce `file` atomically with a writer that takes the partial path (e.g. DuckDB's COPY):
 * the partial is removed if the writer fails.
 */
export async function produceFileAtomic(
  file: string,
  write: (partial: string) => Promise<unknown>,
): Promise<void> {
  const partial = freshPartial(file);
  try {
    await write(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
  renameSync(partial, file);
}

/**
 * Replace folder `target` by `from` with renames only, so no reader sees a half-written
 * folder (between the two renames the target is briefly absent, never partial).
 */
export function swapDirectory(from: string, target: string): void {
  rmSync(`${target}.old`, { recursive: true, force: true });
  if (existsSync(target)) renameSync(target, `${target}.old`);
  renameSync(from, target);
  rmSync(`${target}.old`, { recursive: true, force: true });
}
