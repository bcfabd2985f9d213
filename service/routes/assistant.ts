/** POST /api/v1/ask: a question for the assistant (assistant/index.ts), answered with the SQL it ran. */
import { z } from "zod";
import { CcoError } from "../../core/errors.ts";
import { ApiError } from "../http/errors.ts";
import type { RouteContext } from "./context.ts";

/**
 * The assistant's own failures (no model configured, the endpoint unreachable or refusing) are
 * the service's state, not the client's mistake nor a bug: 503 with the assistant's message.
 */
export async function orUnavailable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CcoError) throw new ApiError("unavailable", error.message);
    throw error;
  }
}

export function register({ api, warehouse, config }: RouteContext): void {
  api.route(
    {
      method: "post",
      path: "/api/v1/ask",
      tag: "assistant",
      summary: "Ask the assistant about the warehouse; follow-ups pass the conversation_id back",
      access: "viewer",
      body: z.strictObject({
        question: z.string().min(1).max(4000),
        conversation_id: z.string().min(1).max(100).optional(),
      }),
      response: z.object({
        conversation_id: z.string(),
        answer: z.string(),
        sql: z.array(
          z.object({ statement: z.string(), rows: z.number().optional(), error: z.string().optional() }),
        ),
      }),
    },
    async ({ body, auth }) => {
      const { askQuestion } = await import("../../assistant/index.ts");
      const answer = await orUnavailable(() =>
        askQuestion(warehouse, config, body.question, {
          conversationId: body.conversation_id,
          user: auth.username,
        }),
      );
      return {
        conversation_id: answer.conversationId,
        answer: answer.answer,
        sql: answer.sql,
        steps: answer.steps,
      };
    },
  );
}
