/**
 * Secrets never in what cco prints or records: the CLI commands that use credentials run with
 * canary secrets (canaries.ts) against real local servers, succeeding and failing, and their
 * stdout, stderr and every ops table (the audit log, the notification outbox, the ledgers) are
 * searched for the canaries. Covered: ingest from S3 (s3rver) with AWS keys and a session token;
 * notifications by email with an SMTP password, to a Slack URL holding its token, and to a
 * webhook with a bearer header, delivered and refused; the executor with the AWS adapter against
 * the replayed EC2 API; the Google and Azure credential chains failing with a key and a client
 * secret. The global canaries and .ci/check-secrets cover the rest of the test run.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueNotification } from "../../../actions/notify/outbox.ts";
import { loadConfig } from "../../../core/config.ts";
import { PROJECT_ROOT } from "../../../core/paths.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { type HttpRecorder, httpRecorder } from "../../actions/notify/servers.ts";
import { startAwsReplay } from "../../helpers/replay/aws.ts";
import { FIXTURES, tempDir } from "../../helpers/tmp.ts";
import { MARK, SECRET_SHAPES } from "./canaries.ts";

/** This test's own canaries (the global ones may be overridden by the values a command needs). */
const SECRET = {
  awsSecret: `${MARK}S3Secret/0123456789abcdefghijklmno`,
  awsSession: `${MARK}S3SessionToken0123456789abcdef`,
  smtpPassword: `${MARK}SmtpPass-0123456789`,
  slackToken: `${MARK}SlackHookToken0123456789`,
  smsToken: `${MARK}SmsBearer0123456789`,
  azureSecret: `${MARK}~AzureSpSecret.0123456789`,
};

