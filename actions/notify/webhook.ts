/**
 * A generic HTTP webhook (SMS gateways, incident tools): the notice as JSON with its rendered
 * message, the configured headers, and an Idempotency-Key so a receiver can drop the
 * duplicate a retry after a lost response would send.
 */
import type { NotificationsSettings } from "../../core/notifications-settings.ts";
import { postJson } from "./http.ts";
import type { Notice } from "./outbox.ts";
import type { RenderedNotice } from "./templates.ts";

export type WebhookChannel = Extract<NotificationsSettings["channels"][number], { type: "webhook" }>;

export async function sendWebhook(
  channel: WebhookChannel,
  notice: Notice,
  message: RenderedNotice,
  options: { signal: AbortSignal; id: string; createdAt: string },
): Promise<void> {
  const body = {
    notification_id: options.id,
    event: notice.event,
    subject: notice.subject,
    title: notice.title,
    fields: notice.fields ?? {},
    message: { subject: message.subject, text: message.text },
    created_at: options.createdAt,
  };
  await postJson(channel.url, body, {
    headers: { ...channel.headers, "idempotency-key": options.id },
    signal: options.signal,
  });
}
