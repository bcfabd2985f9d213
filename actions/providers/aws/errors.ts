/**
 * EC2's errors as the executor's ProviderError codes. EC2 sends client errors with a 4xx status
 * and server errors with a 5xx status and names every error by code
 * (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html); the code decides,
 * the status is the fallback. The SDK's own timeouts (a request past requestTimeout, a waiter past
 * wait_seconds) are "timeout": the executor then reads the resource, as the change may have landed.
 */
import { ProviderError, type ProviderErrorCode } from "../adapter.ts";

const THROTTLED = new Set([
  "RequestLimitExceeded",
  "Throttling",
  "ThrottlingException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequestsException",
  "SlowDown",
]);
const CAPACITY = new Set([
  "InsufficientInstanceCapacity",
  "InsufficientCapacity",
  "InsufficientHostCapacity",
  "InsufficientReservedInstanceCapacity",
  "InsufficientAddressCapacity",
  "InsufficientVolumeCapacity",
  "InstanceLimitExceeded",
  "VcpuLimitExceeded",
  "VolumeLimitExceeded",
  "SnapshotLimitExceeded",
  "AddressLimitExceeded",
  "MaxIOPSLimitExceeded",
]);
const CONFLICT = new Set([
  "IncorrectInstanceState",
  "IncorrectState",
  "IncorrectModificationState",
  "InvalidState",
  "VolumeInUse",
  "InvalidVolume.NotAvailable",
  "InvalidIPAddress.InUse",
  "InvalidSnapshot.InUse",
  "InvalidAttachment.NotFound",
  "ConcurrentTagAccess",
  "OperationNotPermitted",
]);
const DENIED = new Set(["UnauthorizedOperation", "AuthFailure", "Blocked", "OptInRequired", "AccessDenied"]);
const SERVER = new Set(["InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable"]);
/**
 * S3's (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html): SlowDown (503) is
 * throttling, above; OperationAborted (409, "a conflicting conditional operation is currently in
 * progress… Please try again") is retried as throttling; NoSuchBucket is not_found.
 */
const S3_RETRY = new Set(["OperationAborted"]);
const S3_NOT_FOUND = new Set(["NoSuchBucket"]);
const TIMEOUT = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
/** Connection-level failures: nothing reached EC2, or its answer was lost (retried like a 5xx). */
const NETWORK = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN", "ENOTFOUND"]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export function codeFor(name: string, status?: number): ProviderErrorCode {
  if (THROTTLED.has(name) || S3_RETRY.has(name)) return "throttled";
  if (S3_NOT_FOUND.has(name)) return "not_found";
  if (CAPACITY.has(name)) return "capacity";
  if (TIMEOUT.has(name)) return "timeout";
  if (DENIED.has(name)) return "denied";
  if (CONFLICT.has(name)) return "conflict";
  if (name.endsWith(".NotFound") || name === "NotFound") return "not_found";
  if (SERVER.has(name) || NETWORK.has(name)) return "server";
  if (status !== undefined && status >= 500) return "server";
  if (status === 403) return "denied";
  return "invalid";
}

/** Any error from the SDK or a waiter as a ProviderError (one already is passes through). */
export function toProviderError(error: unknown, what: string): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = (error ?? {}) as SdkError;
  const name = e.name && e.name !== "Error" ? e.name : (e.code ?? "Error");
  const status = e.$metadata?.httpStatusCode;
  // A waiter that ended in a failure state (an instance terminated while stopping) says so in JSON.
  if (name === "Error" && e.message?.startsWith('{"state":"FAILURE"'))
    return new ProviderError(
      "conflict",
      `${what}: the resource reached a state it cannot leave (${e.message})`,
    );
  const code = codeFor(name, status);
  return new ProviderError(code, `${what}: ${name}: ${e.message ?? "no message"}`, e.$metadata?.requestId);
}
