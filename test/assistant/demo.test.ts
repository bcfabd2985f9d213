/**
 * The assistant on the demo's warehouse (one pipeline run for the whole file): explain with and
 * without a key, the tools on the real marts, redaction of real account names and tags, the
 * service's way in (warehouse open for writing: the snapshots are read), then `cco explain` and
 * `cco ask` as commands (the warehouse file read-only).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { askQuestion, explainRecommendation } from "../../assistant/index.ts";
import type { Evidence } from "../../assistant/evidence.ts";
import { collectSensitive } from "../../assistant/redact.ts";
import type { Config } from "../../core/config.ts";
import { CcoError } from "../../core/errors.ts";
import { closeWarehouse, type Warehouse } from "../../core/warehouse/warehouse.ts";
import { runDemo } from "../helpers/demo.ts";
import { type FakeOpenAI, startFakeOpenAI, toolResults } from "../helpers/fake-openai.ts";
import { type CliOutcome, ccoInProcess } from "../orchestrator/cli/run-cli.ts";

let warehouse: Warehouse;
let config: Config;
let dataDir: string;
let fake: FakeOpenAI | undefined;
/** Read before the warehouse closes, for the commands' tests. */
let resourceCount: string;
let gp2Id: string;
const KEY = { OPENAI_API_KEY: "sk-test" };
const CONFIG =
  "generate:\n  resources: 60\n  days: 35\n" +
  "assistant:\n  max_steps: 3\n  max_retries: 0\n  request_timeout_ms: 10000\n  memory_turns: 2\n";

beforeAll(async () => {
  ({ warehouse, config, dataDir } = await runDemo(CONFIG, { demoActions: true }));
  resourceCount = (
    await warehouse.all<{ n: string }>("select count(*)::varchar as n from marts.resources")
  )[0]!.n;
  gp2Id = await idOf("detector = 'gp2_volume'");
}, 900_000);

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

afterAll(async () => {
  await closeWarehouse();
});

const idOf = async (where: string) =>
  (
    await warehouse.all<{ id: string }>(
      `select recommendation_id as id from marts.recommendations where ${where} order by recommendation_id limit 1`,
    )
  )[0]!.id;

const served = async (
  script: Parameters<typeof startFakeOpenAI>[0],
  assistant: Partial<Config["assistant"]> = {},
  options: Parameters<typeof startFakeOpenAI>[1] = {},
): Promise<Config> => {
  fake = await startFakeOpenAI(script, options);
  return { ...config, assistant: { ...config.assistant, ...assistant, base_url: fake.url } };
};

