/**
 * `cco sandbox …`: the simulated cloud the executor runs against offline. status shows its clock,
 * its resources by state and the last calls made to it; advance moves its clock on and writes
 * the days' billing and metrics for `cco ingest`; reset forgets it (the next use starts again
 * from the warehouse).
 */
import type { Command } from "commander";
import { context, positiveInt, print, warehouseFor } from "../context.ts";

export function register(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description("The simulated cloud the executor acts on offline (actions.adapters: sandbox)");

  sandbox
    .command("status")
    .description("the sandbox's clock, its resources by kind and state, and the last calls made to it")
    .option("--tail <n>", "how many calls of the request log to show", positiveInt, 10)
    .action(async (opts: { tail: number }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { openSandbox } = await import("../../../actions/providers/sandbox/sandbox.ts");
      const state = (await openSandbox(config, await warehouseFor(config))).state();
      const counts = new Map<string, number>();
      for (const r of Object.values(state.resources)) {
        const key = `${r.provider} ${r.kind} ${r.status}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      const resources = [...counts].sort().map(([key, count]) => {
        const [provider = "", kind = "", status = ""] = key.split(" ");
        return { provider, kind, status, count };
      });
      const requests = state.requests.slice(-opts.tail);
      print(
        json,
        {
          clock: state.clock,
          started_at: state.startedAt,
          billed_through: state.billedThrough,
          resources,
          requests,
        },
        [
          `Sandbox clock ${state.clock} (started ${state.startedAt}; billed through ${state.billedThrough ?? "nothing yet"})`,
          ...resources.map(
            (r) => `  ${r.provider.padEnd(6)} ${r.kind.padEnd(9)} ${r.status.padEnd(12)} ${r.count}`,
          ),
          `Last ${requests.length} of ${state.requests.length} calls:`,
          ...requests.map(
            (r) =>
              `  ${r.at} ${r.call} ${r.operation} ${r.resourceId} -> ${r.outcome}${r.message ? ` (${r.message})` : ""} [${r.requestId}]`,
          ),
        ].join("\n"),
      );
    });

  sandbox
    .command("advance")
    .description("move the sandbox's clock on and write the days' billing and metrics for cco ingest")
    .option("--days <n>", "days to move on", positiveInt, 1)
    .action(async (opts: { days: number }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { advanceSandbox } = await import("../../../actions/providers/sandbox/advance.ts");
      const result = await advanceSandbox(config, await warehouseFor(config), { days: opts.days });
      print(
        json,
        { clock: result.clock, days: result.days, out: result.outDir, files: result.files.length },
        result.days.length
          ? `Sandbox clock now ${result.clock}; billed ${result.days.join(", ")}: ${result.files.length} files in ${result.outDir} (load them with: cco ingest ${result.outDir})`
          : `Sandbox clock now ${result.clock}; no day ended, nothing billed.`,
      );
    });

  sandbox
    .command("reset")
    .description("forget the sandbox's state and exports: the next use starts again from the warehouse")
    .action(async (_opts: unknown, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { resetSandbox } = await import("../../../actions/providers/sandbox/sandbox.ts");
      resetSandbox(config);
      print(json, { reset: true }, "Sandbox reset: its state and exports are gone.");
    });
}
