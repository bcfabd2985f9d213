/**
 * Retrying a pipeline stage that failed on a transient error: throttling, a dropped or refused
 * connection, a busy service. Anything else (bad input, a failed check, a bug) fails at once:
 * running it again would fail the same way.
 */

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ECONNREFUSED",
  "EPIPE",
  // undici (fetch) wraps socket failures in these.
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
]);
const TRANSIENT_STATUS = new Set([429, 503]);
const TRANSIENT_TEXT =
  /[Tt]hrottl|SlowDown|RequestLimitExceeded|rateLimitExceeded|TooManyRequests|Too Many Requests|Service Unavailable/;
/** Loaders that wrap a network failure in their own error keep its code in the message only. */
const TRANSIENT_CODE_TEXT = /\b(ECONNRESET|ETIMEDOUT|EAI_AGAIN|ECONNREFUSED)\b/;

type ErrorLike = {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  status?: unknown;
  statusCode?: unknown;
  retryable?: unknown;
  cause?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  response?: { status?: unknown };
  errors?: { reason?: unknown }[];
};

/** True for throttling and network errors, anywhere in the error's cause chain. */
export function isTransient(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const x = e as ErrorLike;
    // The action adapters' ProviderError says so itself (throttled, timeout, server).
    if (x.name === "ProviderError") return x.retryable === true;
    if (typeof x.code === "string" && TRANSIENT_CODES.has(x.code)) return true;
    const status = [x.status, x.statusCode, x.$metadata?.httpStatusCode, x.response?.status, x.code];
    if (status.some((s) => typeof s === "number" && TRANSIENT_STATUS.has(s))) return true;
    const words = [x.name, x.code, x.message, ...(x.errors ?? []).map((r) => r.reason)];
    if (words.some((w) => typeof w === "string" && TRANSIENT_TEXT.test(w))) return true;
    if (typeof x.message === "string" && TRANSIENT_CODE_TEXT.test(x.message)) return true;
    e = x.cause;
  }
  return false;
}

/** Before attempt n+1 (n >= 1): base * 2^(n-1), the upper half of it random ("equal jitter"). */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = baseMs * 2 ** (attempt - 1);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  /** Waits between attempts (tests pass one that records instead of waiting). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** No further attempt once aborted. */
  signal?: AbortSignal;
  /** Called before each attempt, with its number (1 for the first). */
  onAttempt?: (attempt: number) => void;
  /** Called when a transient failure will be retried after `delayMs`. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export async function withRetry<T>(work: () => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    options.onAttempt?.(attempt);
    try {
      return await work();
    } catch (error) {
      if (attempt >= options.attempts || !isTransient(error) || options.signal?.aborted) throw error;
      const delay = backoffMs(attempt, options.baseDelayMs, options.random);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}

/** setTimeout as a promise that ends early (resolving) when the signal aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
