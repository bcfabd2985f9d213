/**
 * `cco help [command…]`: a command's help, as `cco <command…> --help` prints it. Commander's
 * own help command prints without running the preparations some commands' help needs
 * (ingest's formats, focus-check's criteria), so this one replaces it.
 */
import type { Command } from "commander";
import { UsageError } from "../../../core/errors.ts";
import { prepareHelp } from "../context.ts";

export function register(program: Command): void {
  program.helpCommand(false);
  program
    .command("help")
    .description("display help for a command")
    .argument("[command...]", "a command, e.g. ingest or models build")
    .action(async (names: string[]) => {
      let target = program;
      for (const name of names) {
        const sub = target.commands.find((c) => c.name() === name || c.aliases().includes(name));
        if (!sub) throw new UsageError(`no command "${names.join(" ")}"; see cco --help`);
        await prepareHelp(sub);
        target = sub;
      }
      target.outputHelp();
    });
}
