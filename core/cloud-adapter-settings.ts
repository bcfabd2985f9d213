/**
 * `actions.aws`, `actions.azure`, `actions.gcp` in cco.config.yaml: how the real cloud adapters
 * reach each provider when `actions.adapters.<provider>` names it. Credentials come from each
 * cloud's standard chain only (environment, shared config, managed identity, ADC), never from
 * here; endpoints are overridable for tests and for sovereign or local clouds.
 */
import { z } from "zod";

export const awsAdapterSchema = z
  .strictObject({
    /** Where a resource's ARN or id does not say (EC2 ids carry no region). */
    region: z.string().min(1).default("us-east-1"),
    /** EC2 endpoint override (default: AWS_ENDPOINT_URL_EC2, else AWS's). */
    ec2_endpoint: z.string().min(1).optional(),
    /** S3 endpoint override (default: AWS_ENDPOINT_URL_S3, else AWS's). */
    s3_endpoint: z.string().min(1).optional(),
    force_path_style: z.boolean().default(false),
    /** CloudWatch endpoint override, for verification's metrics (default: AWS_ENDPOINT_URL_CLOUDWATCH, else AWS's). */
    cloudwatch_endpoint: z.string().min(1).optional(),
    /** Seconds a waiter (instance stopped, volume optimizing) may take before the call times out. */
    wait_seconds: z.number().int().min(1).default(600),
    /** Seconds between a waiter's polls. */
    poll_seconds: z.number().positive().default(5),
    /** A request with no answer after this long is a timeout (the executor reconciles it by reading the resource). */
    request_timeout_ms: z.number().int().min(1).default(30000),
  })
  .prefault({});

export const azureAdapterSchema = z
  .strictObject({
    arm_endpoint: z.string().min(1).default("https://management.azure.com"),
    /** Milliseconds between polls of a long-running operation (the service's Retry-After wins). */
    poll_interval_ms: z.number().int().min(1).default(5000),
    wait_seconds: z.number().int().min(1).default(1800),
    /** Each HTTP request's limit, polls included; past it the call is a timeout the executor reconciles. */
    request_timeout_ms: z.number().int().min(100).default(60000),
  })
  .prefault({});

export const gcpAdapterSchema = z
  .strictObject({
    /** Compute Engine API endpoint override (host[:port]); default Google's. */
    api_endpoint: z.string().min(1).optional(),
    poll_interval_ms: z.number().int().min(1).default(2000),
    wait_seconds: z.number().int().min(1).default(900),
    /** Each request's limit (the REST transport enforces none of its own); past it the call is a timeout. */
    request_timeout_ms: z.number().int().min(100).default(60000),
  })
  .prefault({});
