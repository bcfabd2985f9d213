/**
 * Compute Engine refusals as ProviderError codes. Two shapes reach us: an HTTP error
 * (https://cloud.google.com/apis/design/errors: {"error": {code, message, status, errors[].reason,
 * details[ErrorInfo]}}, which google-gax turns into a GoogleError with a gRPC code and the
 * ErrorInfo's reason), and a finished Operation carrying `error.errors[].code`
 * (https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations: ZONE_RESOURCE_POOL_EXHAUSTED
 * for capacity, QUOTA_EXCEEDED, RESOURCE_IN_USE_BY_ANOTHER_RESOURCE, …) with httpErrorStatusCode.
 * Capacity and quota are not retried (another zone or size is needed); throttling, 5xx and
 * timeouts are, by the executor.
 */
import type { protos } from "@google-cloud/compute";
import { ProviderError, type ProviderErrorCode } from "../adapter.ts";

type Operation = protos.google.cloud.compute.v1.IOperation;

/** gRPC status codes (google.rpc.Code) google-gax puts on its errors. */
const RPC: Record<number, ProviderErrorCode> = {
  1: "timeout", // CANCELLED (our own deadline aborting the call)
  2: "server", // UNKNOWN
  3: "invalid", // INVALID_ARGUMENT (400)
  4: "timeout", // DEADLINE_EXCEEDED (504)
  5: "not_found", // NOT_FOUND (404)
  6: "conflict", // ALREADY_EXISTS (409)
  7: "denied", // PERMISSION_DENIED (403)
  8: "throttled", // RESOURCE_EXHAUSTED (429)
  9: "conflict", // FAILED_PRECONDITION (412 conditionNotMet: a stale fingerprint)
  10: "conflict", // ABORTED (409)
  12: "invalid", // UNIMPLEMENTED
  13: "server", // INTERNAL (500)
  14: "server", // UNAVAILABLE (503)
  16: "denied", // UNAUTHENTICATED (401)
};

/** Reasons (legacy errors[].reason, ErrorInfo.reason, Operation error codes) that say more than the status. */
function byReason(reason: string): ProviderErrorCode | undefined {
  const r = reason.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
  if (/RESOURCE_POOL_EXHAUSTED|STOCKOUT|QUOTA_EXCEEDED/.test(r)) return "capacity";
  if (/RATE_?LIMIT/.test(r)) return "throttled";
  if (/NOT_?FOUND/.test(r)) return "not_found";
  if (/IN_?USE|NOT_?READY|CONDITION_?NOT_?MET|ALREADY_?EXISTS|CONFLICT|UNSUPPORTED_OPERATION/.test(r))
    return "conflict";
  if (/PERMISSION|FORBIDDEN|INSUFFICIENT|ACCESS_DENIED/.test(r)) return "denied";
  if (/INTERNAL|BACKEND_ERROR|UNAVAILABLE/.test(r)) return "server";
  return undefined;
}

function byHttp(status: number): ProviderErrorCode {
  if (status === 429) return "throttled";
  if (status === 404) return "not_found";
  if (status === 401 || status === 403) return "denied";
  if (status === 409 || status === 412) return "conflict";
  if (status === 408 || status === 504) return "timeout";
  if (status >= 500) return "server";
  return "invalid";
}

interface GaxLike {
  code?: number | string;
  status?: number;
  message?: string;
  reason?: string;
  name?: string;
  response?: { status?: number; data?: unknown };
}

interface HttpBody {
  error?: {
    message?: string;
    status?: string;
    errors?: { reason?: string }[];
    details?: { reason?: string }[];
  };
}

function parse(text: string | undefined): HttpBody | undefined {
  try {
    return text?.startsWith("{") ? (JSON.parse(text) as HttpBody) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An SDK or transport error as a ProviderError. Over REST, google-gax hands on the HTTP error as
 * gaxios raised it (status, and the documented JSON body as its message); a decoded GoogleError
 * carries a gRPC code and the ErrorInfo reason instead. Reasons decide first, then the status.
 */
export function fromError(error: unknown, requestId?: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (error ?? {}) as GaxLike;
  const http = typeof e.status === "number" ? e.status : e.response?.status;
  const body = parse(e.message) ?? (e.response?.data as HttpBody | undefined);
  const message = (body?.error?.message ?? String(e.message ?? error)).split("\n")[0]!;
  const reasons = [
    e.reason,
    ...(body?.error?.errors ?? []).map((x) => x.reason),
    ...(body?.error?.details ?? []).map((x) => x.reason),
  ].filter(Boolean) as string[];
  let code: ProviderErrorCode | undefined;
  for (const reason of reasons) code ??= byReason(reason);
  if (!code && http) code = byHttp(http);
  if (!code && typeof e.code === "number") code = RPC[e.code];
  // Transport failures before any answer (refused, reset, aborted): worth another try.
  if (!code && e.name === "AbortError") code = "timeout";
  code ??= "server";
  return new ProviderError(code, message, requestId);
}

/** A finished Operation's error as a ProviderError, or undefined when it succeeded. */
export function fromOperation(op: Operation): ProviderError | undefined {
  const errors = op.error?.errors ?? [];
  if (!errors.length && !(op.httpErrorStatusCode && op.httpErrorStatusCode >= 400)) return undefined;
  let code: ProviderErrorCode | undefined;
  for (const e of errors) code ??= byReason(e.code ?? "");
  code ??= byHttp(op.httpErrorStatusCode ?? 500);
  const what = errors.map((e) => `${e.code}: ${e.message}`).join("; ") || op.httpErrorMessage || "failed";
  return new ProviderError(
    code,
    `${op.operationType ?? "operation"} ${op.name}: ${what}`,
    op.name ?? undefined,
  );
}
