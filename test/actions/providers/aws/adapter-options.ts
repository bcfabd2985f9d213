/** The adapter options every AWS test uses (no vitest here: a child process and the bench import it). */
import { type AwsAdapter, createAwsAdapter } from "../../../../actions/providers/aws/index.ts";
import type { Config } from "../../../../core/config.ts";

export const CREDENTIALS = { accessKeyId: "AKIDREPLAY", secretAccessKey: "replay-secret" };
/** Client request timeout; the replay holds a timed-out answer longer than this. */
export const REQUEST_TIMEOUT_MS = 400;

/** Settings for a config pointing at `url` (also what a child process's config file says). */
export const awsYaml = (url: string, extra = "") =>
  `actions:\n  mode: execute\n  adapters: {aws: aws}\n  aws: {ec2_endpoint: "${url}", s3_endpoint: "${url}", force_path_style: true, region: us-east-1, wait_seconds: 10}\n${extra}`;

export function adapterFor(config: Config, url: string): AwsAdapter {
  return createAwsAdapter(config, {
    credentials: CREDENTIALS,
    pollSeconds: 0.01,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    cloudwatchEndpoint: url,
  });
}
