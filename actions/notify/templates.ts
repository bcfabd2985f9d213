/**
 * What each event says: a subject line and a plain-text body, built from the notice's title
 * and fields. Every channel renders from these, so a Slack message, a webhook and an email
 * about one event read the same.
 */
import type { Notice, NotificationEvent } from "./outbox.ts";

export interface RenderedNotice {
  subject: string;
  text: string;
  /** The body's parts: what happened, the notice's title, what to do next. */
  lead: string;
  title: string;
  next: string;
  /** The fields as labelled lines, for channels that lay them out themselves. */
  lines: { label: string; value: string }[];
}

const TEMPLATES: Record<
  NotificationEvent,
  { prefix: string; lead: string; next: (subject: string) => string }
> = {
  approval_needed: {
    prefix: "Approval needed",
    lead: "A change is waiting for your decision.",
    next: () =>
      "Decide in the approval table: cco approvals export, then cco approvals import FILE --as <you>.",
  },
  escalation: {
    prefix: "Escalation",
    lead: "A change has waited past its deadline for a decision.",
    next: () => "Approve, reject or defer it in the approval table; an undecided request expires.",
  },
  executed: {
    prefix: "Executed",
    lead: "An approved change was applied.",
    next: (subject) => `Its state and verification: cco actions status ${subject}`,
  },
  verification_failed: {
    prefix: "Verification failed",
    lead: "A change did not pass its verification: the resource is worse than its baseline allows.",
    next: (subject) => `What was measured: cco actions status ${subject}`,
  },
  rolled_back: {
    prefix: "Rolled back",
    lead: "A change was undone: the resource is back to its state before the change.",
    next: (subject) => `History: cco audit log --subject ${subject}`,
  },
};

export function renderNotice(notice: Notice): RenderedNotice {
  const template = TEMPLATES[notice.event];
  if (!template) throw new Error(`no template for notification event ${String(notice.event)}`);
  const lines = [
    { label: "Subject", value: notice.subject },
    ...Object.entries(notice.fields ?? {}).map(([key, value]) => ({
      label: labelOf(key),
      value: value === null || value === "" ? "-" : String(value),
    })),
  ];
  const subject = oneLine(`[cco] ${template.prefix}: ${notice.title}`, 200);
  const next = template.next(notice.subject);
  const text = [
    template.lead,
    "",
    notice.title,
    "",
    ...lines.map((l) => `${l.label}: ${l.value}`),
    "",
    next,
    "",
  ].join("\n");
  return { subject, text, lead: template.lead, title: notice.title, next, lines };
}

/** monthly_savings → Monthly savings. */
function labelOf(key: string): string {
  const words = key.replace(/[_-]+/g, " ").trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
