/**
 * The `service:` section of cco.config.yaml: where `cco serve` listens, its sessions, limits
 * and logs. The JWT secret comes from the environment (`${CCO_JWT_SECRET}`), never the file.
 */
import { z } from "zod";

export const serviceSchema = z
  .strictObject({
    host: z.string().min(1).default("127.0.0.1"),
    port: z.number().int().min(0).max(65535).default(8787),
    /** Signs session tokens (32 characters or more, checked at start); unset: a random secret per process, so sessions end on restart. */
    jwt_secret: z.string().min(1).optional(),
    session_hours: z.number().positive().max(720).default(12),
    /** Requests per window per client (IP or token), above which 429. */
    rate_limit: z
      .strictObject({
        window_seconds: z.number().int().positive().default(60),
        max: z.number().int().positive().default(1200),
        /** Sign-in attempts per window per address (whatever the user name), above which 429. */
        login_max: z.number().int().positive().default(20),
      })
      .prefault({}),
    /**
     * How long the answer to a read that is the same for everyone (recommendations, approvals,
     * actions, runs, audit lists) is reused; any change through the service empties it. 0: never.
     */
    read_cache_ms: z.number().int().min(0).max(60_000).default(1000),
    /** Largest JSON body accepted. */
    max_body_kb: z.number().int().positive().max(10_240).default(256),
    /** Behind a reverse proxy: trust X-Forwarded-For for the client address. */
    trust_proxy: z.boolean().default(false),
    log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .prefault({});

export type ServiceSettings = z.output<typeof serviceSchema>;
