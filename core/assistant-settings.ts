/**
 * The `assistant:` section of cco.config.yaml: the OpenAI-compatible endpoint and model behind
 * `cco explain` and `cco ask`, its limits, and whether names leave the machine. The key comes
 * from OPENAI_API_KEY (or the variable named here), never the file.
 */
import { z } from "zod";

export const assistantSchema = z
  .strictObject({
    /** OpenAI, Azure OpenAI, Ollama, vLLM …; default: OPENAI_BASE_URL, else OpenAI. */
    base_url: z.string().url().optional(),
    /** The model (Azure OpenAI: the deployment's name). */
    model: z.string().min(1).default("gpt-4o-mini"),
    /** Environment variable holding the API key. */
    api_key_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .default("OPENAI_API_KEY"),
    /** Replace account names and tag values with placeholders before anything is sent. */
    redact: z.boolean().default(false),
    /** Tool calls per question before the agent stops. */
    max_steps: z.number().int().min(1).max(50).default(8),
    /** Rows one SQL tool call returns. */
    max_rows: z.number().int().min(1).max(10_000).default(200),
    /** Time one SQL tool call may run. */
    statement_timeout_ms: z.number().int().min(100).max(300_000).default(10_000),
    /** Earlier turns of a conversation kept for follow-ups. */
    memory_turns: z.number().int().min(0).max(50).default(6),
    /** Time one request to the endpoint may take. */
    request_timeout_ms: z.number().int().min(100).default(60_000),
    /** Retries of a request that timed out or failed with 408, 409, 429 or 5xx (the SDK's backoff). */
    max_retries: z.number().int().min(0).max(10).default(2),
  })
  .prefault({});

export type AssistantSettings = z.output<typeof assistantSchema>;
