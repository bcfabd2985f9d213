/**
 * Paths an attacker can shape: ZIP member names (`../` and absolute), manifest keys pointing out
 * of their export, symbolic links in file arguments and inside walked folders, and links planted
 * where cco writes its own files (lake, marts snapshots, the remote cache). The rules are in
 * docs/hardening.md: a member's or key's name is never a path cco writes to or reads elsewhere; a
 * path given is followed, a link inside a walked folder only when it stays inside; cco never
 * writes through a link.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../core/errors.ts";
import { streamFileAtomic, writeFileAtomic } from "../../../core/files.ts";
import type { Progress } from "../../../core/log.ts";
import { exportMarts } from "../../../core/warehouse/snapshots.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../../ingest/load.ts";
import { walk } from "../../../ingest/walk.ts";
import { FIXTURES, quiet, tempDir } from "../../helpers/tmp.ts";

const CUR = readFileSync(path.join(FIXTURES, "aws/cur_legacy_notfinal_koku_2023-06.csv"));
const FOCUS = readFileSync(path.join(FIXTURES, "focus/focus13_multi_provider_fdt_consolidated.csv"));

/** Every file under `dir`, relative, sorted. */
const tree = (dir: string) =>
  (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => lstatSync(path.join(dir, f)).isFile())
    .sort();

function recording(): Progress & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, step: (_l, work) => work(() => undefined), info() {}, warn: (m) => warnings.push(m) };
}

describe("ZIP members", () => {
  it("a member named ../… or /… is read into scratch under a name of cco's own: nothing lands beside or above", async () => {
    const root = tempDir();
    const inbox = path.join(root, "inbox");
    mkdirSync(inbox);
    const lakeDir = path.join(root, "lake");
    for (const member of ["../../escaped.csv", `${root}/absolute.csv`, "..\\..\\windows.csv"]) {
      const file = path.join(inbox, `report-${readdirSync(inbox).length}.csv.zip`);
      writeFileSync(file, zipSync({ [member]: CUR }));
    }
    const w = await Warehouse.open({ path: path.join(root, "w.duckdb") });
    const results = await ingestPaths(w, [inbox], { lakeDir }, recording());
    await w.close();
    // The CSV inside each loaded, whatever its member was called.
    expect(results.map((r) => [r.status, r.rows > 0])).toEqual(Array(3).fill(["loaded", true]));
    expect(existsSync(path.join(root, "escaped.csv"))).toBe(false);
    expect(existsSync(path.join(root, "absolute.csv"))).toBe(false);
    expect(readdirSync(root).sort()).toEqual(["inbox", "lake", "w.duckdb"]);
    expect(tree(inbox).every((f) => f.endsWith(".csv.zip"))).toBe(true);
  });
});

describe("manifest keys", () => {
  it("a key out of its export folder is refused, naming the manifest and the key", async () => {
    const root = tempDir();
    const month = path.join(root, "export", "acme", "20230601-20230701");
    mkdirSync(path.join(month, "asm-1"), { recursive: true });
    writeFileSync(path.join(month, "asm-1", "acme-1.csv"), CUR);
    writeFileSync(path.join(root, "elsewhere.csv"), CUR);
    const manifest = path.join(month, "acme-Manifest.json");
    writeFileSync(
      manifest,
      JSON.stringify({ reportKeys: ["p/acme/20230601-20230701/../../../elsewhere.csv"] }),
    );
    const w = await Warehouse.open({ path: ":memory:" });
    const error = await ingestPaths(
      w,
      [path.join(root, "export")],
      { lakeDir: path.join(root, "lake") },
      quiet,
    ).catch((e: unknown) => e);
    await w.close();
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe(
      `${manifest}: lists "p/acme/20230601-20230701/../../../elsewhere.csv", which is outside its export folder`,
    );
  });
});

