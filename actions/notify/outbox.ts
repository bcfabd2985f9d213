/**
 * The notification outbox: an event is queued, one row per configured channel that wants it, in
 * the caller's transaction (so it lands with the change it announces); delivery runs apart
 * (deliver.ts) with retries and never blocks the executor.
 */
import { createHash } from "node:crypto";
import type { Config } from "../../core/config.ts";
import type { NOTIFICATION_EVENTS } from "../../core/notifications-settings.ts";
import type { TransactionScope, Warehouse } from "../../core/warehouse/warehouse.ts";
import { redact } from "../audit/redact.ts";

export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export interface Notice {
  event: NotificationEvent;
  /** The recommendation or action it is about. */
  subject: string;
  /** A one-line summary, and the fields the templates use. */
  title: string;
  fields?: Record<string, string | number | null>;
}

/** Queue a notice for every channel subscribed to its event; returns how many rows were queued. */
export async function enqueueNotification(
  target: Warehouse | TransactionScope,
  config: Pick<Config, "notifications">,
  notice: Notice,
): Promise<number> {
  const channels = config.notifications.channels.filter((c) => c.events.includes(notice.event));
  if (!channels.length) return 0;
  const now = new Date().toISOString();
  const safe = redact(notice);
  const payload = JSON.stringify(safe);
  const write = async (tx: TransactionScope) => {
    for (const channel of channels) {
      const id = createHash("sha256")
        .update([notice.event, notice.subject, channel.name, now, payload].join("|"))
        .digest("hex")
        .slice(0, 24);
      await tx.run(
        `insert into ops.notifications (notification_id, event, subject, channel, payload, status, attempts, next_attempt_at, created_at)
         values ($1, $2, $3, $4, $5::json, 'pending', 0, $6::timestamptz, $6::timestamptz) on conflict do nothing`,
        [id, notice.event, safe.subject, channel.name, payload, now],
      );
    }
  };
  if ("transaction" in target) await target.transaction(write);
  else await write(target);
  return channels.length;
}
