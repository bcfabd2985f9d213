/**
 * dbt's artifacts in target/: manifest.json (every seed, model, data test and source, with the edges
 * between them in depends_on, parent_map and child_map) and run_results.json (one result per
 * node of the last build, with its timing and thread). The next build reads the run's times back.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CompiledModel } from "./compile.ts";
import { childrenOf } from "./graph.ts";
import type { NodeResult } from "./nodes.ts";
import { type DbtProject, refId, sourceId, uniqueId } from "./project.ts";
import { type SeedNode, seedChecksum } from "./seeds.ts";
import type { DataTest } from "./tests.ts";

/** Execution time per node id in the last run_results.json, if any. */
export function previousTimes(project: DbtProject): Map<string, number> {
  try {
    const last = JSON.parse(readFileSync(path.join(project.targetPath, "run_results.json"), "utf8")) as {
      results?: { unique_id: string; execution_time: number }[];
    };
    return new Map((last.results ?? []).map((r) => [r.unique_id, Number(r.execution_time) || 0]));
  } catch {
    return new Map();
  }
}

export function writeArtifacts(
  project: DbtProject,
  models: Map<string, CompiledModel>,
  tests: DataTest[],
  results: NodeResult[],
  started: string,
): void {
  mkdirSync(project.targetPath, { recursive: true });
  const metadata = {
    dbt_schema_version: "https://schemas.getdbt.com/dbt/manifest/v12.json",
    generated_at: new Date().toISOString(),
    adapter_type: project.target.type,
    invocation_started_at: started,
    invocation_id: project.invocationId,
  };
  const nodes = Object.fromEntries([
    ...[...project.seeds.values()].map((s) => [uniqueId(project, "seed", s.name), seedNode(project, s)]),
    ...[...models.values()].map((m) => [uniqueId(project, "model", m.node.name), modelNode(project, m)]),
    ...tests.map((t) => [t.id, testNode(project, models, t)]),
  ]) as Record<string, { depends_on: { nodes: string[] } }>;
  const sources = Object.fromEntries(
    project.sources.map((s) => [
      sourceId(project, s.source, s.name),
      {
        unique_id: sourceId(project, s.source, s.name),
        resource_type: "source",
        source_name: s.source,
        name: s.name,
        schema: s.schema,
        identifier: s.identifier,
        description: s.description ?? "",
      },
    ]),
  );
  // dbt's maps cover every node and source, with an empty list where there is no edge.
  const parentMap = new Map<string, string[]>([
    ...Object.keys(sources).map((id): [string, string[]] => [id, []]),
    ...Object.entries(nodes).map(([id, n]): [string, string[]] => [id, n.depends_on.nodes]),
  ]);
  const children = childrenOf(parentMap);
  const childMap = new Map([...parentMap.keys()].map((id) => [id, (children.get(id) ?? []).sort()]));
  writeFileSync(
    path.join(project.targetPath, "manifest.json"),
    JSON.stringify(
      {
        metadata,
        nodes,
        sources,
        macros: {},
        parent_map: Object.fromEntries(parentMap),
        child_map: Object.fromEntries(childMap),
      },
      null,
      2,
    ),
  );
  writeFileSync(
    path.join(project.targetPath, "run_results.json"),
    JSON.stringify(
      {
        metadata: { ...metadata, dbt_schema_version: "https://schemas.getdbt.com/dbt/run-results/v6.json" },
        results: results.map((r) => ({ thread_id: "Thread-1", timing: [], ...r, adapter_response: {} })),
        elapsed_time: (Date.now() - Date.parse(started)) / 1000,
        args: {},
      },
      null,
      2,
    ),
  );
}

function modelNode(project: DbtProject, m: CompiledModel) {
  return {
    unique_id: uniqueId(project, "model", m.node.name),
    resource_type: "model",
    name: m.node.name,
    package_name: project.name,
    path: m.node.file.replace(/^models\//, ""),
    original_file_path: m.node.file,
    patch_path: m.node.patchPath ? `${project.name}://${m.node.patchPath}` : null,
    fqn: [project.name, ...m.node.fqn, m.node.name],
    schema: m.config.schema,
    alias: m.node.name,
    relation_name: m.relation,
    config: {
      materialized: m.config.materialized,
      schema: m.config.schema,
      unique_key: m.config.unique_key ?? null,
      tags: m.config.tags,
      contract: { enforced: m.config.contract?.enforced ?? false },
    },
    tags: m.config.tags,
    description: m.node.description ?? "",
    columns: Object.fromEntries(
      m.node.columns.map((c) => [
        c.name,
        { name: c.name, description: c.description ?? "", data_type: c.data_type ?? null },
      ]),
    ),
    // dbt lists the models a node refs and the sources it reads.
    depends_on: {
      nodes: [
        ...m.refs.map((r) => refId(project, r)),
        ...m.sources.map(([source, table]) => sourceId(project, source, table)),
      ],
      macros: [],
    },
    raw_code: m.node.raw,
    compiled_code: m.sql,
  };
}

function testNode(project: DbtProject, models: Map<string, CompiledModel>, t: DataTest) {
  const generic = t.attached
    ? {
        column_name: t.attached.column,
        attached_node: refId(project, t.attached.model),
        test_metadata: {
          name: t.attached.test.name,
          kwargs: { column_name: t.attached.column, ...t.attached.test.args },
        },
      }
    : {};
  const attachedFile = t.attached
    ? (models.get(t.attached.model)?.node.file ?? project.seeds.get(t.attached.model)?.file ?? "")
    : t.file;
  const dir = path.dirname(attachedFile);
  return {
    unique_id: t.id,
    resource_type: "test",
    name: t.name,
    package_name: project.name,
    path: `${t.name}.sql`,
    original_file_path: t.file,
    // As dbt: the project, the test's folder under its top-level path, then its name.
    fqn: [project.name, ...dir.split(path.sep).slice(1).filter(Boolean), t.name],
    config: { severity: t.severity.toUpperCase() },
    tags: [],
    ...generic,
    depends_on: { nodes: t.refs.map((r) => refId(project, r)), macros: [] },
    raw_code: t.raw ?? "",
    compiled_code: t.sql,
  };
}

/** A seed as dbt's manifest records it: its file's checksum, its config (column types), no parents. */
function seedNode(project: DbtProject, s: SeedNode) {
  return {
    unique_id: uniqueId(project, "seed", s.name),
    resource_type: "seed",
    name: s.name,
    package_name: project.name,
    path: s.file.split(path.sep).slice(1).join("/"),
    original_file_path: s.file,
    patch_path: s.patchPath ? `${project.name}://${s.patchPath}` : null,
    fqn: [project.name, ...s.fqn, s.name],
    schema: s.config.schema,
    alias: s.name,
    relation_name: s.relation,
    checksum: { name: "sha256", checksum: seedChecksum(project.root, s) },
    config: {
      materialized: "seed",
      schema: s.config.schema,
      column_types: s.config.column_types,
      delimiter: s.config.delimiter,
      tags: s.config.tags,
    },
    tags: s.config.tags,
    description: s.description ?? "",
    columns: Object.fromEntries(
      s.columns.map((c) => [
        c.name,
        {
          name: c.name,
          description: c.description ?? "",
          data_type: s.config.column_types[c.name] ?? c.data_type ?? null,
        },
      ]),
    ),
    depends_on: { nodes: [], macros: [] },
    root_path: project.root,
  };
}
