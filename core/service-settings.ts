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
      })
      .prefault({}),
    /** Largest JSON body accepted. */
    max_body_kb: z.number().int().positive().max(10_240).default(256),
    /** Behind a reverse proxy: trust X-Forwarded-For for the client address. */
    trust_proxy: z.boolean().default(false),
    log_level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  })
  .prefault({});

export type ServiceSettings = z.output<typeof serviceSchema>;
