/** A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat): `text` for clients without blocks. */
import type { NotificationsSettings } from "../../core/notifications-settings.ts";
import { postJson } from "./http.ts";
import type { RenderedNotice } from "./templates.ts";

export type SlackChannel = Extract<NotificationsSettings["channels"][number], { type: "slack" }>;

export function slackMessage(message: RenderedNotice) {
  return {
    text: message.subject,
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          text: clip(`*${escapeMrkdwn(message.subject)}*\n${escapeMrkdwn(message.lead)}`, 3000),
        },
      },
      // Slack takes at most ten fields per section.
      {
        type: "section",
        fields: message.lines.slice(0, 10).map((l) => ({
          type: "mrkdwn",
          text: clip(`*${escapeMrkdwn(l.label)}*\n${escapeMrkdwn(l.value)}`, 2000),
        })),
      },
      { type: "context", elements: [{ type: "mrkdwn", text: clip(escapeMrkdwn(message.next), 3000) }] },
    ],
  };
}

export async function sendSlack(
  channel: SlackChannel,
  message: RenderedNotice,
  options: { signal: AbortSignal },
): Promise<void> {
  await postJson(channel.url, slackMessage(message), { signal: options.signal });
}

/** Slack's mrkdwn needs only these three escaped. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
