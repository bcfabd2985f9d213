/**
 * `cco actions …` as its own process, for the GCP kill test: the command module on a program with
 * the CLI's global options (the real index.ts registers it the same way once wired).
 */
import { Command } from "commander";
import { register } from "../../../../orchestrator/cli/commands/actions.ts";
import { cleanUp } from "../../../../orchestrator/cli/context.ts";

const program = new Command("cco")
  .option("--config <file>")
  .option("--warehouse <file>")
  .option("--data-dir <dir>")
  .option("--json")
  .option("-q, --quiet")
  .exitOverride();
register(program);
try {
  await program.parseAsync(process.argv.slice(2), { from: "user" });
} finally {
  await cleanUp();
}
