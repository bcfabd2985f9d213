/**
 * dbt's node selection syntax for --select: name, +name (and its ancestors), name+ (and its
 * descendants), +name+, tag:x, path:dir; several selectors separated by spaces are a union.
 * Seeds are nodes too: `+model` takes the seeds it reads, a seed's name selects it.
 */
import path from "node:path";
import { UsageError } from "../errors.ts";
import type { CompiledModel } from "./compile.ts";
import { childrenOf } from "./graph.ts";
import type { SeedNode } from "./seeds.ts";

/** The names of the selected models and seeds (every one when `select` is empty). */
export function selectModels(
  models: Map<string, CompiledModel>,
  select: string | undefined,
  seeds: ReadonlyMap<string, SeedNode> = new Map(),
): Set<string> {
  if (!select?.trim()) return new Set([...seeds.keys(), ...models.keys()]);
  const parents = new Map<string, readonly string[]>([
    ...[...seeds.keys()].map((name): [string, string[]] => [name, []]),
    ...[...models].map(([name, m]): [string, string[]] => [name, m.refs]),
  ]);
  const children = childrenOf(parents);
  const chosen = new Set<string>();
  for (const token of select.trim().split(/\s+/)) {
    const up = token.startsWith("+");
    const down = token.endsWith("+");
    const base = matching(models, seeds, token.replace(/^\+|\+$/g, ""));
    if (!base.length) throw new UsageError(`--select ${token} matches no model`);
    for (const name of base) {
      chosen.add(name);
      if (up) walk(name, parents, chosen);
      if (down) walk(name, children, chosen);
    }
  }
  return chosen;
}

/** The nodes one selector names, before graph operators. */
function matching(
  models: Map<string, CompiledModel>,
  seeds: ReadonlyMap<string, SeedNode>,
  selector: string,
): string[] {
  const all = [
    ...[...seeds.values()].map((s) => ({ name: s.name, tags: s.config.tags, file: s.file })),
    ...[...models.values()].map((m) => ({ name: m.node.name, tags: m.config.tags, file: m.node.file })),
  ];
  if (selector.startsWith("tag:")) {
    const tag = selector.slice(4);
    return all.filter((n) => n.tags.includes(tag)).map((n) => n.name);
  }
  if (selector.startsWith("path:")) {
    const prefix = path.normalize(selector.slice(5));
    return all.filter((n) => n.file.startsWith(prefix)).map((n) => n.name);
  }
  return models.has(selector) || seeds.has(selector) ? [selector] : [];
}

/** Everything reachable from `start` along `next` (parents or children), into `out`. */
function walk(start: string, next: Map<string, readonly string[]>, out: Set<string>): void {
  for (const n of next.get(start) ?? []) {
    if (out.has(n)) continue;
    out.add(n);
    walk(n, next, out);
  }
}