describe("symbolic links", () => {
  function folderWithLinks() {
    const root = tempDir();
    const inbox = path.join(root, "inbox");
    const outside = path.join(root, "outside");
    mkdirSync(path.join(inbox, "sub"), { recursive: true });
    mkdirSync(outside);
    writeFileSync(path.join(inbox, "sub", "focus.csv"), FOCUS);
    writeFileSync(path.join(outside, "private.csv"), CUR);
    symlinkSync(path.join(outside, "private.csv"), path.join(inbox, "linked-out.csv"));
    symlinkSync(outside, path.join(inbox, "linked-dir-out"));
    symlinkSync(path.join(inbox, "sub", "focus.csv"), path.join(inbox, "linked-in.csv"));
    symlinkSync(inbox, path.join(inbox, "sub", "loop"));
    symlinkSync(path.join(root, "nowhere.csv"), path.join(inbox, "broken.csv"));
    return { root, inbox, outside };
  }

  it("inside a walked folder: followed when they stay inside, skipped and reported when they lead out", () => {
    const { inbox, outside } = folderWithLinks();
    const result = walk([inbox]);
    expect(result.files.map((f) => path.relative(inbox, f.path)).sort()).toEqual([
      "linked-in.csv",
      path.join("sub", "focus.csv"),
    ]);
    expect(result.skippedLinks).toEqual([
      { link: path.join(inbox, "broken.csv"), reason: "a broken link" },
      { link: path.join(inbox, "linked-dir-out"), reason: `a link out of ${inbox}` },
      { link: path.join(inbox, "linked-out.csv"), reason: `a link out of ${inbox}` },
    ]);
    expect(result.files.some((f) => f.path.startsWith(outside))).toBe(false);
  });

  it("ingest warns about a link it did not follow and loads nothing from outside", async () => {
    const { root, inbox } = folderWithLinks();
    const progress = recording();
    const w = await Warehouse.open({ path: ":memory:" });
    const results = await ingestPaths(w, [inbox], { lakeDir: path.join(root, "lake") }, progress);
    const sources = await w.all<{ file_path: string }>("select file_path from ops.loads order by 1");
    await w.close();
    expect(results.every((r) => r.status !== "failed")).toBe(true);
    expect(sources.every((s) => s.file_path.startsWith(inbox))).toBe(true);
    expect(progress.warnings).toEqual([
      `3 symbolic link(s) not followed, e.g. ${path.join(inbox, "broken.csv")} (a broken link): give the target itself to load it`,
    ]);
  });

  it("a link given as the argument is followed: the user named it", async () => {
    const { root, outside } = folderWithLinks();
    const given = path.join(root, "given.csv");
    symlinkSync(path.join(outside, "private.csv"), given);
    expect(walk([given]).files.map((f) => f.path)).toEqual([given]);
    const givenDir = path.join(root, "given-dir");
    symlinkSync(outside, givenDir);
    expect(walk([givenDir]).files.map((f) => f.path)).toEqual([path.join(givenDir, "private.csv")]);
  });
});

describe("files cco writes", () => {
  function planted() {
    const dir = tempDir();
    const victim = path.join(dir, "victim.txt");
    writeFileSync(victim, "keep me");
    return { dir, victim };
  }

  it("never writes through a link planted at the partial's name or the target's", async () => {
    const { dir, victim } = planted();
    const target = path.join(dir, "out", "file.json");
    mkdirSync(path.dirname(target));
    symlinkSync(victim, `${target}.partial`);
    writeFileAtomic(target, "new");
    expect(readFileSync(victim, "utf8")).toBe("keep me");
    expect(readFileSync(target, "utf8")).toBe("new");

    const streamed = path.join(dir, "out", "cache.csv");
    symlinkSync(victim, streamed);
    symlinkSync(victim, `${streamed}.partial`);
    await streamFileAtomic(streamed, Readable.from(["a,b\n"]));
    expect(readFileSync(victim, "utf8")).toBe("keep me");
    expect(lstatSync(streamed).isSymbolicLink()).toBe(false);
    expect(readFileSync(streamed, "utf8")).toBe("a,b\n");
  });

  it("marts snapshots replace a planted link instead of writing where it points", async () => {
    const { dir, victim } = planted();
    const marts = path.join(dir, "marts");
    mkdirSync(marts);
    symlinkSync(victim, path.join(marts, "cost_daily.parquet"));
    symlinkSync(victim, path.join(marts, "cost_daily.parquet.partial"));
    const w = await Warehouse.open({ path: ":memory:" });
    await w.run("create table marts.cost_daily as select 1 as n");
    await exportMarts(w, marts);
    const [row] = await w.all<{ n: number }>(
      `select n from read_parquet('${path.join(marts, "cost_daily.parquet")}')`,
    );
    await w.close();
    expect(row).toEqual({ n: 1 });
    expect(readFileSync(victim, "utf8")).toBe("keep me");
    expect(lstatSync(path.join(marts, "cost_daily.parquet")).isSymbolicLink()).toBe(false);
  });
});
