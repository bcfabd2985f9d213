/**
 * dbt's node selection syntax for --select: name, +name (and its ancestors), name+ (and its
 * descendants), +name+, tag:x, path:dir; several selectors separated by spaces are a union.
 */
import path from "node:path";
import { UsageError } from "../errors.ts";
import type { CompiledModel } from "./compile.ts";
import { childrenOf } from "./graph.ts";

export function selectModels(models: Map<string, CompiledModel>, select: string | undefined): Set<string> {
  if (!select?.trim()) return new Set(models.keys());
  const parents = new Map([...models].map(([name, m]) => [name, m.refs]));
  const children = childrenOf(parents);
  const chosen = new Set<string>();
  for (const token of select.trim().split(/\s+/)) {
    const up = token.startsWith("+");
    const down = token.endsWith("+");
    const base = matching(models, token.replace(/^\+|\+$/g, ""));
    if (!base.length) throw new UsageError(`--select ${token} matches no model`);
    for (const name of base) {
      chosen.add(name);
      if (up) walk(name, parents, chosen);
      if (down) walk(name, children, chosen);
    }
  }
  return chosen;
}

/** The models one selector names, before graph operators. */
function matching(models: Map<string, CompiledModel>, selector: string): string[] {
  const all = [...models.values()];
  if (selector.startsWith("tag:")) {
    const tag = selector.slice(4);
    return all.filter((m) => m.config.tags.includes(tag)).map((m) => m.node.name);
  }
  if (selector.startsWith("path:")) {
    const prefix = path.normalize(selector.slice(5));
    return all.filter((m) => m.node.file.startsWith(prefix)).map((m) => m.node.name);
  }
  return models.has(selector) ? [selector] : [];
}

/** Everything reachable from `start` along `next` (parents or children), into `out`. */
function walk(start: string, next: Map<string, readonly string[]>, out: Set<string>): void {
  for (const n of next.get(start) ?? []) {
    if (out.has(n)) continue;
    out.add(n);
    walk(n, next, out);
  }
}
