/**
 * The assistant: `cco explain` and `cco ask`, and the service's /api/v1/ask.
 * STUB: the assistant helper replaces this with the real implementation.
 */
import type { Config } from "../core/config.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";

export interface Explanation {
  recommendationId: string;
  /** "model" when an OpenAI-compatible endpoint wrote it, "template" otherwise. */
  source: "model" | "template";
  text: string;
  /** The warehouse rows it rests on. */
  evidence: Record<string, unknown>;
}

export async function explainRecommendation(
  _warehouse: Warehouse,
  _config: Config,
  _recommendationId: string,
): Promise<Explanation> {
  throw new Error("not built yet");
}

export interface Answer {
  conversationId: string;
  answer: string;
  /** Each SQL statement the agent ran, in order, with its row count or error. */
  sql: { statement: string; rows?: number; error?: string }[];
  steps: number;
}

export async function askQuestion(
  _warehouse: Warehouse | undefined,
  _config: Config,
  _question: string,
  _options: { conversationId?: string; user?: string } = {},
): Promise<Answer> {
  throw new Error("not built yet");
}