/** The CLI as a child process that does not block this one (the servers answer from here). */
function cco(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [path.join(PROJECT_ROOT, "bin/cco.js"), ...args],
      { env: { ...process.env, CCO_DEBUG: "", ...env }, cwd, timeout: 90_000 },
      (error, stdout, stderr) =>
        resolve({ status: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every row of every ops table (audit log, outbox, ledgers), as text. */
async function opsTables(warehousePath: string): Promise<string> {
  const w = await Warehouse.open({ path: warehousePath });
  try {
    const tables = await w.all<{ name: string }>(
      "select table_name as name from information_schema.tables where table_schema = 'ops' and table_type = 'BASE TABLE'",
    );
    const dumps: string[] = [];
    for (const { name } of tables) dumps.push(JSON.stringify(await w.all(`select * from ops."${name}"`)));
    return dumps.join("\n");
  } finally {
    await w.close();
  }
}

/** No canary and no secret shape in `text`; names where. */
function expectNoSecret(text: string, where: string): void {
  expect(text.includes(MARK), `${where} holds a canary`).toBe(false);
  for (const value of Object.values(SECRET))
    expect(text.includes(value), `${where} holds a secret`).toBe(false);
  for (const shape of SECRET_SHAPES) expect(shape.test(text), `${where} matches ${shape}`).toBe(false);
}

describe("ingest from S3 with AWS keys and a session token", () => {
  let server: S3rver;
  let endpoint: string;
  beforeAll(async () => {
    // s3rver knows one key id (S3RVER); it takes any secret with allowMismatchedSignatures.
    server = new S3rver({
      port: 0,
      address: "127.0.0.1",
      directory: tempDir(),
      silent: true,
      allowMismatchedSignatures: true,
    } as ConstructorParameters<typeof S3rver>[0]);
    const { port } = (await server.run()) as unknown as { port: number };
    endpoint = `http://127.0.0.1:${port}`;
    const s3 = new S3Client({
      endpoint,
      forcePathStyle: true,
      region: "us-east-1",
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    await s3.send(new CreateBucketCommand({ Bucket: "billing" }));
    await s3.send(
      new PutObjectCommand({
        Bucket: "billing",
        Key: "focus/2026-10/export.csv",
        Body: readFileSync(path.join(FIXTURES, "focus/focus13_multi_provider_fdt_consolidated.csv")),
      }),
    );
    s3.destroy();
  });
  afterAll(() => server?.close());

  it("prints and records no secret, loaded or refused", async () => {
    const dataDir = tempDir();
    writeFileSync(
      path.join(dataDir, "cco.config.yaml"),
      `sources:\n  s3: {endpoint: "${endpoint}", force_path_style: true, region: us-east-1}\n`,
    );
    const env = {
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: SECRET.awsSecret,
      AWS_SESSION_TOKEN: SECRET.awsSession,
    };
    const loaded = await cco(["--data-dir", dataDir, "--json", "ingest", "s3://billing/focus"], env, dataDir);
    expect(loaded.status, loaded.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(loaded.stdout))).toMatch(/"status":"loaded"/);
    const missing = await cco(["--data-dir", dataDir, "ingest", "s3://no-such-bucket/x"], env, dataDir);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read from S3: NoSuchBucket/);
    for (const [where, text] of Object.entries({
      "stdout (loaded)": loaded.stdout,
      "stderr (loaded)": loaded.stderr,
      "stdout (refused)": missing.stdout,
      "stderr (refused)": missing.stderr,
      "ops tables": await opsTables(path.join(dataDir, "warehouse.duckdb")),
    }))
      expectNoSecret(text, where);
  });
});

describe("notifications with an SMTP password, a Slack URL token and a bearer header", () => {
  const authenticated: boolean[] = [];
  let smtp: SMTPServer;
  let hooks: HttpRecorder;
  let dataDir: string;
  let configFile: string;
  let warehousePath: string;
  const env = (hooksUrl = hooks.url) => ({
    SMTP_PASSWORD: SECRET.smtpPassword,
    SLACK_WEBHOOK_URL: `${hooksUrl}/services/T000/B000/${SECRET.slackToken}`,
    SMS_WEBHOOK_URL: `${hooksUrl}/sms`,
    SMS_TOKEN: SECRET.smsToken,
  });
  /** Queue a notice for every channel, as the executor would. */
  const queue = async (subject: string) => {
    const config = loadConfig({ configFile, dataDir, env: env() });
    const w = await Warehouse.open({ path: warehousePath });
    await enqueueNotification(w, config, { event: "executed", subject, title: `Stopped ${subject}` });
    await w.close();
  };
  /** Any command's warehouse delivers what is queued before it closes. */
  const deliver = (overrides: NodeJS.ProcessEnv = {}) =>
    cco(
      ["--config", configFile, "--data-dir", dataDir, "audit", "verify"],
      { ...env(), ...overrides },
      dataDir,
    );

  beforeAll(async () => {
    smtp = new SMTPServer({
      authMethods: ["PLAIN", "LOGIN"],
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth(auth, _session, callback) {
        const ok = auth.password === SECRET.smtpPassword;
        authenticated.push(ok);
        // A server that quotes what it was sent in its error, as some do.
        if (!ok) return callback(new Error(`535 bad password ${auth.password}`));
        callback(null, { user: auth.username });
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on("end", () => callback());
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
    const smtpPort = (smtp.server.address() as { port: number }).port;
    hooks = await httpRecorder();
    dataDir = tempDir();
    configFile = path.join(dataDir, "cco.config.yaml");
    warehousePath = path.join(dataDir, "warehouse.duckdb");
    writeFileSync(
      configFile,
      `notifications:
  attempts: 1
  timeout_ms: 3000
  channels:
    - {type: email, name: mail, host: 127.0.0.1, port: ${smtpPort}, user: cco, password: "\${SMTP_PASSWORD}", from: cco@example.com, to: [ops@example.com], events: [executed]}
    - {type: slack, name: slack, url: "\${SLACK_WEBHOOK_URL}", events: [executed]}
    - {type: webhook, name: sms, url: "\${SMS_WEBHOOK_URL}", headers: {Authorization: "Bearer \${SMS_TOKEN}"}, events: [executed]}
`,
    );
  });
  afterAll(async () => {
    await hooks?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it("are delivered with them, and neither the outbox, the audit log nor the terminal shows them", async () => {
    await queue("act-1");
    const sent = await deliver();
    expect(sent.status, sent.stderr).toBe(0);
    expect(authenticated).toEqual([true]);
    expect(hooks.requests.map((r) => r.path).sort()).toEqual([
      `/services/T000/B000/${SECRET.slackToken}`,
      "/sms",
    ]);
    expect(hooks.requests.find((r) => r.path === "/sms")?.headers.authorization).toBe(
      `Bearer ${SECRET.smsToken}`,
    );
    const ops = await opsTables(warehousePath);
    expect(ops).toMatch(/"status":"sent"/);
    for (const [where, text] of Object.entries({
      stdout: sent.stdout,
      stderr: sent.stderr,
      "ops tables": ops,
    }))
      expectNoSecret(text, where);
  });

  // KNOWN LEAK (docs/hardening.md): a server that quotes the channel's secret back in its error (an
  // SMTP 535 repeating the password, a webhook 404 repeating its URL) gets it recorded in
  // ops.notifications.last_error and the audit log: redactText() knows secret shapes, not the
  // channel's own values. Remove `.fails` when actions/notify/deliver.ts redacts those by value.
  it("refused by servers quoting the secret back, the failure records no secret", async () => {
    await queue("act-2");
    // Hooks that refuse, quoting the URL and the authorization they were called with.
    const echo = createServer((req, res) =>
      res.writeHead(404).end(`no such hook: ${req.url} (authorization: ${req.headers.authorization})`),
    );
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const failed = await deliver({ ...env(echoUrl), SMTP_PASSWORD: `${SECRET.smtpPassword}-wrong` });
    echo.closeAllConnections();
    await new Promise<void>((resolve) => echo.close(() => resolve()));
    expect(authenticated.at(-1)).toBe(false);
    const ops = await opsTables(warehousePath);
    expect(ops).toMatch(/"status":"failed"/);
    for (const [where, text] of Object.entries({
      stdout: failed.stdout,
      stderr: failed.stderr,
      "ops tables": ops,
    }))
      expectNoSecret(text, where);
  });
});

describe("the executor with AWS credentials", () => {
  it("signs its calls with them and prints or records none of them", async () => {
    const replay = await startAwsReplay({
      seed: { instances: [{ id: "i-0web1", state: "running", type: "m5.xlarge" }] },
    });
    try {
      const dataDir = tempDir();
      const configFile = path.join(dataDir, "cco.config.yaml");
      writeFileSync(
        configFile,
        `actions:\n  mode: execute\n  adapters: {aws: aws}\n  aws: {ec2_endpoint: "${replay.url}", s3_endpoint: "${replay.url}", force_path_style: true, region: us-east-1, wait_seconds: 10}\n`,
      );
      const warehousePath = path.join(dataDir, "warehouse.duckdb");
      const w = await Warehouse.open({ path: warehousePath });
      const now = Date.now();
      await w.run(
        `insert into ops.approval_queue (recommendation_id, version, provider, billing_account_id, sub_account_id, resource_id,
           region, detector, category, action, action_kind, irreversible, current_configuration, target_configuration,
           estimated_monthly_savings, currency, risk_level, risk_score, priority, required_approvals, queued_at)
         values ('rec-1', 'v1', 'aws', '999999999999', '111122223333', 'i-0web1', 'us-east-1', 'rightsizing', 'rightsizing',
           'rightsizing', 'resize_vm', false, 'm5.xlarge, 24x7', 'm5.large', 100, 'USD', 'low', 10, 5, 1, $1)`,
        [new Date(now - 86_400_000).toISOString()],
      );
      await w.run(
        `insert into ops.approvals values ('ap-1', 'rec-1', 'v1', 'approve', 'alice', $1, null, $2, false, null, 'test', null)`,
        [new Date(now - 3_600_000).toISOString(), new Date(now + 6 * 86_400_000).toISOString()],
      );
      await w.close();
      const env = {
        AWS_ACCESS_KEY_ID: "AKIDCANARYEXECUTOR",
        AWS_SECRET_ACCESS_KEY: SECRET.awsSecret,
        AWS_SESSION_TOKEN: SECRET.awsSession,
      };
      const plan = await cco(
        ["--config", configFile, "--data-dir", dataDir, "actions", "plan"],
        env,
        dataDir,
      );
      const run = await cco(
        ["--config", configFile, "--data-dir", dataDir, "--json", "actions", "run", "--mode", "execute"],
        env,
        dataDir,
      );
      // The credentials were resolved and used: the SDK makes no call without them.
      expect(replay.log.length, `${plan.stderr}\n${run.stderr}`).toBeGreaterThan(0);
      for (const [where, text] of Object.entries({
        "plan stdout": plan.stdout,
        "plan stderr": plan.stderr,
        "run stdout": run.stdout,
        "run stderr": run.stderr,
        "ops tables": await opsTables(warehousePath),
      }))
        expectNoSecret(text, where);
    } finally {
      await replay.close();
    }
  });
});

describe("credential chains that fail", () => {
  it("a Google service account key and an Azure client secret are not in the errors", async () => {
    const dataDir = tempDir();
    mkdirSync(dataDir, { recursive: true });
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const keyFile = path.join(dataDir, "key.json");
    writeFileSync(
      keyFile,
      JSON.stringify({
        type: "service_account",
        project_id: "acme",
        private_key_id: `${MARK}GoogleKeyId`,
        private_key: pem,
        client_email: "cco@acme.iam.gserviceaccount.com",
      }),
    );
    const body = pem.split("\n").filter((l) => l.length >= 40 && !l.startsWith("-----"));
    const runs = [
      await cco(
        ["--data-dir", dataDir, "ingest", "gcpinventory://acme"],
        {
          GOOGLE_APPLICATION_CREDENTIALS: keyFile,
          GOOGLE_OAUTH_ACCESS_TOKEN: "",
          METADATA_SERVER_DETECTION: "none",
        },
        dataDir,
      ),
      await cco(
        ["--data-dir", dataDir, "ingest", "azureinventory://00000000-0000-0000-0000-000000000000"],
        {
          AZURE_ACCESS_TOKEN: "",
          AZURE_TENANT_ID: "00000000-0000-0000-0000-000000000001",
          AZURE_CLIENT_ID: "00000000-0000-0000-0000-000000000002",
          AZURE_CLIENT_SECRET: SECRET.azureSecret,
        },
        dataDir,
      ),
    ];
    for (const [i, r] of runs.entries()) {
      expect(r.status, r.stderr).not.toBe(0);
      expect(r.stderr).not.toBe("");
      expectNoSecret(`${r.stdout}\n${r.stderr}`, `run ${i}`);
      for (const line of body) expect(r.stderr.includes(line), "a line of the private key").toBe(false);
    }
  });
});