describe("explain without a key (templates)", () => {
  it("gives a metrics-verified change its evidence, risk and the executor's rollback threshold", async () => {
    const id = await idOf("detector = 'rightsizing'");
    const explanation = await explainRecommendation(warehouse, config, id, { env: {} });
    expect(explanation.source).toBe("template");
    const e = explanation.evidence as unknown as Evidence;
    expect(e.recommendation.recommendation_id).toBe(id);

    // The utilization evidence is the detector's lookback of marts.utilization_daily.
    const [u] = await warehouse.all<{ p95: number; days: number; from: string }>(
      `select round(avg(cpu_p95_pct), 2)::double as p95, count(*)::integer as days, min(usage_date)::varchar as "from" from (
         select * from marts.utilization_daily where resource_id = $1 order by usage_date desc limit $2)`,
      [e.recommendation.resource_id!, e.recommendation.lookback_days!],
    );
    expect(e.utilization).toMatchObject({ cpu_p95_pct: u!.p95, days: u!.days, from: u!.from });
    expect(explanation.text).toContain(`daily P95 ${u!.p95}% on average`);

    // What to watch: the executor's window and thresholds from config.actions.verification.
    const v = config.actions.verification;
    expect(e.watch).toMatchObject({
      action_kind: "resize_vm",
      verification: "metrics",
      window_hours: v.window_hours,
      cpu_p95_max_pct: v.cpu_p95_max_pct,
      over_prediction_pct: v.over_prediction_pct,
    });
    const band = e.watch.predicted_cpu_p95_pct;
    expect(band).not.toBeNull();
    const threshold = Math.round(Math.min(v.cpu_p95_max_pct, band!.high + v.over_prediction_pct) * 100) / 100;
    expect(e.watch.rollback_above_cpu_p95_pct).toBe(threshold);
    expect(explanation.text).toContain(`undone above ${threshold}%`);
    expect(explanation.text).toContain(`reads ${v.window_hours} h of fresh metrics`);

    // Risk factors and mitigations are ml.recommendation_risk's.
    const [risk] = await warehouse.all<{ factors: string }>(
      "select risk_factors::varchar as factors from ml.recommendation_risk where recommendation_id = $1",
      [id],
    );
    const factors = JSON.parse(risk!.factors) as { factor: string; evidence: string }[];
    expect(e.risk.source).toBe("ml.recommendation_risk");
    for (const f of factors) expect(explanation.text).toContain(f.evidence);

    // The same rows give the same text.
    expect((await explainRecommendation(warehouse, config, id, { env: {} })).text).toBe(explanation.text);
  });

  it("says a state-verified change is checked for drift, and a commitment is watched by hand", async () => {
    const stop = await explainRecommendation(warehouse, config, await idOf("detector = 'idle_vm'"), {
      env: {},
    });
    expect(stop.text).toMatch(
      /The executor \(stop_vm\) checks 24 h after the change that the resource is still as/,
    );
    const commitment = await explainRecommendation(
      warehouse,
      config,
      await idOf("detector = 'commitment_purchase'"),
      { env: {} },
    );
    expect((commitment.evidence as unknown as Evidence).watch.action_kind).toBeNull();
    expect(commitment.text).toMatch(/Done by hand, not by the executor.*marts\.commitments/);
  });

  it("shows the approval state and the action the demo ran", async () => {
    const [acted] = await warehouse.all<{ id: string; state: string }>(
      "select recommendation_id as id, state from ops.actions where mode = 'execute' order by action_id limit 1",
    );
    const explanation = await explainRecommendation(warehouse, config, acted!.id, { env: {} });
    const e = explanation.evidence as unknown as Evidence;
    expect(e.approval).toMatchObject({ queued: true, state: "approved", approvers: ["demo.approver"] });
    expect(e.actions[0]!.state).toBe(acted!.state);
    expect(explanation.text).toContain(`: ${acted!.state}`);
  });

  it("finds an id by its first characters, and fails with exit 1 on an unknown one", async () => {
    const id = await idOf("true");
    expect(
      (await explainRecommendation(warehouse, config, id.slice(0, 10), { env: {} })).recommendationId,
    ).toBe(id);
    const error = (await explainRecommendation(warehouse, config, "0000feedbeef", { env: {} }).catch(
      (e: unknown) => e,
    )) as CcoError;
    expect(error).toBeInstanceOf(CcoError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/no recommendation 0000feedbeef in marts.recommendations/);
  });
});

describe("explain with a key", () => {
  it("has the model write it from the same evidence", async () => {
    const id = await idOf("detector = 'idle_vm'");
    const c = await served([{ text: "Why: it idles.\nWhat to watch: nothing breaks." }]);
    const explanation = await explainRecommendation(warehouse, c, id, { env: KEY });
    expect(explanation).toMatchObject({
      source: "model",
      text: "Why: it idles.\nWhat to watch: nothing breaks.",
      model: "gpt-4o-mini",
    });
    const sent = JSON.parse(String(fake!.requests[0]!.body.messages[1]!.content)) as Evidence & {
      watch_text: string;
    };
    const template = await explainRecommendation(warehouse, config, id, { env: {} });
    expect(explanation.evidence).toEqual(template.evidence);
    expect(sent.recommendation.recommendation_id).toBe(id);
    expect(sent.watch).toEqual((template.evidence as unknown as Evidence).watch);
    expect(sent.watch_text).toMatch(/checks 24 h after the change/);
  });

  it("with redact on, sends no account id, account name or tag value, and maps the model's placeholders back", async () => {
    const id = await idOf("detector = 'rightsizing'");
    const rec = (
      await warehouse.all<{ sub: string }>(
        "select sub_account_id as sub from marts.recommendations where recommendation_id = $1",
        [id],
      )
    )[0]!;
    const c = await served(
      [
        (request) => {
          const evidence = JSON.parse(String(request.messages[1]!.content)) as Evidence;
          return { text: `It runs in ${evidence.recommendation.sub_account_id}.` };
        },
      ],
      { redact: true },
    );
    const explanation = await explainRecommendation(warehouse, c, id, { env: KEY });
    expect(explanation.text).toBe(`It runs in ${rec.sub}.`);
    expectNothingSensitiveSent(await sensitive());
  });
});

