/**
 * Delivery of the outbox: pending notifications whose next attempt is due are sent on their
 * channel; a failure is retried with exponential backoff and full jitter until `attempts` are
 * spent (then failed), and every send and failure goes to the audit log, naming the target by
 * its origin only. Nothing here throws at the caller or holds it up: deliverNotifications takes
 * a time limit for the end of a CLI command, startNotificationPump runs it in the background.
 */
import type { Config } from "../../core/config.ts";
import type { TransactionScope, Warehouse } from "../../core/warehouse/warehouse.ts";
import { syncAuditHead } from "../audit/head.ts";
import { appendAudit } from "../audit/log.ts";
import { redactText } from "../audit/redact.ts";
import { sendEmail } from "./email.ts";
import { originOf, SendError } from "./http.ts";
import type { Notice } from "./outbox.ts";
import { sendSlack } from "./slack.ts";
import { renderNotice } from "./templates.ts";
import { sendWebhook } from "./webhook.ts";

type Settings = Config["notifications"];
type Channel = Settings["channels"][number];

export interface DeliveryOptions {
  /** Stops delivery: sends in flight are abandoned and their rows left pending, untouched. */
  signal?: AbortSignal;
  /**
   * Keep going (waiting for retries that come due) for at most this long. Without it, one pass:
   * each due notification is tried once.
   */
  timeLimitMs?: number;
}

export interface DeliveryReport {
  sent: number;
  /** Failed for good in this call. */
  failed: number;
  /** Failed in this call, another attempt scheduled. */
  retrying: number;
  /** Still pending after this call (due later, or left when time ran out). */
  pending: number;
  /** Why delivery itself stopped early (the warehouse closed, …); never thrown. */
  error?: string;
}

interface OutboxRow {
  notification_id: string;
  event: string;
  subject: string | null;
  channel: string;
  payload: string;
  attempts: number;
  created_at: string;
}

const running = new WeakMap<Warehouse, Promise<unknown>>();

export function deliverNotifications(
  warehouse: Warehouse,
  config: Pick<Config, "notifications">,
  options: DeliveryOptions = {},
): Promise<DeliveryReport> {
  // One delivery at a time per warehouse, or a pump and a command could send a row twice.
  const previous = running.get(warehouse) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => deliver(warehouse, config.notifications, options));
  running.set(warehouse, next);
  return next;
}

async function deliver(
  warehouse: Warehouse,
  settings: Settings,
  options: DeliveryOptions,
): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: 0, failed: 0, retrying: 0, pending: 0 };
  const stops = [
    options.signal,
    options.timeLimitMs !== undefined ? AbortSignal.timeout(Math.max(0, options.timeLimitMs)) : undefined,
  ];
  const stop = AbortSignal.any(stops.filter((s): s is AbortSignal => s !== undefined));
  const deadline = options.timeLimitMs !== undefined ? Date.now() + options.timeLimitMs : undefined;
  const tried = new Set<string>();
  try {
    while (!stop.aborted) {
      const due = (await dueRows(warehouse)).filter(
        (r) => deadline !== undefined || !tried.has(r.notification_id),
      );
      if (due.length) {
        for (const row of due) tried.add(row.notification_id);
        await Promise.all(
          groupBy(due, (r) => r.channel).map(async (rows) => {
            for (const row of rows) if (!stop.aborted) await attempt(warehouse, settings, row, stop, report);
          }),
        );
        continue;
      }
      if (deadline === undefined) break;
      const wake = await nextAttemptAt(warehouse);
      if (wake === null || wake >= deadline) break;
      await sleep(Math.max(0, wake - Date.now()), stop);
    }
    const [left] = await warehouse.all<{ n: string }>(
      "select count(*) as n from ops.notifications where status = 'pending'",
    );
    report.pending = Number(left?.n ?? 0);
  } catch (error) {
    report.error = redactText((error as Error).message);
  }
  return report;
}

async function dueRows(warehouse: Warehouse): Promise<OutboxRow[]> {
  return warehouse.all<OutboxRow>(
    `select notification_id, event, subject, channel, payload::varchar as payload, attempts, created_at::varchar as created_at
     from ops.notifications where status = 'pending' and next_attempt_at <= $1::timestamptz
     order by created_at, notification_id limit 500`,
    [new Date().toISOString()],
  );
}

async function nextAttemptAt(warehouse: Warehouse): Promise<number | null> {
  const [row] = await warehouse.all<{ ms: string | null }>(
    "select epoch_ms(min(next_attempt_at)) as ms from ops.notifications where status = 'pending'",
  );
  return row?.ms == null ? null : Number(row.ms);
}

