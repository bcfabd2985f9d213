/** runDag: dependencies first, never more than `workers` at once, the given order among the ready. */
import { describe, expect, it } from "vitest";
import { runDag } from "../../../core/dbt/schedule.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runDag", () => {
  it("starts a node only after its dependencies, with at most `workers` running", async () => {
    const nodes = [
      { id: "a", dependsOn: [] },
      { id: "b", dependsOn: [] },
      { id: "c", dependsOn: ["a"] },
      { id: "d", dependsOn: ["b", "c"] },
      { id: "e", dependsOn: ["outside"] },
    ];
    const events: string[] = [];
    let running = 0;
    let most = 0;
    const workersSeen = new Set<number>();
    await runDag(nodes, 2, async (node, worker) => {
      workersSeen.add(worker);
      running++;
      most = Math.max(most, running);
      events.push(`start ${node.id}`);
      await sleep(node.id === "b" ? 30 : 5);
      events.push(`end ${node.id}`);
      running--;
    });
    expect(most).toBe(2);
    expect([...workersSeen].sort()).toEqual([0, 1]);
    for (const [node, dep] of [
      ["c", "a"],
      ["d", "b"],
      ["d", "c"],
    ]) {
      expect(events.indexOf(`start ${node}`)).toBeGreaterThan(events.indexOf(`end ${dep}`));
    }
    // "e" depends only on a node outside the set: it is ready at once, after a and b take the workers.
    expect(events.indexOf("start e")).toBeLessThan(events.indexOf("end b"));
  });

  it("runs one at a time in the given order with one worker", async () => {
    const order: string[] = [];
    await runDag(
      ["x", "y", "z"].map((id) => ({ id, dependsOn: [] })),
      1,
      async (node) => {
        order.push(node.id);
      },
    );
    expect(order).toEqual(["x", "y", "z"]);
  });

  it("starts, among the ready nodes, the one heading the costliest chain", async () => {
    const order: string[] = [];
    const nodes = [
      { id: "short", dependsOn: [], cost: 5 },
      { id: "head", dependsOn: [], cost: 1 },
      { id: "tail", dependsOn: ["head"], cost: 10 },
    ];
    await runDag(nodes, 1, async (node) => {
      order.push(node.id);
    });
    expect(order).toEqual(["head", "tail", "short"]);
  });

  it("reports a cycle by name instead of waiting forever", async () => {
    const nodes = [
      { id: "p", dependsOn: ["q"] },
      { id: "q", dependsOn: ["p"] },
    ];
    await expect(runDag(nodes, 2, async () => undefined)).rejects.toThrow(/p, q/);
  });

  it("waits for running nodes before passing on an error", async () => {
    let finished = false;
    const nodes = [
      { id: "slow", dependsOn: [] },
      { id: "bad", dependsOn: [] },
    ];
    await expect(
      runDag(nodes, 2, async (node) => {
        if (node.id === "bad") throw new Error("boom");
        await sleep(20);
        finished = true;
      }),
    ).rejects.toThrow("boom");
    expect(finished).toBe(true);
  });
});
