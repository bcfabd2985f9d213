/**
 * Runs a DAG's nodes on a fixed number of workers (dbt's `threads`): a node starts once every
 * node it depends on has finished; among the ready ones, the earliest in the given order first.
 */
export interface DagNode {
  id: string;
  /** Ids of nodes this one waits for; ids not among the nodes count as done. */
  dependsOn: string[];
}

export async function runDag<N extends DagNode>(
  nodes: N[],
  workers: number,
  run: (node: N, worker: number) => Promise<void>,
): Promise<void> {
  const ids = new Set(nodes.map((n) => n.id));
  const done = new Set<string>();
  const pending = [...nodes];
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
