/**
 * Email through SMTP (nodemailer): the rendered subject and text body, to every configured
 * recipient. The Message-ID comes from the notification id, so a retry after a lost reply is
 * recognisable as the same message. SMTP 5xx replies are final; anything else may pass later.
 */
import nodemailer from "nodemailer";
import type { NotificationsSettings } from "../../core/notifications-settings.ts";
import { SendError } from "./http.ts";
import type { Notice } from "./outbox.ts";
import type { RenderedNotice } from "./templates.ts";

export type EmailChannel = Extract<NotificationsSettings["channels"][number], { type: "email" }>;

export async function sendEmail(
  channel: EmailChannel,
  notice: Notice,
  message: RenderedNotice,
  options: { signal: AbortSignal; id: string; timeoutMs: number },
): Promise<void> {
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port,
    secure: channel.secure,
    auth: channel.user ? { user: channel.user, pass: channel.password ?? "" } : undefined,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  // nodemailer takes no AbortSignal: on abort, stop waiting and close the transport.
  let onAbort = () => {};
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => {
      transport.close();
      reject(options.signal.reason);
    };
  });
  aborted.catch(() => undefined);
  if (options.signal.aborted) onAbort();
  else options.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const sending = transport.sendMail({
      from: channel.from,
      to: channel.to,
      subject: message.subject,
      text: message.text,
      messageId: `<${options.id}@cco.notifications>`,
      headers: { "X-Cco-Event": notice.event, "X-Cco-Subject": notice.subject },
    });
    sending.catch(() => undefined);
    await Promise.race([sending, aborted]);
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason ?? error;
    const e = error as { responseCode?: number; code?: string; message?: string };
    const where = `${channel.host}:${channel.port}`;
    throw new SendError(
      `SMTP ${where}: ${e.responseCode ? `${e.responseCode} ` : ""}${e.message ?? String(error)}`,
      !(e.responseCode && e.responseCode >= 500),
    );
  } finally {
    options.signal.removeEventListener("abort", onAbort);
    transport.close();
  }
}
