/**
 * One ARM call through the SDK: the step's client request id in its headers, the SDK poller's
 * interval and the wait bound (an AbortSignal: a long-running operation still running after
 * `wait_seconds` ends as a timeout, its outcome unknown), the service's request id kept for the
 * audit log, and any error mapped to a ProviderError.
 */
import { type Clients, clientRequestId } from "./clients.ts";
import { toProviderError } from "./errors.ts";
import type { AzureCall } from "./permissions.ts";

export interface Caller {
  clients(subscription: string): Promise<Clients>;
  /** 1, 2, … each time this process asks for `key`: tells repeated changes of one step apart. */
  count(key: string): number;
  pollIntervalMs: number;
  waitMs: number;
}

interface Headers {
  get(name: string): string | undefined;
}

export interface CallOptions {
  /** @azure/arm-compute (modular SDK) operation options. */
  compute: {
    abortSignal: AbortSignal;
    updateIntervalInMs: number;
    requestOptions: { headers: Record<string, string> };
    onResponse: (response: { headers: Headers | Record<string, string> }) => void;
  };
  /** @azure/arm-network (core-client SDK) operation options. */
  network: {
    abortSignal: AbortSignal;
    updateIntervalInMs: number;
    requestOptions: { customHeaders: Record<string, string> };
    onResponse: (response: { headers: Headers }) => void;
  };
}

export interface Called<T> {
  value: T;
  /** x-ms-request-id of the call's first response. */
  requestId?: string;
}

export async function call<T>(
  caller: Caller,
  name: AzureCall,
  token: string | undefined,
  send: (o: CallOptions) => Promise<T>,
  /** Tells apart two different changes one step makes with the same call (a detach and its reversal). */
  variant = "",
): Promise<Called<T>> {
  const headers: Record<string, string> = token
    ? { "x-ms-client-request-id": clientRequestId(token, `${name}${variant}`) }
    : {};
  let requestId: string | undefined;
  const seen = (h: Headers | Record<string, string>) => {
    const id =
      typeof h.get === "function"
        ? (h as Headers).get("x-ms-request-id")
        : (h as Record<string, string>)["x-ms-request-id"];
    requestId ??= id;
  };
  const abortSignal = AbortSignal.timeout(caller.waitMs);
  const base = { abortSignal, updateIntervalInMs: caller.pollIntervalMs };
  try {
    const value = await send({
      compute: { ...base, requestOptions: { headers }, onResponse: (r) => seen(r.headers) },
      network: { ...base, requestOptions: { customHeaders: headers }, onResponse: (r) => seen(r.headers) },
    });
    return { value, ...(requestId ? { requestId } : {}) };
  } catch (error) {
    throw toProviderError(error, name);
  }
}
