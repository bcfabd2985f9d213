import { describe, expect, it } from "vitest";
import { renderNotice } from "../../../actions/notify/templates.ts";
import { NOTIFICATION_EVENTS } from "../../../core/notifications-settings.ts";

describe("templates", () => {
  it("give every event its own subject line and body from the title and fields", () => {
    const rendered = NOTIFICATION_EVENTS.map((event) =>
      renderNotice({
        event,
        subject: "rec-1",
        title: "Stop vm-9",
        fields: { monthly_savings: "40.00", approver: null },
      }),
    );
    expect(rendered.map((r) => r.subject)).toEqual([
      "[cco] Approval needed: Stop vm-9",
      "[cco] Escalation: Stop vm-9",
      "[cco] Executed: Stop vm-9",
      "[cco] Verification failed: Stop vm-9",
      "[cco] Rolled back: Stop vm-9",
    ]);
    expect(new Set(rendered.map((r) => r.lead)).size).toBe(NOTIFICATION_EVENTS.length);
    for (const r of rendered) {
      expect(r.text).toContain("\nStop vm-9\n\nSubject: rec-1\nMonthly savings: 40.00\nApprover: -\n");
      expect(r.text.startsWith(r.lead)).toBe(true);
      expect(r.text).toContain(r.next);
    }
    expect(rendered[3]?.next).toBe("What was measured: cco actions status rec-1");
  });

  it("keep the subject on one line and bounded", () => {
    const r = renderNotice({
      event: "executed",
      subject: "a",
      title: `line one\nline two ${"x".repeat(300)}`,
    });
    expect(r.subject).not.toContain("\n");
    expect(r.subject.startsWith("[cco] Executed: line one line two x")).toBe(true);
    expect(r.subject).toHaveLength(200);
  });
});
