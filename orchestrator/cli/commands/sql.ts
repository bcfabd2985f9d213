/** `cco sql`: DuckDB SQL on the warehouse, read-only unless --write. */
import type { Command } from "commander";
import { context } from "../context.ts";

export function register(program: Command): void {
  program
    .command("sql")
    .description("Run SQL on the warehouse (read-only unless --write): aligned table, or --json rows / --csv")
    .argument(
      "<query>",
      'DuckDB SQL, e.g. "select * from marts.cost_daily limit 5"; several statements (a; b) print one result each',
    )
    .option("--csv", "CSV output")
    .option(
      "--write",
      "open the warehouse for writing and allow any statement (INSERT, CREATE, DROP, COPY, SET, ATTACH, …)",
    )
    .addHelpText(
      "after",
      "\nWithout --write the warehouse is opened read-only and only queries run: SELECT (and DESCRIBE, SHOW,\n" +
        "SUMMARIZE, FROM, PRAGMA table_info, …) and EXPLAIN; any other statement is refused (exit 2) before\n" +
        "anything runs. With --json, one statement prints its rows; several print an array of row arrays.\n" +
        "While another process (a build, cco run) has the warehouse open, DuckDB lets no one else open it.",
    )
    .action(async (query: string, opts, cmd: Command) => {
      const { config, json, quiet } = await context(cmd);
      const { runSql } = await import("../sql-runner.ts");
      const { toAlignedTable, toCsv, toRowObjects } = await import("../../format-table.ts");
      const { statements, results, error } = await runSql(config, query, {
        write: Boolean(opts.write),
        note: (message) => {
          if (!quiet) process.stderr.write(`note: ${message}\n`);
        },
      });
      if (results.length) {
        const several = statements > 1;
        const text = json
          ? JSON.stringify(several ? results.map(toRowObjects) : toRowObjects(results[0]!), null, 2)
          : results.map(opts.csv ? toCsv : toAlignedTable).join("\n\n");
        process.stdout.write(`${text}\n`);
      }
      if (error) throw error;
    });
}
