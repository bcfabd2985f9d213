/**
 * The OpenAI-compatible endpoint: the `openai` client with the base URL, model, key, timeout and
 * retries the config names. Works with OpenAI, Azure OpenAI's v1 API, Ollama and vLLM (any server
 * speaking POST /chat/completions with tools). Its failures become errors a user can act on.
 */
import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessage,
} from "openai/resources/chat/completions";
import type { Config } from "../core/config.ts";
import { CcoError } from "../core/errors.ts";

export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

export interface Endpoint {
  client: OpenAI;
  baseURL: string;
  model: string;
  keyEnv: string;
  timeoutMs: number;
}

/** The endpoint when its key is set; undefined without one. */
export function endpointFor(config: Config, env: NodeJS.ProcessEnv = process.env): Endpoint | undefined {
  const settings = config.assistant;
  const apiKey = env[settings.api_key_env]?.trim();
  if (!apiKey) return undefined;
  const baseURL = (settings.base_url ?? env.OPENAI_BASE_URL?.trim()) || OPENAI_DEFAULT_BASE_URL;
  const client = new OpenAI({
    apiKey,
    baseURL,
    // Never the process's OPENAI_* leftovers: only what the config and `env` say.
    organization: env.OPENAI_ORG_ID ?? null,
    project: env.OPENAI_PROJECT_ID ?? null,
    timeout: settings.request_timeout_ms,
    maxRetries: settings.max_retries,
    // Azure OpenAI's v1 API takes the key as api-key (it also accepts the bearer token the SDK sends).
    defaultHeaders: /\.openai\.azure\.com$/i.test(hostOf(baseURL)) ? { "api-key": apiKey } : undefined,
  });
  return {
    client,
    baseURL,
    model: settings.model,
    keyEnv: settings.api_key_env,
    timeoutMs: settings.request_timeout_ms,
  };
}

/** What to set to turn the assistant on, for the message shown without a key. */
export function howToEnable(config: Config): string {
  const s = config.assistant;
  return [
    `the assistant needs an OpenAI-compatible endpoint and ${s.api_key_env} is not set. To enable it:`,
    `  export ${s.api_key_env}=<key>            (the variable is assistant.api_key_env; local servers take any value)`,
    `  endpoint: assistant.base_url in ${config.source === "(defaults)" ? "cco.config.yaml" : config.source}, or OPENAI_BASE_URL; now ${s.base_url ?? "OPENAI_BASE_URL or OpenAI"}`,
    "    Azure OpenAI  https://<resource>.openai.azure.com/openai/v1 (model: the deployment's name)",
    "    Ollama        http://127.0.0.1:11434/v1        vLLM  http://<host>:8000/v1",
    `  model: assistant.model, now ${s.model}`,
  ].join("\n");
}

/** One chat completion's message; a CcoError (exit 1) saying what went wrong otherwise. */
export async function complete(
  endpoint: Endpoint,
  body: Omit<ChatCompletionCreateParamsNonStreaming, "model">,
): Promise<ChatCompletionMessage> {
  let response: ChatCompletion;
  try {
    response = await endpoint.client.chat.completions.create({ ...body, model: endpoint.model });
  } catch (error) {
    throw endpointError(endpoint, error);
  }
  const message = response?.choices?.[0]?.message;
  if (!message) {
    throw new CcoError(`the model endpoint ${endpoint.baseURL} answered without a message (no choices)`);
  }
  return message;
}

function endpointError(endpoint: Endpoint, error: unknown): CcoError {
  const at = `the model endpoint ${endpoint.baseURL}`;
  if (error instanceof APIConnectionTimeoutError) {
    return new CcoError(
      `${at} did not answer within ${endpoint.timeoutMs} ms (assistant.request_timeout_ms)`,
      { cause: error },
    );
  }
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return new CcoError(`cannot reach ${at}${cause} (assistant.base_url or OPENAI_BASE_URL)`, {
      cause: error,
    });
  }
  if (error instanceof APIError) {
    const detail = apiMessage(error);
    const hint =
      error instanceof AuthenticationError || error instanceof PermissionDeniedError
        ? ` — check the key in ${endpoint.keyEnv}`
        : error instanceof NotFoundError
          ? ` — check assistant.model (${endpoint.model}) and the base URL`
          : error instanceof RateLimitError
            ? " — rate limited or out of quota; try again later"
            : "";
    return new CcoError(`${at} answered HTTP ${error.status}${detail ? `: ${detail}` : ""}${hint}`, {
      cause: error,
    });
  }
  if (error instanceof CcoError) return error;
  return new CcoError(`${at}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** The server's own message, without the SDK's "404 " prefix. */
function apiMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (body && typeof body.message === "string") return body.message;
  return error.message.replace(/^\d{3}\s*/, "").replace(/^status code \(no body\)$/, "");
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}
