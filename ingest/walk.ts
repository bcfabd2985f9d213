/**
 * Finding the files to load under the paths given, with what their delivery says about
 * them: which manifest governs a file (it is then part of a whole restatement of its month),
 * and, for Azure, which dataset the manifest declares.
 *
 * Symbolic links: a path given is followed wherever it points (the user named it). Inside a
 * folder being walked, a link is followed only when its target lies inside that same folder; a
 * link out of it (or a broken one) is skipped and reported, so an export folder cannot make the
 * loader read files elsewhere on the machine. A folder reached twice through links is walked once.
 */
import { existsSync, readdirSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { InputError } from "../core/errors.ts";
import { type AzureDataset, isAssemblyCopy, isManifest, readManifest } from "./manifests.ts";

const DATA_FILE = /\.(csv|csv\.gz|csv\.zip|parquet|json|ndjson|jsonl)$/i;
/** Our own truth file describes a generated estate; it is not rows to load. */
const NOT_DATA = /(truth\.json|-Manifest\.json|(^|[\\/])manifest\.json)$/i;

export const isDataFile = (name: string) => DATA_FILE.test(name) && !NOT_DATA.test(name);

export interface WalkedFile {
  path: string;
  /** The manifest that lists it: the file is one part of its month's current export. */
  manifest?: string;
  /** Azure: the dataset its manifest declares. */
  dataset?: AzureDataset;
}

/** What a walk found: files to load, stale files a manifest superseded, and broken manifests. */
export interface WalkResult {
  files: WalkedFile[];
  stale: string[];
  problems: { file: string; error: InputError }[];
  /** Links inside walked folders that were not followed, with why. */
  skippedLinks: { link: string; reason: string }[];
}

/** Whether `inner` is `root` or lies under it (both real paths). */
const isInside = (root: string, inner: string) => {
  const relative = path.relative(root, inner);
  return relative === "" || (relative.split(path.sep)[0] !== ".." && !path.isAbsolute(relative));
};

/**
 * Every data file under the targets, in path order. Where a manifest governs a folder,
 * only the files it lists are taken. A file given alone still finds a manifest beside it.
 */
export function walk(targets: string[]): WalkResult {
  const result: WalkResult = { files: [], stale: [], problems: [], skippedLinks: [] };
  const found: string[] = [];
  const manifests = new Set<string>();
  /** Manifests beside files given alone: they count only for the files they list. */
  const beside = new Map<string, string[]>();
  /** Real paths of the folders walked, so a link back up is not walked again. */
  const walked = new Set<string>();
  const walkFolder = (dir: string, root: string) => {
    const real = realpathSync(dir);
    if (walked.has(real)) return;
    walked.add(real);
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = path.join(dir, entry.name);
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(full);
        } catch {
          result.skippedLinks.push({ link: full, reason: "a broken link" });
          continue;
        }
        if (!isInside(root, target)) {
          result.skippedLinks.push({ link: full, reason: `a link out of ${root}` });
          continue;
        }
        isDirectory = statSync(target).isDirectory();
      }
      if (isDirectory) walkFolder(full, root);
      else if (isManifest(entry.name)) manifests.add(full);
      else if (isDataFile(entry.name)) found.push(full);
    }
  };
  const visit = (target: string) => {
    const stat = statSync(target, { throwIfNoEntry: false });
    if (!stat) throw new InputError(target, "no such file or directory");
    if (stat.isFile()) {
      if (isManifest(target)) manifests.add(target);
      else {
        found.push(target);
        for (const manifest of manifestsIn(path.dirname(target)))
          beside.set(manifest, [...(beside.get(manifest) ?? []), target]);
      }
      return;
    }
    // A folder given is followed wherever it points; links inside it must stay inside it.
    walkFolder(target, realpathSync(target));
  };
  for (const target of targets) visit(target);
  const stale = new Set<string>();
  const governing = new Map<string, { manifest: string; dataset?: AzureDataset }>();
  for (const manifest of [...manifests].sort()) {
    try {
      if (isAssemblyCopy(manifest)) continue;
      const plan = readManifest(manifest, isDataFile);
      for (const file of plan.stale) stale.add(file);
      for (const file of plan.current)
        governing.set(file, { manifest, ...(plan.dataset ? { dataset: plan.dataset } : {}) });
    } catch (error) {
      result.problems.push({ file: manifest, error: error as InputError });
    }
  }
  for (const [manifest, files] of beside) {
    if (manifests.has(manifest)) continue;
    try {
      if (isAssemblyCopy(manifest)) continue;
      const plan = readManifest(manifest, isDataFile);
      for (const file of files.filter((f) => plan.current.includes(f)))
        governing.set(file, { manifest, ...(plan.dataset ? { dataset: plan.dataset } : {}) });
    } catch {
      // A manifest that does not govern this file (or is broken) says nothing about it.
    }
  }
  // Files no manifest orders are taken oldest first within their folder (then by name), so that
  // of several runs of one export, the newest lands last.
  const kept = found.filter((f) => !stale.has(f));
  const order = new Map(kept.map((f, i) => [f, i]));
  const byAge = (a: string, b: string) =>
    path.dirname(a) === path.dirname(b) && !governing.has(a) && !governing.has(b)
      ? statSync(a).mtimeMs - statSync(b).mtimeMs || order.get(a)! - order.get(b)!
      : order.get(a)! - order.get(b)!;
  result.files = kept.sort(byAge).map((f) => ({ path: f, ...governing.get(f) }));
  result.stale = [...stale].sort();
  return result;
}

function manifestsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => isManifest(name))
    .map((name) => path.join(dir, name));
}
