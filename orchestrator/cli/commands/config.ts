/** `cco config`: the effective configuration, spelled as cco.config.yaml spells it. */
import type { Command } from "commander";
import { context } from "../context.ts";

export function register(program: Command): void {
  program
    .command("config")
    .description(
      "Print the effective configuration (defaults, file, environment and flags applied) as a config file: YAML, or JSON with --json",
    )
    .action(async (_opts, cmd: Command) => {
      const { config, json } = await context(cmd);
      const { toFileConfig } = await import("../../../core/config.ts");
      const file = toFileConfig(config);
      if (json) {
        process.stdout.write(`${JSON.stringify(file, null, 2)}\n`);
        return;
      }
      const { stringify } = await import("yaml");
      process.stdout.write(
        `# Effective cco configuration (from ${config.source === "(defaults)" ? "the defaults" : config.source}); loadable as cco.config.yaml.\n`,
      );
      process.stdout.write(stringify(file));
    });
}
