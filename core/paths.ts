/**
 * The checkout's root: the folder holding dbt_project.yml (the dbt project, its models and
 * macros, and the reference data ship there). Found by walking up from this module, so it
 * holds whether the code runs from its sources or from compiled output in a sub-folder.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "dbt_project.yml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no dbt_project.yml above ${start}`);
  }
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A file shipped with the checkout, by its path from the root (e.g. "core/reference/x.csv"). */
export const shippedFile = (...parts: string[]) => path.join(PROJECT_ROOT, ...parts);
