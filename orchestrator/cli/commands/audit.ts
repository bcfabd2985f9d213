/**
 * `cco audit verify`: is the audit log whole (exit 0) or broken (exit 1, naming the first
 * broken entry's seq and why)? `cco audit log`: the entries, filtered by subject and event.
 */
import type { Command } from "commander";
import { CheckFailedError } from "../../../core/errors.ts";
import { context, positiveInt, print, warehouseFor } from "../context.ts";

export function register(program: Command): void {
  const audit = program
    .command("audit")
    .description("The tamper-evident audit log of decisions, actions, provider calls and notifications");

  audit
    .command("verify")
    .description(
      "recompute the hash chain and compare its head with the anchor; exit 1 if anything was edited, deleted, reordered or cut",
    )
    .action(async (_opts, cmd: Command) => {
      const { config, json, progress } = await context(cmd);
      const { verifyAudit } = await import("../../../actions/audit/verify.ts");
      const result = await verifyAudit(await warehouseFor(config));
      for (const warning of result.warnings) progress.warn(warning);
      if (json) {
        print(true, result, "");
        if (!result.intact) process.exitCode = 1;
        return;
      }
      if (result.problem) {
        throw new CheckFailedError(
          `audit log broken at seq ${result.problem.seq} (${result.problem.reason}): ${result.problem.message}`,
        );
      }
      const head = result.head ? `, head seq ${result.head.seq}` : "";
      const anchored = result.anchor ? ` (anchored in ${result.anchorFile})` : "";
      print(false, result, `audit log intact: ${result.entries} entries${head}${anchored}`);
    });

  audit
    .command("log")
    .description("print audit entries, oldest first (the last --limit that match)")
    .option("--subject <id>", "only entries about this recommendation, action or run")
    .option("--event <event>", "only this event, or a family: --event notification matches notification.sent")
    .option("--limit <n>", "the last N matching entries", positiveInt, 50)
    .action(async (opts: { subject?: string; event?: string; limit: number }, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { readAuditLog } = await import("../../../actions/audit/read.ts");
      const entries = await readAuditLog(await warehouseFor(config), opts);
      const lines = entries.map(
        (e) =>
          `#${e.seq} ${e.logged_at} ${e.actor} ${e.event}${e.subject ? ` ${e.subject}` : ""} ${JSON.stringify(e.detail)}`,
      );
      print(json, entries, lines.length ? lines.join("\n") : "no audit entries match");
    });
}