describe("ask on the demo's marts (the service's way: the warehouse is open for writing)", () => {
  it("calls the tools with the model's arguments and passes their results back", async () => {
    const c = await served(
      [
        { toolCalls: [{ tool: "list_recommendations", arguments: { detector: "idle_vm", limit: 2 } }] },
        (request) => {
          const listed = toolResults(request)[0]!.content as { columns: string[]; rows: unknown[][] };
          const resource = listed.rows[0]![listed.columns.indexOf("resource_id")];
          return {
            toolCalls: [
              { tool: "resource_history", arguments: { resource_id: resource, days: 7 } },
              { tool: "forecast", arguments: { scope_type: "provider", scope: "aws", granularity: "month" } },
              { tool: "describe_tables", arguments: { tables: ["marts.cost_daily"] } },
            ],
          };
        },
        { text: "done" },
      ],
      { max_steps: 8 },
    );
    const answer = await askQuestion(warehouse, c, "what do idle VMs cost?", { env: KEY });
    expect(answer.steps).toBe(4);

    const listed = toolResults(fake!.requests[1]!.body)[0]!.content as {
      columns: string[];
      rows: unknown[][];
    };
    const expected = await warehouse.all<{ id: string }>(
      "select recommendation_id as id from marts.recommendations where detector = 'idle_vm' order by estimated_monthly_savings desc, recommendation_id limit 2",
    );
    expect(listed.rows.map((r) => r[0])).toEqual(expected.map((r) => r.id));
    expect(listed.rows.every((r) => r[listed.columns.indexOf("detector")] === "idle_vm")).toBe(true);

    // The third request carries every result so far: the list's, then these three.
    const [, history, forecast, described] = toolResults(fake!.requests[2]!.body).map((r) => r.content) as [
      unknown,
      { resource: { rows: unknown[][] }; daily: { columns: string[]; rows: unknown[][] } },
      { columns: string[]; rows: unknown[][] },
      { tables: { name: string; columns: { name: string; description: string | null }[] }[] },
    ];
    const resourceId = listed.rows[0]![listed.columns.indexOf("resource_id")];
    expect(history.resource.rows[0]![0]).toBe(resourceId);
    expect(history.daily.rows).toHaveLength(7);
    const [last] = await warehouse.all<{ day: string; cost: string }>(
      "select charge_date::varchar as day, sum(effective_cost)::decimal(18, 2)::varchar as cost from marts.cost_daily where resource_id = $1 group by 1 order by 1 desc limit 1",
      [String(resourceId)],
    );
    expect(history.daily.rows.at(-1)!.slice(0, 3)).toEqual([last!.day, expect.any(String), last!.cost]);
    expect(forecast.columns).toEqual(["month", "kind", "currency", "days", "actual_cost", "expected_cost"]);
    expect(forecast.rows.length).toBeGreaterThan(0);
    const costDaily = described.tables[0]!;
    expect(costDaily.name).toBe("marts.cost_daily");
    expect(costDaily.columns.find((col) => col.name === "charge_date")!.description).toMatch(
      /Day the charge applies to/,
    );

    // Every statement the tools ran is cited, in order, with its row count.
    expect(answer.sql[0]!.statement).toMatch(/from marts.recommendations\nwhere detector = 'idle_vm'/);
    expect(answer.sql.every((s) => s.error === undefined && typeof s.rows === "number")).toBe(true);
    expect(answer.sql.length).toBeGreaterThanOrEqual(4);
  });

  it("with redact on, the fake server never receives a real account name, id or tag value", async () => {
    const [named] = await warehouse.all<{ name: string; total: string }>(
      `select sub_account_name as name, sum(effective_cost)::decimal(18, 2)::varchar as total from marts.cost_daily
       where sub_account_name <> sub_account_id group by 1 order by 1 limit 1`,
    );
    const c = await served(
      [
        (request) => {
          const placeholder = /ACCOUNT_[0-9a-f]{8}/.exec(String(request.messages.at(-1)!.content))![0];
          return {
            toolCalls: [
              {
                tool: "run_sql",
                arguments: {
                  sql: `select sub_account_name, sum(effective_cost)::decimal(18, 2) as total from marts.cost_daily where sub_account_name = '${placeholder}' group by 1`,
                },
              },
              { tool: "list_recommendations", arguments: { limit: 20 } },
              { tool: "resource_history", arguments: { resource_id: "no-such-resource" } },
            ],
          };
        },
        (request) => {
          const rows = (toolResults(request)[0]!.content as { rows: unknown[][] }).rows;
          return { text: `${rows[0]![0]} spent ${rows[0]![1]}.` };
        },
      ],
      { redact: true },
    );
    const answer = await askQuestion(
      warehouse,
      c,
      `How much did ${named!.name} spend, and team payments in prod?`,
      {
        env: KEY,
      },
    );
    // The SQL ran with the real name; the answer shows it.
    expect(answer.sql[0]!.statement).toContain(`'${named!.name}'`);
    expect(answer.answer).toBe(`${named!.name} spent ${named!.total}.`);
    expectNothingSensitiveSent(await sensitive());
  });
});

