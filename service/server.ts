/**
 * `cco serve`: the service as one process. It takes the warehouse's lock for its lifetime (one
 * writer per file: a `cco run` beside it is refused, not interleaved), opens the warehouse once,
 * starts the schedules (executor, pipeline) and the notification pump, and listens. close()
 * stops accepting requests, lets the current pipeline step and executor run finish, then closes
 * the warehouse and releases the lock.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { DestinationStream } from "pino";
import type { Config } from "../core/config.ts";
import { UsageError } from "../core/errors.ts";
import { closeWarehouse, openWarehouse, type Warehouse } from "../core/warehouse/warehouse.ts";
import { acquireWarehouseLock, type WarehouseLock } from "../orchestrator/lock.ts";
import { createApp } from "./app.ts";
import { resolveJwtSecret } from "./auth/sessions.ts";
import { ReadCache } from "./http/read-cache.ts";
import { startBackground } from "./background.ts";
import { createLogger, createMetrics } from "./observability.ts";
import { openReadPool } from "./read-pool.ts";

export interface ServiceOptions {
  port?: number;
  host?: string;
  /** An open warehouse to serve (tests): the service neither locks nor closes it. */
  warehouse?: Warehouse;
  /** Start the executor's and the pipeline's schedules and the notification pump (default true). */
  schedules?: boolean;
  /** Where the JSON log goes (default stdout). */
  logDestination?: DestinationStream;
  /** bcrypt cost of passwords set through the API (tests use less than the default 12). */
  bcryptCost?: number;
  env?: NodeJS.ProcessEnv;
  /** Said once at start (a missing session secret). */
  warn?: (message: string) => void;
}

export interface RunningService {
  url: string;
  port: number;
  host: string;
  /** Stop accepting, drain, close the warehouse, release the lock; safe to call twice. */
  close(): Promise<void>;
}

const READERS = 4;
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export async function startService(config: Config, options: ServiceOptions = {}): Promise<RunningService> {
  const host = options.host ?? config.service.host;
  const port = options.port ?? config.service.port;
  const logger = createLogger(config.service.log_level, options.logDestination);
  const warn = options.warn ?? ((message: string) => logger.warn(message));
  // Refuse a bad secret before taking anything.
  const jwtSecret = resolveJwtSecret(config, options.env ?? process.env, warn);

  let lock: WarehouseLock | undefined;
  let warehouse = options.warehouse;
  const owned = !warehouse;
  const undo: (() => Promise<void> | void)[] = [];
  const unwind = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    if (!warehouse) {
      lock = acquireWarehouseLock(config.warehouse.path, "cco serve", {
        staleMinutes: config.pipeline.lock_stale_minutes,
        warn,
      });
      undo.push(() => lock?.release());
      warehouse = await openWarehouse(config);
      undo.push(() => closeWarehouse());
    }
    const pool = await openReadPool(warehouse, READERS);
    undo.push(() => pool.close());
    const metrics = createMetrics(pool.next);
    const cache = new ReadCache(config.service.read_cache_ms);
    const background = await startBackground(warehouse, config, logger, metrics, {
      schedules: options.schedules ?? true,
      onChange: () => cache.clear(),
    });
    undo.push(() => background.stop());
    const { app } = createApp({
      config,
      warehouse,
      reader: pool.next,
      cache,
      background,
      logger,
      metrics,
      jwtSecret,
      bcryptCost: options.bcryptCost,
      loopback: () => LOOPBACK.test(host),
    });
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(s)));
    }).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(
        `cannot listen on ${host}:${port}: ${error.code === "EADDRINUSE" ? "the port is in use" : error.message} (choose another --port)`,
      );
    });
    // Keep-alive connections would hold close() open: idle ones close at once, busy ones after their answer.
    server.keepAliveTimeout = 5000;
    undo.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // A client that holds a request open longer than this is cut off.
          setTimeout(() => server.closeAllConnections(), 30_000).unref();
        }),
    );
    const address = server.address() as AddressInfo;
    const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `http://${shown}:${address.port}`;
    logger.info({ url, warehouse: warehouse.file, owned }, "listening");
    let closing: Promise<void> | undefined;
    return {
      url,
      port: address.port,
      host,
      close: () => {
        closing ??= (async () => {
          logger.info("stopping: no new requests; finishing the current step and executor run");
          await unwind();
          logger.info("stopped");
          await new Promise<void>((resolve) => logger.flush(() => resolve()));
        })();
        return closing;
      },
    };
  } catch (error) {
    await unwind();
    throw error;
  }
}
