/**
 * A served warehouse for the API tests: a few recommendations (low, medium and high risk, an
 * irreversible kind, a dismissed one) in marts.recommendations and the approval queue, a user of
 * each role, and the service on 127.0.0.1 (port 0) over it, its JSON log kept in memory.
 * Background schedules are off: the tests call the API and look at the warehouse.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { type Config, loadConfig } from "../../core/config.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { refreshApprovalQueue } from "../../actions/approvals/queue.ts";
import { addUser } from "../../service/auth/users.ts";
import { type RunningService, startService } from "../../service/server.ts";
import { tempDir } from "../helpers/tmp.ts";

export const SECRET = "test-secret-0123456789-abcdefghijklmnop";
export const PASSWORD = "correct horse battery";
export const ROLE_USERS = { viewer: "vera", approver: "alice", operator: "otto", admin: "ada" } as const;

/** id, detector, provider, risk, savings, status. */
const RECOMMENDATIONS: [string, string, string, string, string, string][] = [
  ["rec-low-1", "idle_vm", "aws", "low", "120.00", "open"],
  ["rec-low-2", "rightsizing", "azure", "low", "80.50", "open"],
  ["rec-high", "rightsizing", "gcp", "high", "300.00", "open"],
  ["rec-snapshot", "old_snapshot", "aws", "low", "10.00", "open"],
  ["rec-address", "idle_address", "gcp", "medium", "3.60", "open"],
  ["rec-dismissed", "gp2_volume", "aws", "medium", "5.25", "dismissed"],
];

async function seed(warehouse: Warehouse, config: Config): Promise<void> {
  const values = RECOMMENDATIONS.map(
    ([id, detector, provider, risk, savings, status], i) =>
      `('${id}', '${detector}', '${provider}', '${risk}', ${savings}, '${status}', ${10 - i})`,
  ).join(", ");
  await warehouse.run(`
    create table marts.recommendations as
    select id as recommendation_id, detector, 'rightsizing' as category, detector || '_action' as action, provider,
      'acct-' || provider as billing_account_id, 'sub-' || provider as sub_account_id, 'res-' || id as resource_id,
      'virtual_machine' as resource_type, 'region-1' as region, 'm5.xlarge' as current_configuration,
      'm5.large' as target_configuration, savings::decimal(18, 2) as estimated_monthly_savings,
      (savings * 1.25)::decimal(18, 2) as estimated_monthly_savings_at_list, 'USD' as currency, 14 as lookback_days,
      '{"cpu_p95_pct": 4.5}'::json as evidence, 'Idle for 14 days: password-free text' as explanation,
      0.9::double as confidence, 'billing and metrics' as data_source,
      case risk when 'low' then 10 when 'medium' then 45 else 80 end as risk_score, risk as risk_level,
      '[{"factor":"performance","score":10,"evidence":"peak 4%"}]'::json as risk_factors,
      '["tell the owner"]'::json as mitigations, 'easy' as effort, priority::decimal(18, 2) as priority,
      status, null::varchar as status_reason, now() as generated_at
    from (values ${values}) v(id, detector, provider, risk, savings, status, priority)`);
  await refreshApprovalQueue(warehouse, config);
}

/** Collects the service's log lines. */
export class LogSink extends Writable {
  text = "";
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  }
}

export interface World {
  config: Config;
  warehouse: Warehouse;
  service: RunningService;
  url: string;
  log: LogSink;
  close(): Promise<void>;
}

export async function serviceWorld(yaml = ""): Promise<World> {
  const dataDir = tempDir("cco-service-");
  const configFile = path.join(dataDir, "cco.config.yaml");
  writeFileSync(configFile, yaml);
  const config = loadConfig({ configFile, dataDir, env: {} });
  const warehouse = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb") });
  await seed(warehouse, config);
  for (const [role, name] of Object.entries(ROLE_USERS))
    await addUser(warehouse, { username: name, password: PASSWORD, role }, "test", { cost: 4 });
  const log = new LogSink();
  const service = await startService(config, {
    warehouse,
    port: 0,
    host: "127.0.0.1",
    schedules: false,
    logDestination: log,
    bcryptCost: 4,
    env: { CCO_JWT_SECRET: SECRET },
  });
  return {
    config,
    warehouse,
    service,
    url: service.url,
    log,
    close: async () => {
      await service.close();
      await warehouse.close();
    },
  };
}

export interface Reply {
  status: number;
  headers: Headers;
  /** The parsed JSON answer, read freely: a wrong guess fails the assertion that reads it. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
  text: string;
}

/** One request; JSON bodies are sent as JSON, strings as they are. */
export async function call(
  url: string,
  method: string,
  route: string,
  options: { token?: string; cookie?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(`${url}${route}`, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

/** A session token for a user (the login's answer). */
export async function login(url: string, username: string, password = PASSWORD): Promise<string> {
  const r = await call(url, "POST", "/api/v1/auth/login", { body: { username, password } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${r.text}`);
  return r.body.token;
}
