/**
 * The `notifications:` section of cco.config.yaml: where approval requests, escalations,
 * executions, failed verifications and rollbacks are sent. Secrets (webhook URLs, SMTP
 * passwords) come from the environment with ${VAR}.
 */
import { z } from "zod";

export const NOTIFICATION_EVENTS = [
  "approval_needed",
  "escalation",
  "executed",
  "verification_failed",
  "rolled_back",
] as const;
const events = z.array(z.enum(NOTIFICATION_EVENTS)).default([...NOTIFICATION_EVENTS]);
/** An http(s) URL, or a ${VAR} the environment fills in after validation. */
const url = z
  .string()
  .min(1)
  .refine(
    (s) => s.includes("${") || /^https?:\/\/[^\s/]+/i.test(s),
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's own ${VAR} syntax
    "expected an http:// or https:// URL (or ${VAR})",
  );

const channel = z.discriminatedUnion("type", [
  /** Slack-compatible incoming webhook ({"text": …}). */
  z.strictObject({ type: z.literal("slack"), name: z.string().min(1), url, events }),
  /** A generic HTTP webhook (SMS gateways and the like): the event as JSON. */
  z.strictObject({
    type: z.literal("webhook"),
    name: z.string().min(1),
    url,
    headers: z.record(z.string(), z.string()).default({}),
    events,
  }),
  z.strictObject({
    type: z.literal("email"),
    name: z.string().min(1),
    host: z.string().min(1),
    port: z.number().int().positive().default(587),
    secure: z.boolean().default(false),
    user: z.string().optional(),
    password: z.string().optional(),
    from: z.string().min(3),
    to: z.array(z.string().min(3)).min(1),
    events,
  }),
]);

export const notificationsSchema = z
  .strictObject({
    // The outbox names a channel by its name: two channels with one name could not be told apart.
    channels: z
      .array(channel)
      .default([])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((c, i) => {
          if (seen.has(c.name))
            ctx.addIssue({ code: "custom", path: [i, "name"], message: `duplicate channel name ${c.name}` });
          seen.add(c.name);
        });
      }),
    /** Attempts per notification, with exponential backoff and full jitter from base_ms, capped at max_ms. */
    attempts: z.number().int().min(1).max(20).default(5),
    base_ms: z.number().int().min(1).default(1000),
    max_ms: z.number().int().min(1).default(300_000),
    /** One send's time limit (connect, request and response). */
    timeout_ms: z.number().int().min(100).default(10000),
  })
  .prefault({});

export type NotificationsSettings = z.output<typeof notificationsSchema>;
