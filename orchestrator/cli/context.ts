/**
 * What every command's action needs: the config (loaded when an action runs, never to
 * build the program or print help), progress output, printing, and option parsers that
 * reject a bad value naming the option (a usage error, exit 2).
 */
import { type Command, InvalidArgumentError } from "commander";
import type { Config } from "../../core/config.ts";
import type { Warehouse } from "../../core/warehouse/warehouse.ts";
import { createProgress, type Progress } from "../../core/log.ts";

export interface GlobalOptions {
  config?: string;
  warehouse?: string;
  dataDir?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface Context {
  config: Config;
  progress: Progress;
  json: boolean;
  quiet: boolean;
}

export async function context(cmd: Command): Promise<Context> {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  const { loadConfig } = await import("../../core/config.ts");
  const config = loadConfig({ configFile: opts.config, warehouse: opts.warehouse, dataDir: opts.dataDir });
  return {
    config,
    progress: createProgress({ quiet: Boolean(opts.json || opts.quiet) }),
    json: Boolean(opts.json),
    quiet: Boolean(opts.quiet),
  };
}

const cleanups: (() => Promise<void>)[] = [];

/** The process's warehouse (DuckDB and its driver load here, when a command first needs them); closed by main(). */
export async function warehouseFor(config: Config): Promise<Warehouse> {
  const { openWarehouse, closeWarehouse } = await import("../../core/warehouse/warehouse.ts");
  if (!cleanups.includes(closeWarehouse)) cleanups.push(closeWarehouse);
  const warehouse = await openWarehouse(config);
  // Notices a command queued (approval needed, executed, rolled back) go out before the
  // warehouse closes, for at most 5 s: what is not sent stays queued for the next command.
  if (config.notifications.channels.length && !delivering) {
    delivering = async () => {
      const { deliverNotifications } = await import("../../actions/notify/deliver.ts");
      await deliverNotifications(warehouse, config, { timeLimitMs: 5000 });
    };
    cleanups.unshift(delivering);
  }
  return warehouse;
}
let delivering: (() => Promise<void>) | undefined;

const afterClosing: (() => void)[] = [];

/** Run `fn` once the command's warehouse is closed (a lock released after DuckDB let go of the file). */
export function afterClose(fn: () => void): void {
  afterClosing.push(fn);
}

/** Close what the command opened; main() calls it after every command, failed or not. */
export async function cleanUp(): Promise<void> {
  delivering = undefined;
  try {
    for (const close of cleanups.splice(0)) await close();
  } finally {
    for (const fn of afterClosing.splice(0)) fn();
  }
}

/** JSON for --json, the human text otherwise, on stdout. */
export function print(json: boolean, data: unknown, human: string): void {
  process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human}\n`);
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("expected a whole number");
  }
  return n;
}

export function positiveInt(value: string): number {
  const n = nonNegativeInt(value);
  if (n === 0) throw new InvalidArgumentError("expected a whole number above 0");
  return n;
}

/** YYYY-MM-DD, a real calendar day. */
export function date(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !day || day.toISOString().slice(0, 10) !== value) {
    throw new InvalidArgumentError("expected a date YYYY-MM-DD");
  }
  return value;
}

/** YYYY-MM (a day, YYYY-MM-DD, is accepted and names its month). */
export function month(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return date(value);
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) {
    throw new InvalidArgumentError("expected a month YYYY-MM");
  }
  return value;
}

export const SELECT_HELP = "dbt selection: model, +model, model+, tag:x, path:dir (several allowed)";

const preparations = new Map<Command, () => Promise<void>>();

/**
 * Run `prepare` before `child` parses its arguments, when it is the command run or helped
 * (`cco <child> --help`, `cco help <child>`): for choices and help text that need a module
 * nothing else in the CLI loads.
 */
export function beforeInvoked(child: Command, prepare: () => Promise<void>): void {
  preparations.set(child, prepare);
  child.parent?.hook("preSubcommand", async (_parent, sub) => {
    if (sub === child) await prepare();
  });
}

/** What `cco help <command>` runs before printing that command's help. */
export async function prepareHelp(command: Command): Promise<void> {
  await preparations.get(command)?.();
}
