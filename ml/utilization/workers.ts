/**
 * Worker threads that train forests (train-worker.ts): ml-random-forest is pure JavaScript on one
 * thread, so training runs beside the event loop and on every core the job is given. Each task
 * carries its own seed, so results do not depend on which worker ran it or in what order.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { ForestResult, ForestTask } from "./forest.ts";

export interface ForestPool {
  readonly size: number;
  run(task: ForestTask): Promise<ForestResult>;
  close(): Promise<void>;
}

/** `workers: 0` means one per core, at most two (the training is the job's only parallel part). */
export function workerCount(setting: number): number {
  return setting > 0 ? setting : Math.max(1, Math.min(2, availableParallelism()));
}

function startWorker(): Worker {
  const fromSources = import.meta.url.endsWith(".ts");
  const url = new URL(`./train-worker.${fromSources ? "ts" : "js"}`, import.meta.url);
  if (!fromSources) return new Worker(url);
  // Run from the sources (vitest, tsx), the worker is TypeScript, which Node 20 does not load and
  // a worker's --import does not reach: register tsx's loader inside the worker first.
  const tsx = import.meta.resolve("tsx/esm/api");
  return new Worker(
    `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); });`,
    { eval: true },
  );
}

interface Pending {
  task: ForestTask;
  resolve: (r: ForestResult) => void;
  reject: (e: Error) => void;
}

export async function createPool(size: number): Promise<ForestPool> {
  const queue: Pending[] = [];
  const idle: Worker[] = [];
  const busy = new Map<Worker, Pending>();
  let failure: Error | undefined;

  const dispatch = () => {
    while (idle.length && queue.length) {
      const worker = idle.pop()!;
      const job = queue.shift()!;
      busy.set(worker, job);
      worker.postMessage({ id: 0, task: job.task }, [
        job.task.x.buffer,
        job.task.y.buffer,
        job.task.predict.buffer,
      ]);
    }
  };
  const fail = (error: Error) => {
    failure ??= error;
    for (const job of [...busy.values(), ...queue.splice(0)]) job.reject(failure);
    busy.clear();
  };

  const workers: Worker[] = [];
  let closing = false;
  const started = await Promise.allSettled(
    Array.from(
      { length: size },
      () =>
        new Promise<Worker>((ready, rejectStart) => {
          const worker = startWorker();
          workers.push(worker);
          worker.on("message", (message: { ready?: true; result?: ForestResult; error?: string }) => {
            if (message.ready) return ready(worker);
            const job = busy.get(worker);
            busy.delete(worker);
            idle.push(worker);
            if (message.error) job?.reject(new Error(`forest training failed: ${message.error}`));
            else job?.resolve(message.result!);
            dispatch();
          });
          worker.on("error", (error) => {
            rejectStart(error);
            fail(error);
          });
          // A worker that dies without an error event (out of memory, killed) takes its task with it.
          worker.on("exit", (code) => {
            if (closing) return;
            const error = new Error(`a forest training worker exited (code ${code})`);
            rejectStart(error);
            fail(error);
          });
        }),
    ),
  );
  const notStarted = started.find((r) => r.status === "rejected");
  if (notStarted) {
    closing = true;
    await Promise.all(workers.map((w) => w.terminate()));
    throw notStarted.reason;
  }
  idle.push(...workers);

  return {
    size,
    run(task) {
      if (failure) return Promise.reject(failure);
      return new Promise<ForestResult>((resolve, reject) => {
        queue.push({ task, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closing = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
