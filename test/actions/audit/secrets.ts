/** Secrets as the redaction tests plant them, for the audit log and the notification tests. */
import { expect } from "vitest";

/** As they turn up in provider calls, configs and error messages. */
export const SECRETS = {
  awsSecret: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  awsKeyId: "AKIAIOSFODNN7EXAMPLE",
  bearer: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ",
  smtpPassword: "hunter2-smtp-pass",
  urlPassword: "s3cr3tpw",
  sasSig: "Xb8%2FqWmL7n3r4kTn0cE%3D",
  slackPath: "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
  slackToken: "xoxb-123456789012-abcdefghijklmnop",
  azureKey: "Zm9vYmFyYmF6cXV4cXV1eA==",
  pem: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
  queryToken: "tok_9f8e7d6c5b4a",
};

/** A detail as a careless caller might log it: secrets under secret-named keys and inside values. */
export const leakyDetail = {
  request: {
    headers: {
      Authorization: `Bearer ${SECRETS.bearer}`,
      "X-Api-Key": "k-123456",
      "content-type": "application/json",
    },
    credentials: { accessKeyId: SECRETS.awsKeyId, secretAccessKey: SECRETS.awsSecret },
  },
  smtp: { host: "mail.example.com", password: SECRETS.smtpPassword },
  error: `GET https://bob:${SECRETS.urlPassword}@api.example.com/v1 failed with key ${SECRETS.awsKeyId}`,
  blob: `https://acct.blob.core.windows.net/c/x.csv?sv=2022-11-02&sig=${SECRETS.sasSig}`,
  webhook: `https://hooks.slack.com/services/${SECRETS.slackPath}`,
  note: `posted with ${SECRETS.slackToken}; conn DefaultEndpointsProtocol=https;AccountKey=${SECRETS.azureKey};`,
  key: `-----BEGIN PRIVATE KEY-----\n${SECRETS.pem}\n-----END PRIVATE KEY-----`,
  callback: `https://gw.example.com/sms?to=123&token=${SECRETS.queryToken}`,
  list: [{ client_secret: "abc" }, `Basic ${Buffer.from("user:pw-very-secret").toString("base64")}`],
  // Not secrets: kept so the audit still shows what happened.
  idempotency_token: "cco-act-42-step-1",
  request_id: "req-7",
  monthly_savings: "120.50",
};

export function expectNoSecret(text: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) expect(text, name).not.toContain(secret);
  expect(text).not.toContain("k-123456");
  expect(text).not.toContain("pw-very-secret");
  expect(text).not.toContain(Buffer.from("user:pw-very-secret").toString("base64"));
}
