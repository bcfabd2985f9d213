/**
 * `cco actions`: the executor. plan (a dry run: the plan and every call it would make, recorded,
 * nothing changed), run (config's mode, or --mode), status, rollback ID, pause and resume (the
 * kill switch). `run` exits 1 when an action it touched needs attention.
 */
import os from "node:os";
import { type Command, InvalidArgumentError } from "commander";
import { context, nonNegativeInt, print, warehouseFor } from "../context.ts";
import type { RunSummary } from "../../../actions/executor/run.ts";

function mode(value: string): "dry_run" | "execute" {
  if (value !== "dry_run" && value !== "execute")
    throw new InvalidArgumentError("expected dry_run or execute");
  return value;
}

function describeRun(s: RunSummary): string {
  const lines = [
    `run ${s.run_id} (${s.mode}${s.paused ? ", PAUSED" : ""}): ${s.started} started, ${s.skipped.length} skipped, ` +
      `${s.verified} verified, ${s.recovered} recovered after a crash: ${s.outcome}`,
  ];
  for (const a of s.actions) {
    lines.push(`  ${a.action_id}  ${a.kind} ${a.resource_id}: ${a.state}${a.error ? ` (${a.error})` : ""}`);
    if (s.mode === "dry_run")
      for (const op of a.plan ?? []) lines.push(`      would call ${JSON.stringify(op)}`);
  }
  for (const k of s.skipped) lines.push(`  skipped ${k.recommendation_id}: ${k.reason}`);
  return lines.join("\n");
}

async function run(cmd: Command, runMode?: "dry_run" | "execute"): Promise<void> {
  const { config, json } = await context(cmd);
  const warehouse = await warehouseFor(config);
  const { runExecutor } = await import("../../../actions/executor/run.ts");
  const summary = await runExecutor(warehouse, config, { mode: runMode, trigger: "cli" });
  print(json, summary, describeRun(summary));
  if (summary.actions.some((a) => a.state === "needs_attention")) process.exitCode = 1;
}

function provider(value: string): "aws" | "azure" | "gcp" {
  if (value !== "aws" && value !== "azure" && value !== "gcp")
    throw new InvalidArgumentError("expected aws, azure or gcp");
  return value;
}

export function register(program: Command): void {
  const actions = program
    .command("actions")
    .description("Execute approved changes on a schedule, verify them, roll back, pause");

  actions
    .command("policy")
    .description(
      "print the least-privilege grant for the action kinds enabled in config (actions.kinds): an IAM policy, an Azure custom role or a GCP custom role",
    )
    .requiredOption("--provider <provider>", "aws, azure or gcp", provider)
    .action(async (opts: { provider: "aws" | "azure" | "gcp" }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { policyFor } = await import("../../../actions/policy.ts");
      const policy = policyFor(opts.provider, config.actions.kinds);
      // The document alone on stdout (pipe it to a file); how to apply it on stderr.
      print(json, policy, JSON.stringify(policy.document, null, 2));
      if (!json)
        process.stderr.write(
          `# ${policy.kinds.length} kinds: ${policy.kinds.join(", ")}\n# ${policy.usage}\n`,
        );
    });

  actions
    .command("plan")
    .description(
      "a dry run: pre-flight every due approval and record the calls it would make; nothing changes",
    )
    .action(async (_opts, cmd: Command) => run(cmd, "dry_run"));

  actions
    .command("run")
    .description(
      "one executor run: reconcile, verify due changes, start due approvals (actions.mode, or --mode)",
    )
    .option("--mode <mode>", "dry_run or execute (default: actions.mode in config)", mode)
    .action(async (opts: { mode?: "dry_run" | "execute" }, cmd: Command) => run(cmd, opts.mode));

  actions
    .command("status")
    .description("the kill switch, the last run and the latest actions with their state")
    .option("--limit <n>", "actions to list", nonNegativeInt, 20)
    .action(async (opts: { limit: number }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const warehouse = await warehouseFor(config);
      const { executorControl } = await import("../../../actions/executor/control.ts");
      const limit = opts.limit;
      const control = await executorControl(warehouse, config);
      const [last] = await warehouse.all(
        "select run_id, mode, triggered_by, started_at::varchar as started_at, outcome, started, skipped::varchar as skipped from ops.action_runs order by started_at desc limit 1",
      );
      const rows = await warehouse.all<Record<string, string | null>>(
        `select action_id, kind, resource_id, mode, state, error, updated_at::varchar as updated_at
         from ops.actions order by updated_at desc limit ${limit}`,
      );
      const counts = await warehouse.all<{ state: string; n: number }>(
        "select state, count(*)::integer as n from ops.actions where mode = 'execute' group by state order by state",
      );
      const human = [
        `executor: ${control.paused ? `PAUSED by ${control.by}${control.reason ? ` (${control.reason})` : ""}` : "running"}, mode ${config.actions.mode}`,
        `last run: ${last ? `${last.run_id} ${last.started_at} ${last.outcome ?? "unfinished"}` : "none"}`,
        `actions: ${counts.map((c) => `${c.n} ${c.state}`).join(", ") || "none"}`,
        ...rows.map(
          (r) =>
            `  ${r.action_id}  ${r.mode}  ${r.kind} ${r.resource_id}: ${r.state}${r.error ? ` (${r.error})` : ""}`,
        ),
      ].join("\n");
      print(json, { control, last_run: last ?? null, counts, actions: rows }, human);
    });

  actions
    .command("rollback")
    .description("undo a succeeded (or verifying) action through its recorded undo")
    .argument("<action-id>", "the action's id (cco actions status)")
    .option("--reason <text>", "why")
    .option("--by <user>", "who", os.userInfo().username)
    .action(async (id: string, opts: { reason?: string; by: string }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const warehouse = await warehouseFor(config);
      const { rollbackAction } = await import("../../../actions/executor/rollback.ts");
      const action = await rollbackAction(warehouse, config, id, opts.by, { reason: opts.reason });
      print(json, action, `${id}: ${action.state}${action.error ? ` (${action.error})` : ""}`);
      if (action.state !== "rolled_back") process.exitCode = 1;
    });

  for (const [name, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    actions
      .command(name)
      .description(
        paused
          ? "the kill switch: no new action starts until resume"
          : "let the executor start actions again",
      )
      .option("--reason <text>", "why")
      .option("--by <user>", "who", os.userInfo().username)
      .action(async (opts: { reason?: string; by: string }, cmd: Command) => {
        const { config, json } = await context(cmd);
        const warehouse = await warehouseFor(config);
        const { setPaused, executorControl } = await import("../../../actions/executor/control.ts");
        await setPaused(warehouse, paused, opts.by, opts.reason ?? null);
        const control = await executorControl(warehouse, config);
        const note = !paused && control.paused ? ` (still paused: ${control.by})` : "";
        print(json, control, `executor ${paused ? "paused" : "resumed"} by ${opts.by}${note}`);
      });
  }
}
