/**
 * The assistant: `cco explain` and `cco ask`, and the service's /api/v1/ask.
 * explain: evidence.ts gathers the rows, template.ts or the model (endpoint.ts) writes the text.
 * ask: agent.ts loops over tools.ts on readonly-sql.ts (guarded by sql-guard.ts), with memory in
 * conversations.ts and redaction in redact.ts.
 */
export { type Answer, type AskOptions, askQuestion, StepLimitError } from "./agent.ts";
export { type Explanation, type ExplainOptions, explainRecommendation } from "./explain.ts";
