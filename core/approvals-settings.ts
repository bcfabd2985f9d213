/**
 * The `approvals:` section of cco.config.yaml: who must approve what (the product plan's
 * multi-level approvals), how long an approval lasts and when a waiting request escalates.
 * Kept in the file's spelling once validated (as `ml:` is).
 */
import { z } from "zod";

const rule = z.strictObject({
  /** The rule applies when every condition given holds; a rule with none applies to all. */
  risk_levels: z.array(z.enum(["low", "medium", "high"])).optional(),
  min_monthly_savings: z.number().nonnegative().optional(),
  /** Different people who must approve the same version. */
  approvers: z.number().int().min(1).max(5),
});

export const approvalsSchema = z
  .strictObject({
    /** The first rule that matches decides; no match means one approver. */
    rules: z.array(rule).default([
      { risk_levels: ["high"], approvers: 2 },
      { min_monthly_savings: 1000, approvers: 2 },
    ]),
    /** An approval not executed within this many days lapses and must be given again. */
    expire_after_days: z.number().positive().default(7),
    /** A row waiting for a decision this long sends an escalation notification. */
    escalate_after_days: z.number().positive().default(3),
    /** The approver `cco run --demo` decides as. */
    demo_approver: z.string().min(1).default("demo.approver"),
  })
  .prefault({});

export type ApprovalsSettings = z.output<typeof approvalsSchema>;