/** One send of one notification, and its outcome recorded with its audit entry. */
async function attempt(
  warehouse: Warehouse,
  settings: Settings,
  row: OutboxRow,
  stop: AbortSignal,
  report: DeliveryReport,
): Promise<void> {
  const attemptNo = Number(row.attempts) + 1;
  const channel = settings.channels.find((c) => c.name === row.channel);
  const base = {
    notification_id: row.notification_id,
    channel: row.channel,
    event: row.event,
    attempt: attemptNo,
  };
  let failure: SendError | undefined;
  try {
    if (!channel) throw new SendError(`channel ${row.channel} is not in the config (any more)`, false);
    const notice = JSON.parse(row.payload) as Notice;
    const message = renderNotice(notice);
    const signal = AbortSignal.any([stop, AbortSignal.timeout(settings.timeout_ms)]);
    const sendOptions = {
      signal,
      id: row.notification_id,
      createdAt: row.created_at,
      timeoutMs: settings.timeout_ms,
    };
    if (channel.type === "slack") await sendSlack(channel, message, sendOptions);
    else if (channel.type === "webhook") await sendWebhook(channel, notice, message, sendOptions);
    else await sendEmail(channel, notice, message, sendOptions);
  } catch (error) {
    // Stopped by the caller: the remote may or may not have it; the row stays as it was.
    if (stop.aborted) return;
    failure = asSendError(error, settings.timeout_ms);
  }
  if (!failure && channel) {
    await record(warehouse, row, {
      status: "sent",
      attempts: attemptNo,
      audit: {
        event: "notification.sent",
        detail: { ...base, type: channel.type, target: targetOf(channel) },
      },
    });
    report.sent += 1;
    return;
  }
  failure ??= new SendError("not sent", false);
  const final = !failure.retryable || attemptNo >= settings.attempts;
  const delay = final ? 0 : backoffMs(settings, attemptNo, failure.retryAfterMs);
  const retryAt = final ? null : new Date(Date.now() + delay).toISOString();
  const message = withoutChannelSecrets(redactText(failure.message), channel);
  await record(warehouse, row, {
    status: final ? "failed" : "pending",
    attempts: attemptNo,
    nextAttemptAt: retryAt,
    error: message,
    audit: {
      event: "notification.failed",
      detail: {
        ...base,
        type: channel?.type ?? null,
        target: channel ? targetOf(channel) : null,
        error: message,
        final,
        retry_at: retryAt,
      },
    },
  });
  if (final) report.failed += 1;
  else report.retrying += 1;
}

/** Full jitter: uniform in [0, min(max_ms, base_ms · 2^(attempt-1))], and no sooner than Retry-After. */
export function backoffMs(
  settings: Pick<Settings, "base_ms" | "max_ms">,
  attempt: number,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(settings.max_ms, settings.base_ms * 2 ** (attempt - 1));
  return Math.min(settings.max_ms, Math.max(Math.floor(random() * ceiling), retryAfterMs));
}

async function record(
  warehouse: Warehouse,
  row: OutboxRow,
  outcome: {
    status: "sent" | "pending" | "failed";
    attempts: number;
    nextAttemptAt?: string | null;
    error?: string;
    audit: { event: string; detail: Record<string, unknown> };
  },
): Promise<void> {
  await warehouse.transaction(async (tx: TransactionScope) => {
    await tx.run(
      `update ops.notifications set status = $2, attempts = $3, next_attempt_at = $4::timestamptz,
         last_error = $5, sent_at = case when $2 = 'sent' then now() else sent_at end
       where notification_id = $1`,
      [
        row.notification_id,
        outcome.status,
        outcome.attempts,
        outcome.nextAttemptAt ?? null,
        outcome.error ?? null,
      ],
    );
    await appendAudit(tx, {
      actor: "cco:notify",
      event: outcome.audit.event,
      subject: row.subject,
      detail: outcome.audit.detail,
    });
  });
  await syncAuditHead(warehouse);
}

/** Where a channel sends, without what could be its secret (a webhook URL's path, a password). */
export function targetOf(channel: Channel): string {
  return channel.type === "email"
    ? `smtp://${channel.host}:${channel.port} to ${channel.to.join(", ")}`
    : originOf(channel.url);
}

function asSendError(error: unknown, timeoutMs: number): SendError {
  if (error instanceof SendError) return error;
  const e = error as Error;
  if (e?.name === "TimeoutError") return new SendError(`no answer within ${timeoutMs} ms`, true);
  // A template or payload that cannot be rendered will not render next time either.
  return new SendError(e?.message ?? String(error), false);
}

function groupBy<T>(items: T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return [...groups.values()];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

export { startNotificationPump } from "./pump.ts";

/**
 * A failure's text without the channel's own secrets, wherever a server quoted them back (an SMTP
 * 535 repeating the password, a webhook 404 repeating its URL): the URL's path and query and each
 * long segment of them, header values and their words, the password. redactText knows shapes;
 * these are known by value.
 */
function withoutChannelSecrets(text: string, channel: Channel | undefined): string {
  if (!channel) return text;
  const secrets: string[] = [];
  if (channel.type === "email") {
    if (channel.password) secrets.push(channel.password);
  } else {
    const url = URL.canParse(channel.url) ? new URL(channel.url) : undefined;
    if (url) secrets.push(`${url.pathname}${url.search}`, ...`${url.pathname}${url.search}`.split(/[/?&=]/));
    if (channel.type === "webhook")
      for (const value of Object.values(channel.headers)) secrets.push(value, ...value.split(/\s+/));
  }
  let out = text;
  for (const secret of [...new Set(secrets)].filter((s) => s.length >= 8).sort((a, b) => b.length - a.length))
    out = out.replaceAll(secret, "[redacted]");
  return out;
}
