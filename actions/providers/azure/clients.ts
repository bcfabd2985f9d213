/**
 * The SDK clients, one set per subscription: Compute (@azure/arm-compute), Network
 * (@azure/arm-network), Azure Monitor metrics (@azure/monitor-query: Metrics - List is an ARM
 * API) and a bare ARM client of the Compute SDK for the two APIs no installed SDK wraps
 * (Permissions, Tags). All point at `actions.azure.arm_endpoint` with:
 * - the SDK's own retries off (maxRetries 0): the executor retries throttling, timeouts and 5xx
 *   with backoff and full jitter and logs every attempt with the step's token; SDK retries would
 *   resend unseen and unlogged, and multiply with the executor's;
 * - a request timeout on every request (polls included), so a hung call ends as a timeout the
 *   executor reconciles with describe();
 * - the credential's scope from the endpoint (sovereign clouds: management.usgovcloudapi.net/.default).
 */
import { createHash } from "node:crypto";
import { ComputeManagementClient } from "@azure/arm-compute";
import { createComputeManagement } from "@azure/arm-compute/api";
import { NetworkManagementClient } from "@azure/arm-network";
import type { TokenCredential } from "@azure/core-auth";
import { MetricsQueryClient } from "@azure/monitor-query";

export interface ClientSettings {
  endpoint: string;
  credential: TokenCredential;
  requestTimeoutMs: number;
}

export interface Clients {
  compute: ComputeManagementClient;
  network: NetworkManagementClient;
  monitor: MetricsQueryClient;
  /** Paths outside the SDKs' operation groups (Permissions, Tags), through the same pipeline. */
  arm: ReturnType<typeof createComputeManagement>;
}

export function makeClients(settings: ClientSettings, subscription: string): Clients {
  const endpoint = settings.endpoint.replace(/\/+$/, "");
  const scopes = [`${new URL(endpoint).origin}/.default`];
  const timeout = {
    name: "ccoRequestTimeout",
    sendRequest: (request: { timeout: number }, next: (r: never) => Promise<unknown>) => {
      if (!request.timeout) request.timeout = settings.requestTimeoutMs;
      return next(request as never);
    },
  };
  const common = {
    endpoint,
    retryOptions: { maxRetries: 0 },
    // biome-ignore lint/suspicious/noExplicitAny: one policy object for both pipelines' PipelinePolicy types
    additionalPolicies: [{ policy: timeout as any, position: "perCall" as const }],
  };
  return {
    compute: new ComputeManagementClient(settings.credential, subscription, {
      ...common,
      credentials: { scopes },
    }),
    network: new NetworkManagementClient(settings.credential, subscription, {
      ...common,
      $host: endpoint,
      credentialScopes: scopes,
    }),
    // The audience is the token's resource: its origin, as for the other clients.
    monitor: new MetricsQueryClient(settings.credential, { ...common, audience: new URL(endpoint).origin }),
    arm: createComputeManagement(settings.credential, subscription, { ...common, credentials: { scopes } }),
  };
}

/**
 * The x-ms-client-request-id a call carries: a GUID (the header's documented form) derived from
 * the step's idempotency token and the call, so the provider's request log ties each call to its
 * step and a re-sent step is recognisable as the same request.
 */
export function clientRequestId(token: string, call: string): string {
  const h = createHash("sha256").update(`${token}|${call}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
