/**
 * `actions.sandbox` in cco.config.yaml: the simulated cloud's injected faults and planted workload
 * changes (actions/providers/sandbox/, docs/sandbox.md). Every random fault is drawn from `seed`
 * and the call's sequence number, so the same calls fail the same way on every run.
 */
import { z } from "zod";

const OPERATIONS = [
  "stop_vm",
  "start_vm",
  "resize_vm",
  "snapshot_disk",
  "delete_disk",
  "restore_disk",
  "change_disk_type",
  "delete_snapshot",
  "release_address",
  "set_tags",
  "remove_tags",
] as const;

const isoInstant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)), {
  error: "expected an ISO 8601 time such as 2026-11-01T00:00:00Z",
});

export const sandboxSchema = z
  .strictObject({
    /** Probability per mutating call of a throttling error, a timeout, a 5xx. */
    throttle_rate: z.number().min(0).max(1).default(0),
    /** A timeout comes AFTER the change applied, as real APIs do: the caller must describe to reconcile. */
    timeout_rate: z.number().min(0).max(1).default(0),
    server_error_rate: z.number().min(0).max(1).default(0),
    /** Target sizes for which a resize (or a start at that size) fails with a capacity error. */
    capacity_errors: z.array(z.string()).default([]),
    /**
     * Denied by the provider's permission check and by the call itself: an operation for every
     * resource ("release_address") or for one ("release_address:eipalloc-…").
     */
    deny: z
      .array(
        z.string().regex(new RegExp(`^(${OPERATIONS.join("|")})(:.+)?$`), {
          error: `expected an operation (${OPERATIONS.join(", ")}), optionally :<resource id>`,
        }),
      )
      .default([]),
    /** Every mutating call on these resources fails, for the "partial failure of a batch" case. */
    fail_resources: z
      .array(
        z.strictObject({
          resource_id: z.string().min(1),
          code: z.enum(["server", "conflict", "invalid", "capacity"]).default("server"),
        }),
      )
      .default([]),
    /** A VM's workload grows by `factor` from `from` on (default: the sandbox's first hour). */
    load_surges: z
      .array(
        z.strictObject({
          resource_id: z.string().min(1),
          factor: z.number().positive(),
          from: isoInstant.optional(),
        }),
      )
      .default([]),
    /** The executor kills its process (as kill -9 would) once this step is recorded: "<kind>:<step>", 0 the first. */
    crash_after: z
      .string()
      .regex(/^[a-z_]+:\d+$/, {
        error: 'expected "<action kind>:<step>", e.g. resize_vm:1 (0 is the first step)',
      })
      .optional(),
    seed: z.number().int().default(7),
  })
  .prefault({});

export type SandboxSettings = z.output<typeof sandboxSchema>;
export const SANDBOX_OPERATIONS = OPERATIONS;
