/**
 * Our dbt runner on DuckDB (dbt itself cannot be installed here), split along dbt-core's seams:
 * graph.ts (the dependency graph from the rendered refs), selection.ts (--select), compile.ts
 * (every model rendered with its final relation), seeds.ts (CSV seeds that models ref),
 * tests.ts (data tests), nodes.ts (running a seed, a model or a test node), materializations/
 * (one file per materialization, seed.ts among them), contracts.ts (model contracts), build.ts
 * (`dbt build`'s DAG) and artifacts.ts (target/manifest.json and run_results.json); target.ts
 * (profiles.yml's outputs) and bigquery/ (the same project compiled for, dry-run on and built on
 * BigQuery, docs/bigquery.md). This module is the entry point the rest of the code base imports.
 */
export { type BuildOptions, buildProject } from "./build.ts";
export { type CompiledModel, compileProject } from "./compile.ts";
export { topoSort } from "./graph.ts";
export type { NodeResult } from "./nodes.ts";
export { selectModels } from "./selection.ts";
