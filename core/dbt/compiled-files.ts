/**
 * dbt's target/compiled/<project>/…: each model's and data test's compiled SQL in a file at its
 * source's path (a generic test under its YAML file's folder), and target/run/<project>/… the
 * statement a build runs for it where the target has one to show (BigQuery's DDL).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DbtProject } from "./project.ts";

export interface CompiledNode {
  /** The node's unique id (model.cco.x, test.cco.y, seed.cco.z). */
  id: string;
  /** Its file under target/compiled/<project>/ (and target/run/<project>/). */
  path: string;
  /** The compiled SELECT (none for a seed). */
  sql?: string;
  /** The statement the build runs (DDL), where shown. */
  run?: string;
}

/** Writes the nodes' files, replacing what an earlier compile left in those two folders. */
export function writeCompiled(project: DbtProject, nodes: CompiledNode[]): { compiled: string; run: string } {
  const compiled = path.join(project.targetPath, "compiled", project.name);
  const run = path.join(project.targetPath, "run", project.name);
  rmSync(compiled, { recursive: true, force: true });
  rmSync(run, { recursive: true, force: true });
  for (const node of nodes) {
    for (const [dir, text] of [
      [compiled, node.sql],
      [run, node.run],
    ] as const) {
      if (text === undefined) continue;
      const file = path.join(dir, node.path);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `${text}\n`);
    }
  }
  return { compiled, run };
}