/** Account ids and names and tag values, as the redactor finds them. */
async function sensitive(): Promise<{ accounts: string[]; tags: string[] }> {
  const found = await collectSensitive((sql) => warehouse.all(sql));
  const strings = (values: Iterable<string | null | undefined>) =>
    [...values].filter((v): v is string => typeof v === "string");
  return { accounts: strings(found.accounts), tags: strings(found.tags) };
}

/** Nothing the fake received holds an account value, or a tag value as a whole token (system prompt and tools are ours). */
function expectNothingSensitiveSent({ accounts, tags }: { accounts: string[]; tags: string[] }): void {
  const sent = fake!.requests
    .flatMap((r) => r.body.messages.filter((m) => m.role !== "system"))
    .map((m) => JSON.stringify(m))
    .join("\n");
  const everything = fake!.sent();
  expect(accounts.length).toBeGreaterThan(3);
  for (const account of accounts) expect(everything, account).not.toContain(account);
  const meaningful = tags.filter((t) => t.length >= 2 && !["true", "false"].includes(t));
  expect(meaningful).toEqual(expect.arrayContaining(["payments", "prod"]));
  for (const tag of meaningful) {
    const escaped = tag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    expect(sent, tag).not.toMatch(new RegExp(`(?<![A-Za-z0-9_]|\\d\\.)${escaped}(?![A-Za-z0-9_]|\\.\\d)`));
  }
}

describe("the commands (the warehouse file opened read-only)", () => {
  beforeAll(async () => {
    // As from a shell: no process holds the warehouse.
    await closeWarehouse();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  function cco(...args: string[]): Promise<CliOutcome> {
    return ccoInProcess(["--config", `${dataDir}/cco.config.yaml`, "--data-dir", dataDir, ...args]);
  }

  it("cco explain prints the template, --json the explanation; an unknown id exits 1", async () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    const human = await cco("explain", gp2Id);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/^modify_volume_type on volume /);
    expect(human.stdout).toMatch(/What to watch\n {2}The executor \(change_disk_type\) checks 24 h/);
    const json = await cco("--json", "explain", gp2Id);
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ recommendationId: gp2Id, source: "template" });
    const unknown = await cco("explain", "ffffffffffff");
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^cco: no recommendation ffffffffffff/);
  });

  it("cco ask without a key says how to enable it and exits 2", async () => {
    vi.stubEnv("OPENAI_API_KEY", "");
    const result = await cco("ask", "what did we spend?");
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/OPENAI_API_KEY is not set/);
    expect(result.stdout).toBe("");
  });

  it("cco ask answers, cites the SQL, and follows up in the same conversation", async () => {
    fake = await startFakeOpenAI([
      { toolCalls: [{ tool: "run_sql", arguments: { sql: "select count(*) as n from marts.resources" } }] },
      (request) => ({
        text: `There are ${(toolResults(request)[0]!.content as { rows: string[][] }).rows[0]![0]} resources.`,
      }),
      { text: "Still the same." },
    ]);
    vi.stubEnv("OPENAI_API_KEY", "sk-test");
    vi.stubEnv("OPENAI_BASE_URL", fake.url);
    const first = await cco("ask", "how many resources?");
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(
      new RegExp(
        `^There are ${resourceCount} resources\\.\n\nSQL run:\n {2}select count\\(\\*\\) as n from marts.resources {2}-- 1 row\n`,
      ),
    );
    const id = /conversation (c-[0-9a-f]{16})/.exec(first.stdout)![1]!;
    const second = await cco("--json", "ask", "and now?", "--conversation", id);
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      conversationId: id,
      answer: "Still the same.",
      sql: [],
      steps: 0,
    });
    const followUp = fake.requests[2]!.body.messages.filter((m) => m.role !== "system").map((m) => m.content);
    expect(followUp[0]).toBe("how many resources?");
    expect(followUp[1]).toBe(
      `There are ${resourceCount} resources.\n\nSQL run for this answer:\nselect count(*) as n from marts.resources`,
    );
  });

  it("cco ask stops a runaway model at max_steps and exits 1, listing the SQL it ran", async () => {
    fake = await startFakeOpenAI([], {
      repeat: { toolCalls: [{ tool: "run_sql", arguments: { sql: "select 1" } }] },
    });
    vi.stubEnv("OPENAI_API_KEY", "sk-test");
    vi.stubEnv("OPENAI_BASE_URL", fake.url);
    const result = await cco("ask", "loop");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /SQL run before it stopped:\n( {2}select 1 {2}-- 1 row\n){3}cco: the assistant stopped after 3 tool calls/,
    );
  });
});
