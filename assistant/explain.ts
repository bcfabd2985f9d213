/**
 * `cco explain`: why a recommendation, its evidence, its risk and what to watch after the change.
 * Without a key the deterministic template writes it; with one the model writes the prose from
 * the same evidence (redacted when assistant.redact is on), and the evidence goes beside it.
 */
import type { Config } from "../core/config.ts";
import { CcoError } from "../core/errors.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import { complete, endpointFor } from "./endpoint.ts";
import { type Evidence, gatherEvidence } from "./evidence.ts";
import { collectSensitive, Redactor, redactionKey } from "./redact.ts";
import { templateText, watchText } from "./template.ts";

export interface Explanation {
  recommendationId: string;
  /** "model" when an OpenAI-compatible endpoint wrote it, "template" otherwise. */
  source: "model" | "template";
  text: string;
  /** The warehouse rows it rests on. */
  evidence: Record<string, unknown>;
  /** The model that wrote it (source "model"). */
  model?: string;
}

export interface ExplainOptions {
  /** Where the key and OPENAI_BASE_URL are read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

const SYSTEM = [
  "You explain one cloud cost recommendation to the engineer who owns the resource, from the JSON evidence given.",
  "Write four short sections titled Why, Evidence, Risk and What to watch.",
  "Use only numbers in the evidence, each with its unit and the dates it covers; invent nothing.",
  "Under What to watch, state the executor's check exactly as the evidence's watch object gives it (window hours, " +
    "thresholds, predicted band); watch_text says it in words.",
  "Placeholders such as ACCOUNT_1a2b3c4d or TAG_1a2b3c4d stand for hidden values: keep them verbatim.",
].join("\n");

export async function explainRecommendation(
  warehouse: Warehouse,
  config: Config,
  recommendationId: string,
  options: ExplainOptions = {},
): Promise<Explanation> {
  const evidence = await gatherEvidence(warehouse, config, recommendationId.trim());
  const id = evidence.recommendation.recommendation_id;
  const asRecord = evidence as unknown as Record<string, unknown>;
  const endpoint = endpointFor(config, options.env);
  if (!endpoint)
    return { recommendationId: id, source: "template", text: templateText(evidence), evidence: asRecord };
  const redactor = config.assistant.redact
    ? new Redactor(await collectSensitive((sql) => warehouse.all(sql)), redactionKey(config.dataDir))
    : undefined;
  const payload: Evidence & { watch_text: string } = { ...evidence, watch_text: watchText(evidence) };
  const message = await complete(endpoint, {
    messages: [
      { role: "system", content: SYSTEM },
      { role: "user", content: JSON.stringify(redactor ? redactor.redactValue(payload) : payload) },
    ],
  });
  const text = message.content?.trim();
  if (!text) throw new CcoError(`the model (${endpoint.model}) answered with no text`);
  return {
    recommendationId: id,
    source: "model",
    text: redactor ? redactor.restore(text) : text,
    evidence: asRecord,
    model: endpoint.model,
  };
}
