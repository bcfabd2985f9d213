/**
 * `cco serve`: the API, the approval grid and the report site, with the executor's and the
 * pipeline's schedules running inside (service/server.ts). Logs are JSON lines on stdout; the
 * address goes to stderr. SIGTERM or SIGINT: the current step and executor run finish, then exit 0.
 */
import { type Command, InvalidArgumentError } from "commander";
import { context, nonNegativeInt } from "../context.ts";

function port(value: string): number {
  const n = nonNegativeInt(value);
  if (n > 65535) throw new InvalidArgumentError("expected a port number 0-65535");
  return n;
}

export function register(program: Command): void {
  program
    .command("serve")
    .description(
      "Serve the API (/api/v1), the approval grid (/) and the report site (/reports/), and run the schedules",
    )
    .option("--port <n>", "port (default service.port, 8787; 0 picks a free one)", port)
    .option("--host <address>", "address to listen on (default service.host, 127.0.0.1; 0.0.0.0 for all)")
    .addHelpText(
      "after",
      `
Sign-in: add the first user before starting (the service holds the warehouse while it runs):
  cco users add alice --role admin          (asks for the password; or --password-stdin, or CCO_PASSWORD)
Sessions are signed with service.jwt_secret or CCO_JWT_SECRET (32+ characters).
Docs: docs/service.md`,
    )
    .action(async (opts: { port?: number; host?: string }, cmd: Command) => {
      const { config, progress } = await context(cmd);
      const { startService } = await import("../../../service/server.ts");
      const service = await startService(config, {
        port: opts.port,
        host: opts.host,
        warn: (message) => progress.warn(message),
      });
      progress.info(
        `cco serve: ${service.url}/ (API ${service.url}/api/v1, report ${service.url}/reports/); Ctrl-C stops`,
      );
      await new Promise<void>((resolve) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
      });
      progress.info("cco serve: stopping (the current step and executor run finish first)");
      await service.close();
    });
}
