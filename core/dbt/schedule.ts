/**
 * Runs a DAG's nodes on a fixed number of workers (dbt's `threads`): a node starts once every
 * node it depends on has finished. Among the ready ones, the one heading the longest chain of
 * work still to do goes first (each node's `cost`, e.g. its time in the last run), then the
 * earliest in the given order.
 */
export interface DagNode {
  id: string;
  /** Ids of nodes this one waits for; ids not among the nodes count as done. */
  dependsOn: string[];
  /** Expected work (any unit); unknown counts as none. */
  cost?: number;
}

/** Each node's cost plus the costliest chain of nodes that wait on it. */
function chainCosts(nodes: DagNode[]): Map<string, number> {
  const children = new Map<string, DagNode[]>();
  for (const node of nodes)
    for (const d of node.dependsOn) children.set(d, [...(children.get(d) ?? []), node]);
  const memo = new Map<string, number>();
  const visit = (node: DagNode, seen: Set<string>): number => {
    const known = memo.get(node.id);
    if (known !== undefined) return known;
    if (seen.has(node.id)) return 0; // a cycle: runDag reports it
    seen.add(node.id);
    const after = Math.max(0, ...(children.get(node.id) ?? []).map((c) => visit(c, seen)));
    const total = (node.cost ?? 0) + after;
    memo.set(node.id, total);
    return total;
  };
  for (const node of nodes) visit(node, new Set());
  return memo;
}

export async function runDag<N extends DagNode>(
  nodes: N[],
  workers: number,
  run: (node: N, worker: number) => Promise<void>,
): Promise<void> {
  const ids = new Set(nodes.map((n) => n.id));
  const done = new Set<string>();
  const chain = chainCosts(nodes);
  // A stable sort keeps the given order among equal chains.
  const pending = [...nodes].sort((a, b) => chain.get(b.id)! - chain.get(a.id)!);
  const idle = Array.from({ length: Math.max(1, workers) }, (_, i) => i);
  const running = new Set<Promise<void>>();
  while (pending.length || running.size) {
    for (let i = 0; i < pending.length && idle.length; ) {
      const node = pending[i]!;
      if (!node.dependsOn.every((d) => done.has(d) || !ids.has(d))) {
        i++;
        continue;
      }
      pending.splice(i, 1);
      const worker = idle.shift()!;
      const task: Promise<void> = run(node, worker).finally(() => {
        done.add(node.id);
        idle.push(worker);
        idle.sort((a, b) => a - b);
        running.delete(task);
      });
      running.add(task);
    }
    if (!running.size) throw new Error(`no order runs ${pending.map((n) => n.id).join(", ")} (a cycle)`);
    try {
      await Promise.race(running);
    } catch (error) {
      await Promise.allSettled(running);
      throw error;
    }
  }
}
