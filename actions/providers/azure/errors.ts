/**
 * ARM errors as ProviderError codes. ARM answers {"error":{"code","message"}} with an HTTP status
 * (https://learn.microsoft.com/azure/azure-resource-manager/troubleshooting/common-deployment-errors);
 * a long-running operation that ends Failed carries the same error in its status body, which the
 * SDK's poller throws as "The long-running operation has failed. <code>. <message>". The code
 * decides before the status: Compute answers throttling as 429 OperationNotAllowed, and
 * SkuNotAvailable as 409.
 */
import { ProviderError, type ProviderErrorCode } from "../adapter.ts";

const CAPACITY = new Set([
  "allocationfailed",
  "zonalallocationfailed",
  "overconstrainedallocationrequest",
  "overconstrainedzonalallocationrequest",
  "skunotavailable",
]);
const NOT_FOUND = new Set([
  "resourcenotfound",
  "notfound",
  "resourcegroupnotfound",
  "parentresourcenotfound",
]);
const DENIED = new Set([
  "authorizationfailed",
  "linkedauthorizationfailed",
  "invalidauthenticationtoken",
  "authenticationfailed",
  "forbidden",
]);
const CONFLICT = new Set([
  "conflict",
  "operationnotallowed",
  "propertychangenotallowed",
  "publicipaddresscannotbedeleted",
  "publicipaddressinuse",
  "anotheroperationinprogress",
]);
const THROTTLED = new Set(["toomanyrequests", "subscriptionrequeststhrottled", "resourcerequeststhrottled"]);

interface RestLike {
  name?: string;
  message?: string;
  code?: string;
  statusCode?: number;
  response?: { headers?: { get?(name: string): string | undefined } };
}

function codeFor(status: number | undefined, code: string): ProviderErrorCode {
  if (status === 429 || THROTTLED.has(code)) return "throttled";
  if (CAPACITY.has(code)) return "capacity";
  if (DENIED.has(code) || status === 401 || status === 403) return "denied";
  if (NOT_FOUND.has(code) || status === 404) return "not_found";
  if (CONFLICT.has(code) || status === 409) return "conflict";
  if (status !== undefined && status >= 500) return "server";
  if (["internalservererror", "internalexecutionerror", "retryableerror"].includes(code)) return "server";
  return "invalid";
}

/** Any error the SDK throws, as the executor's ProviderError (a ProviderError passes through). */
export function toProviderError(error: unknown, what: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (error ?? {}) as RestLike;
  const requestId = e.response?.headers?.get?.("x-ms-request-id");
  // The request timeout, the wait bound, or a connection cut after sending: the change may have landed.
  if (e.name === "AbortError" || e.code === "REQUEST_SEND_ERROR" || e.code === "ECONNRESET") {
    return new ProviderError(
      "timeout",
      `${what}: ${e.message ?? "aborted"}; its outcome is unknown`,
      requestId,
    );
  }
  const failed = /long-running operation has failed\. ([A-Za-z]+)\. (.*)$/s.exec(e.message ?? "");
  if (failed) {
    return new ProviderError(
      codeFor(undefined, failed[1]!.toLowerCase()),
      `${what}: ${failed[1]}: ${failed[2]}`,
    );
  }
  if (e.statusCode !== undefined || e.code) {
    const code = (e.code ?? "").toLowerCase();
    return new ProviderError(
      codeFor(e.statusCode, code),
      `${what}: ${e.code ?? e.statusCode}: ${e.message ?? ""}`.trim(),
      requestId,
    );
  }
  return new ProviderError("server", `${what}: ${e.message ?? String(error)}`);
}

/** A non-2xx answer of a bare ARM call (Permissions, Tags), as the SDK's RestError would carry it. */
export function armError(
  response: { status: string; body?: unknown; headers: Record<string, string> },
  what: string,
): ProviderError {
  const error = (response.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return toProviderError(
    {
      statusCode: Number(response.status),
      code: error?.code ?? `HTTP${response.status}`,
      message: error?.message ?? `HTTP ${response.status}`,
      response: { headers: { get: (name: string) => response.headers[name.toLowerCase()] } },
    },
    what,
  );
}
