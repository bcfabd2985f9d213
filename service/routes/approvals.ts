/**
 * /api/v1/approvals: where each queued row stands, and decisions. Each decision goes through
 * decideOne (actions/approvals/decisions.ts), the rules `cco approvals decide` and the sheet
 * import obey (one vote per person per version, two people for high risk, the acknowledgement of
 * an irreversible kind), with the signed-in user as the approver. Items are decided one by one:
 * a refused item does not stop the others.
 */
import { z } from "zod";
import { approvalStatus } from "../../actions/approvals/status.ts";
import { DecisionsRejectedError, decideOne } from "../../actions/approvals/decisions.ts";
import { UsageError } from "../../core/errors.ts";
import { APPROVAL_STATES, approvalsOf } from "./recommendations.ts";
import type { RouteContext } from "./context.ts";

const decisionSchema = z.strictObject({
  recommendation_id: z.string().min(1).max(200),
  decision: z.enum(["approve", "reject", "defer"]),
  note: z.string().max(2000).optional(),
  /** The version the client decided on (the row's approval.version): refused if the row changed since. */
  version: z.string().min(1).max(64).optional(),
  acknowledge_irreversible: z.boolean().optional(),
  /** Not before this time (ISO 8601; UTC unless an offset is given). */
  execute_after: z.string().max(40).optional(),
});

const resultSchema = z.object({
  recommendation_id: z.string(),
  ok: z.boolean(),
  state: z.enum(APPROVAL_STATES).optional(),
  approvals: z.number().optional(),
  required: z.number().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export function register({ api, warehouse, reader, config, now }: RouteContext): void {
  api.route(
    {
      method: "get",
      path: "/api/v1/approvals",
      shared: true,
      tag: "approvals",
      summary: "The approval queue: each row's state, approvals counted and required",
      access: "viewer",
      query: z.strictObject({ state: z.enum(APPROVAL_STATES).optional() }),
    },
    async ({ query }) => {
      const statuses = await approvalStatus(reader(), config, now());
      return statuses
        .filter((s) => !query.state || s.state === query.state)
        .map((s) => ({
          ...s.row,
          state: s.state,
          approvals: s.approvals,
          required: s.required,
          approvers: s.approvers,
          execute_after: s.executeAfter?.toISOString() ?? null,
          expires_at: s.expiresAt?.toISOString() ?? null,
          acknowledged: s.acknowledged,
        }));
    },
  );

  api.route(
    {
      method: "post",
      path: "/api/v1/approvals/decide",
      tag: "approvals",
      summary: "Approve, reject or defer recommendations as the signed-in user, one result per item",
      access: "approver",
      body: z.strictObject({ decisions: z.array(decisionSchema).min(1).max(500) }),
      response: z.object({ results: z.array(resultSchema) }),
    },
    async ({ body, auth }) => {
      const results: z.output<typeof resultSchema>[] = [];
      for (const d of body.decisions) {
        const fail = (code: string, message: string) =>
          results.push({ recommendation_id: d.recommendation_id, ok: false, error: { code, message } });
        if (d.version !== undefined) {
          const [queued] = await warehouse.all<{ version: string }>(
            "select version from ops.approval_queue where recommendation_id = $1",
            [d.recommendation_id],
          );
          if (queued && queued.version !== d.version) {
            fail(
              "conflict",
              `the recommendation changed since you saw it (version ${d.version}, now ${queued.version}): reload and decide again`,
            );
            continue;
          }
        }
        try {
          await decideOne(warehouse, config, {
            recommendationId: d.recommendation_id,
            decision: d.decision,
            approver: auth.username,
            note: d.note,
            executeAfter: d.execute_after,
            acknowledgeIrreversible: d.acknowledge_irreversible,
            source: "api",
          });
        } catch (error) {
          if (error instanceof DecisionsRejectedError) {
            const notQueued = error.problems.some((p) => /not in the approval queue/.test(p.reason));
            fail(notQueued ? "not_found" : "refused", error.problems.map((p) => p.reason).join("; "));
            continue;
          }
          if (error instanceof UsageError) {
            fail("bad_request", error.message);
            continue;
          }
          throw error;
        }
        const state = (await approvalsOf(warehouse, [d.recommendation_id], now())).get(d.recommendation_id);
        results.push({
          recommendation_id: d.recommendation_id,
          ok: true,
          ...(state ? { state: state.state, approvals: state.approvals, required: state.required } : {}),
        });
      }
      return { results };
    },
  );
}
