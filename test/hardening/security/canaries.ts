/**
 * Canary values for every secret the product reads, planted in the environment of the whole test
 * run (global-setup.ts) wherever a test does not set its own, and looked for afterwards in the run's
 * output and the logs it leaves (.ci/check-secrets) and by secrets.test.ts. Each holds "ccoCanary"
 * where its format allows, so any trace of one is easy to grep.
 */
import path from "node:path";
import { PROJECT_ROOT } from "../../../core/paths.ts";

/** The marker every canary holds. */
export const MARK = "ccoCanary";

/** Where global-setup writes the values (NAME<tab>value lines); never scanned. */
export const CANARY_DIR = path.join(PROJECT_ROOT, ".tmp", "canaries");
export const VALUES_FILE = path.join(CANARY_DIR, "values.txt");

/** A port nothing listens on: a canary credential that is used fails at once, offline. */
const CLOSED = "http://127.0.0.1:9";

/** The environment variables holding secrets, with their canaries. */
export const CANARIES: Record<string, string> = {
  // AWS SDK credential chain (the key id alone is not a secret; the chain needs it to use the secret).
  AWS_SECRET_ACCESS_KEY: "ccoCanaryAwsSecretAccessKey/0123456789abc",
  AWS_SESSION_TOKEN: "ccoCanaryAwsSessionToken+IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMQ",
  // Azure: service principal secret, bearer token, storage account key and SAS.
  AZURE_CLIENT_SECRET: "ccoCanary~AzureClientSecret.0123456789abcd",
  AZURE_ACCESS_TOKEN: "ccoCanaryAzureAccessToken0123456789abcdef",
  AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=http;AccountName=ccocanary;AccountKey=ccoCanaryAzureStorageKey0123456789abcdef;BlobEndpoint=${CLOSED}/ccocanary;`,
  AZURE_STORAGE_SAS_TOKEN: "sv=2022-11-02&ss=b&srt=co&sp=rl&sig=ccoCanaryAzureSasSignature0123456789%3D",
  // Google: an OAuth access token (GOOGLE_APPLICATION_CREDENTIALS is set to a generated key file).
  GOOGLE_OAUTH_ACCESS_TOKEN: "ya29.ccoCanaryGoogleAccessToken0123456789abcdef",
  // The assistant's model API key.
  OPENAI_API_KEY: "sk-ccoCanaryOpenAiKey0123456789abcdefghij",
  // The service: session signing secret and the password `cco users add` reads.
  CCO_JWT_SECRET: "ccoCanaryJwtSecret-0123456789abcdefghijklmnopqrstuv",
  CCO_PASSWORD: "ccoCanaryPassword-0123456789",
  // Notification secrets, by the names docs/actions.md's examples give them (${VAR} in the config).
  SMTP_PASSWORD: "ccoCanarySmtpPassword-0123456789",
  SLACK_WEBHOOK_URL: `${CLOSED}/services/T00000000/B00000000/ccoCanarySlackWebhookToken01`,
  SMS_TOKEN: "ccoCanarySmsToken0123456789",
};

/** Secret shapes worth reporting whoever planted them (mirrored in .ci/check-secrets). */
export const SECRET_SHAPES: RegExp[] = [
  /AKIA[0-9A-Z]{16}/,
  /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/,
  /Bearer eyJ[A-Za-z0-9_-]{8,}/,
];
