/**
 * ZIP-compressed exports (legacy CUR offers GZIP, ZIP or Parquet; the manifest then says
 * "compression": "ZIP"): the one CSV inside is inflated, streaming, into the scratch folder and
 * read from there. The member's own name is never used as a path.
 */
import { closeSync, createReadStream, openSync, writeSync } from "node:fs";
import path from "node:path";
import { Unzip, UnzipInflate } from "fflate";
import { InputError } from "../core/errors.ts";
import { shown } from "./probe.ts";

export async function unzipSingleCsv(file: string, scratchDir: string): Promise<string> {
  const target = path.join(scratchDir, `${path.basename(file).replace(/\.zip$/i, "")}.unzipped.csv`);
  const members: string[] = [];
  const fd = openSync(target, "w");
  let failure: Error | undefined;
  let finished = false;
  const unzip = new Unzip((member) => {
    members.push(member.name);
    if (members.length > 1) return; // reported below: one export per archive
    if (!/\.csv$/i.test(member.name)) {
      failure = new InputError(file, `the ZIP archive holds ${shown(member.name)}, not a CSV export`);
      return;
    }
    member.ondata = (error, chunk, final) => {
      if (error) failure ??= new InputError(file, `is not a readable ZIP archive: ${error.message}`);
      else writeSync(fd, chunk);
      if (final) finished = true;
    };
    member.start();
  });
  unzip.register(UnzipInflate);
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
      unzip.push(chunk as Uint8Array);
      if (failure) break;
    }
    if (!failure) unzip.push(new Uint8Array(0), true);
  } catch (error) {
    failure ??= new InputError(file, `is not a readable ZIP archive: ${(error as Error).message}`);
  } finally {
    closeSync(fd);
  }
  if (failure) throw failure;
  if (members.length !== 1)
    throw new InputError(file, `the ZIP archive holds ${members.length} files; expected one CSV export`);
  if (!finished) throw new InputError(file, "is not a complete ZIP archive (truncated or corrupt)");
  return target;
}
