/** Commands whose stage is not built yet: each says so and exits 2, doing nothing. */
import type { Command } from "commander";
import { NotBuiltError } from "../../../core/errors.ts";

const NOT_BUILT = [
  ["serve", "The approval and actions service (express) with its scheduler", "a later issue"],
] as const;

export function register(program: Command): void {
  for (const [name, description, issue] of NOT_BUILT) {
    program
      .command(name)
      .description(`${description} — not built yet`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new NotBuiltError(name, issue);
      });
  }
}
