/**
 * The EC2 clients (one per region) and how every call is made: the SDK's own retries are off
 * (maxAttempts 1) so the executor's retry policy, which backs off with jitter and logs every
 * attempt with its token, is the only one; each request has a time limit, past which the call is a
 * ProviderError "timeout" the executor settles by reading the resource. Credentials come from the
 * SDK's standard chain (environment, shared config and SSO, web identity, container and instance
 * roles) unless a test hands some in.
 */
import { EC2Client } from "@aws-sdk/client-ec2";
import type { AwsCredentialIdentity } from "@aws-sdk/types";
import type { Config } from "../../../core/config.ts";
import { toProviderError } from "./errors.ts";

export interface AwsAdapterOptions {
  /** Static credentials (tests); default: the SDK's credential chain. */
  credentials?: AwsCredentialIdentity;
  /** First delay between a waiter's polls, in seconds (EC2's own waiters start at 15). */
  pollSeconds?: number;
  /** Milliseconds a single request may take before it counts as timed out. */
  requestTimeoutMs?: number;
  /** CloudWatch endpoint override (default: AWS_ENDPOINT_URL_CLOUDWATCH, else AWS's). */
  cloudwatchEndpoint?: string;
}

/** config.actions.aws, plus the settings a later config version may add (read when present). */
type AwsSettings = Config["actions"]["aws"] & {
  poll_seconds?: number;
  request_timeout_ms?: number;
  cloudwatch_endpoint?: string;
};

export interface Settings {
  region: string;
  endpoint?: string;
  /** S3 endpoint override and path-style addressing (a local or sovereign S3). */
  s3Endpoint?: string;
  forcePathStyle: boolean;
  waitSeconds: number;
  pollSeconds: number;
  requestTimeoutMs: number;
  cloudwatchEndpoint?: string;
  credentials?: AwsCredentialIdentity;
}

export function settings(config: Config, options: AwsAdapterOptions): Settings {
  const s = config.actions.aws as AwsSettings;
  const cloudwatchEndpoint = options.cloudwatchEndpoint ?? s.cloudwatch_endpoint;
  return {
    region: s.region,
    ...(s.ec2_endpoint ? { endpoint: s.ec2_endpoint } : {}),
    ...(s.s3_endpoint ? { s3Endpoint: s.s3_endpoint } : {}),
    forcePathStyle: s.force_path_style,
    waitSeconds: s.wait_seconds,
    pollSeconds: options.pollSeconds ?? s.poll_seconds ?? 5,
    requestTimeoutMs: options.requestTimeoutMs ?? s.request_timeout_ms ?? 30_000,
    ...(cloudwatchEndpoint ? { cloudwatchEndpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

export class Ec2Clients {
  private readonly clients = new Map<string, EC2Client>();

  constructor(readonly settings: Settings) {}

  get(region = this.settings.region): EC2Client {
    let client = this.clients.get(region);
    if (!client) {
      const s = this.settings;
      client = new EC2Client({
        region,
        ...(s.endpoint ? { endpoint: s.endpoint } : {}),
        ...(s.credentials ? { credentials: s.credentials } : {}),
        maxAttempts: 1,
        // throwOnRequestTimeout: without it the SDK only warns and keeps waiting for the answer.
        requestHandler: {
          requestTimeout: s.requestTimeoutMs,
          connectionTimeout: s.requestTimeoutMs,
          throwOnRequestTimeout: true,
        },
      });
      this.clients.set(region, client);
    }
    return client;
  }

  /** Waiter settings: polls from pollSeconds backing off to 4× that, for at most wait_seconds. */
  waiter(region?: string) {
    const { pollSeconds, waitSeconds } = this.settings;
    return {
      client: this.get(region),
      maxWaitTime: waitSeconds,
      minDelay: pollSeconds,
      maxDelay: pollSeconds * 4,
    };
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}

/** Run one SDK call (or waiter), any failure as a ProviderError naming `what`. */
export async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toProviderError(error, what);
  }
}
