/**
 * Injected faults, drawn from the seed and the call's sequence number: the same sequence of
 * calls meets the same faults on every run, and changing the seed moves them.
 */
import { createHash } from "node:crypto";
import type { SandboxSettings } from "../../../core/sandbox-settings.ts";
import type { ProviderErrorCode } from "../adapter.ts";

/** A uniform number in [0, 1) from the seed, the call and what is being drawn. */
export function draw(seed: number, seq: number, what: string): number {
  const digest = createHash("sha256").update(`${seed}|${seq}|${what}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** A hex string of `length` characters from the seed and the call, for ids the sandbox makes. */
export function hexId(seed: number, seq: number, what: string, length: number): string {
  return createHash("sha256").update(`${seed}|${seq}|${what}`).digest("hex").slice(0, length);
}

/** The provider's request id for a call (EC2 returns a UUID with each response). */
export function requestIdFor(seed: number, seq: number): string {
  const h = hexId(seed, seq, "request", 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A fault that refuses the call before anything changes, or undefined. */
export function faultBefore(
  settings: SandboxSettings,
  seq: number,
  resourceId: string,
  op: string,
): { code: ProviderErrorCode; message: string } | undefined {
  if (draw(settings.seed, seq, "throttle") < settings.throttle_rate) {
    return { code: "throttled", message: `RequestLimitExceeded: request rate exceeded for ${op}` };
  }
  if (draw(settings.seed, seq, "server") < settings.server_error_rate) {
    return { code: "server", message: `InternalError: an internal error occurred while processing ${op}` };
  }
  if (isDenied(settings, op, resourceId)) {
    return {
      code: "denied",
      message: `UnauthorizedOperation: you are not authorized to perform ${op} on ${resourceId}`,
    };
  }
  const failing = settings.fail_resources.find((f) => f.resource_id === resourceId);
  if (failing) {
    return { code: failing.code, message: `${op} on ${resourceId} failed (actions.sandbox.fail_resources)` };
  }
  return undefined;
}

export function isDenied(settings: SandboxSettings, op: string, resourceId: string): boolean {
  return settings.deny.some((rule) => rule === op || rule === `${op}:${resourceId}`);
}

/** A timeout after the change applied: the caller never hears the answer. */
export function timesOutAfter(settings: SandboxSettings, seq: number): boolean {
  return draw(settings.seed, seq, "timeout") < settings.timeout_rate;
}
