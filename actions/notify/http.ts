/**
 * One HTTP POST for the Slack and webhook channels, with the outcome sorted for the retry
 * policy: network errors, timeouts, 408, 425, 429 and 5xx are worth another attempt; any
 * other refusal (a revoked webhook's 404, a 400 for a bad payload) is not. Errors name the
 * target by its origin only: a webhook URL's path and query often are its secret.
 */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** The server's Retry-After, when it sent one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "SendError";
  }
}

/** scheme://host:port of a URL, nothing that could carry a secret. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(an invalid URL)";
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

export async function postJson(
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; signal: AbortSignal },
): Promise<void> {
  const target = originOf(url);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { ...options.headers, "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: options.signal,
      redirect: "error",
    });
  } catch (error) {
    if (options.signal.aborted) throw options.signal.reason ?? error;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new SendError(
      `cannot reach ${target}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      true,
    );
  }
  // Read the body either way: it frees the connection, and Slack says why it refused.
  const text = await response.text().catch(() => "");
  if (response.ok) return;
  const reason = text.trim().replace(/\s+/g, " ").slice(0, 200);
  throw new SendError(
    `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""} from ${target}${reason ? `: ${reason}` : ""}`,
    response.status >= 500 || RETRYABLE_STATUS.has(response.status),
    retryAfterMs(response.headers.get("retry-after")),
  );
}

/** Retry-After as seconds or an HTTP date. */
function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
