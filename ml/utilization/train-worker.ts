/** A worker thread that trains forests (forest.ts) for the pool in workers.ts, one task at a time. */
import { parentPort } from "node:worker_threads";
import { type ForestTask, trainAndPredict } from "./forest.ts";

if (!parentPort) throw new Error("train-worker.ts runs as a worker thread");
const port = parentPort;
port.on("message", ({ id, task }: { id: number; task: ForestTask }) => {
  try {
    const result = trainAndPredict(task);
    port.postMessage({ id, result }, [result.treePredictions.buffer]);
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
port.postMessage({ ready: true });
