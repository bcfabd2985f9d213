/**
 * The ask loop against the fake OpenAI-compatible server on a small warehouse: a write comes back
 * to the model as a refusal, a runaway loop stops at max_steps, follow-ups see the last turns
 * (bounded), and a missing key, HTTP errors, timeouts and unreachable endpoints give clear errors.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { askQuestion, StepLimitError } from "../../assistant/index.ts";
import type { Config } from "../../core/config.ts";
import { CcoError, UsageError } from "../../core/errors.ts";
import { type FakeOpenAI, startFakeOpenAI, toolResults } from "../helpers/fake-openai.ts";
import { freePort } from "../helpers/ports.ts";
import { smallWarehouse } from "./small-warehouse.ts";

let config: Config;
let fake: FakeOpenAI | undefined;
const KEY = { OPENAI_API_KEY: "sk-test" };

beforeAll(async () => {
  config = await smallWarehouse(
    "assistant:\n  max_steps: 3\n  memory_turns: 2\n  max_retries: 0\n  request_timeout_ms: 5000\n",
  );
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

/** The config pointed at the fake server. */
async function serve(
  script: Parameters<typeof startFakeOpenAI>[0],
  options: Parameters<typeof startFakeOpenAI>[1] & { assistant?: Partial<Config["assistant"]> } = {},
): Promise<Config> {
  fake = await startFakeOpenAI(script, options);
  return { ...config, assistant: { ...config.assistant, ...options.assistant, base_url: fake.url } };
}

describe("the loop", () => {
  it("runs the model's SQL, passes the rows back, and cites the SQL with the answer", async () => {
    const c = await serve([
      {
        toolCalls: [
          {
            tool: "run_sql",
            arguments: { sql: "select sum(effective_cost) as total from marts.cost_daily" },
          },
        ],
      },
      (request) => ({ text: `The total is ${JSON.stringify(toolResults(request)[0]!.content)}` }),
    ]);
    const answer = await askQuestion(undefined, c, "what did we spend?", { env: KEY });
    expect(answer.steps).toBe(1);
    expect(answer.sql).toEqual([
      { statement: "select sum(effective_cost) as total from marts.cost_daily", rows: 1 },
    ]);
    expect(answer.answer).toContain('"rows":[["285.00"]]');
    // The second request carries the assistant's tool call and the tool's result under its id.
    const second = fake!.requests[1]!.body.messages;
    const call = second.find((m) => m.role === "assistant")!.tool_calls![0]!;
    expect(second.find((m) => m.role === "tool")!.tool_call_id).toBe(call.id);
    expect(fake!.requests[0]!.body.model).toBe("gpt-4o-mini");
    expect(fake!.requests[0]!.headers.authorization).toBe("Bearer sk-test");
    expect(fake!.requests[0]!.body.tools!.map((t) => t.function.name)).toEqual([
      "run_sql",
      "list_recommendations",
      "resource_history",
      "forecast",
      "describe_tables",
    ]);
  });

  it("refuses a write and gives the refusal to the model as the tool's result", async () => {
    const target = path.join(config.paths.marts, "out.csv");
    const c = await serve([
      {
        toolCalls: [
          { tool: "run_sql", arguments: { sql: "delete from marts.cost_daily" } },
          { tool: "run_sql", arguments: { sql: `copy marts.cost_daily to '${target}'` } },
          { tool: "run_sql", arguments: { sql: "select * from read_csv('/etc/passwd')" } },
        ],
      },
      { text: "I may not change anything." },
    ]);
    const answer = await askQuestion(undefined, c, "delete the costs", { env: KEY });
    const results = toolResults(fake!.requests[1]!.body);
    expect(results.map((r) => r.content)).toEqual([
      { error: expect.stringMatching(/^DELETE statement refused/), refused: true },
      { error: expect.stringMatching(/^COPY statement refused/), refused: true },
      { error: expect.stringMatching(/read_csv\(\) is not allowed/), refused: true },
    ]);
    expect(answer.sql.map((s) => s.error)).toEqual([
      expect.stringMatching(/refused/),
      expect.stringMatching(/refused/),
      expect.stringMatching(/refused/),
    ]);
    expect(() => readFileSync(target)).toThrow();
  });

  it("stops a runaway loop at max_steps with a clear error (exit 1) keeping the SQL it ran", async () => {
    const c = await serve([], {
      repeat: { toolCalls: [{ tool: "run_sql", arguments: { sql: "select 1" } }] },
    });
    const asking = askQuestion(undefined, c, "loop forever", { env: KEY });
    await expect(asking).rejects.toBeInstanceOf(StepLimitError);
    const error = (await asking.catch((e: unknown) => e)) as StepLimitError;
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/stopped after 3 tool calls \(assistant.max_steps\)/);
    expect(error.sql.map((s) => s.statement)).toEqual(["select 1", "select 1", "select 1"]);
    // Three calls ran; the model's fourth was not.
    expect(fake!.requests).toHaveLength(4);
  });

  it("gives bad tool arguments and unknown tools back to the model as errors", async () => {
    const c = await serve([
      {
        toolCalls: [
          { tool: "run_sql", arguments: { query: "select 1" } },
          { tool: "drop_everything", arguments: {} },
          { tool: "forecast", arguments: "{not json" },
        ],
      },
      { text: "ok" },
    ]);
    await askQuestion(undefined, c, "q", { env: KEY });
    expect(toolResults(fake!.requests[1]!.body).map((r) => (r.content as { error: string }).error)).toEqual([
      expect.stringMatching(/^bad arguments/),
      expect.stringMatching(/^no tool drop_everything/),
      expect.stringMatching(/^the arguments are not JSON/),
    ]);
  });
});

describe("conversations", () => {
  it("sends the earlier turns with a follow-up, at most memory_turns of them, and stores no more", async () => {
    const c = await serve([{ text: "A1" }, { text: "A2" }, { text: "A3" }, { text: "A4" }]);
    const first = await askQuestion(undefined, c, "Q1", { env: KEY });
    for (const q of ["Q2", "Q3", "Q4"]) {
      const next = await askQuestion(undefined, c, q, { env: KEY, conversationId: first.conversationId });
      expect(next.conversationId).toBe(first.conversationId);
    }
    const spoken = (i: number) =>
      fake!.requests[i]!.body.messages.filter((m) => m.role !== "system").map((m) => m.content);
    expect(spoken(0)).toEqual(["Q1"]);
    expect(spoken(1)).toEqual(["Q1", "A1", "Q2"]);
    // memory_turns 2: the fourth question sees turns 2 and 3, not the first.
    expect(spoken(3)).toEqual(["Q2", "A2", "Q3", "A3", "Q4"]);
    const file = path.join(config.dataDir, "assistant", "conversations", `${first.conversationId}.json`);
    const stored = JSON.parse(readFileSync(file, "utf8")) as { turns: { question: string }[] };
    expect(stored.turns.map((t) => t.question)).toEqual(["Q3", "Q4"]);
  });

  it("does not continue another user's conversation, or one that does not exist (exit 2)", async () => {
    const c = await serve([{ text: "mine" }]);
    const alice = await askQuestion(undefined, c, "Q", { env: KEY, user: "alice" });
    for (const [id, user] of [
      [alice.conversationId, "bob"],
      [alice.conversationId, undefined],
      ["c-0000000000000000", "alice"],
      ["../../etc/passwd", "alice"],
    ] as const) {
      await expect(
        askQuestion(undefined, c, "Q", { env: KEY, user, conversationId: id }),
      ).rejects.toBeInstanceOf(UsageError);
    }
  });
});

describe("without a key, and when the endpoint fails", () => {
  it("says how to enable it (exit 2) and sends nothing", async () => {
    const c = await serve([{ text: "never" }]);
    const asking = askQuestion(undefined, c, "Q", { env: {} });
    await expect(asking).rejects.toBeInstanceOf(UsageError);
    const message = ((await asking.catch((e: unknown) => e)) as Error).message;
    for (const hint of [
      "OPENAI_API_KEY",
      "assistant.base_url",
      "OPENAI_BASE_URL",
      "assistant.model, now gpt-4o-mini",
      "11434",
    ]) {
      expect(message).toContain(hint);
    }
    expect(fake!.requests).toHaveLength(0);
  });

  it("reads the key from assistant.api_key_env and the endpoint from OPENAI_BASE_URL", async () => {
    fake = await startFakeOpenAI([{ text: "hi" }]);
    const c = { ...config, assistant: { ...config.assistant, api_key_env: "MY_LLM_KEY", model: "llama3.1" } };
    const answer = await askQuestion(undefined, c, "Q", {
      env: { MY_LLM_KEY: "local", OPENAI_BASE_URL: fake.url },
    });
    expect(answer.answer).toBe("hi");
    expect(fake.requests[0]!.headers.authorization).toBe("Bearer local");
    expect(fake.requests[0]!.body.model).toBe("llama3.1");
  });

  it.each([
    [{ status: 500, message: "the GPU is on fire" }, /answered HTTP 500: the GPU is on fire/],
    [
      { status: 401, message: "Incorrect API key" },
      /answered HTTP 401: Incorrect API key — check the key in OPENAI_API_KEY/,
    ],
    [
      { status: 404, message: "model not found" },
      /HTTP 404: model not found — check assistant.model \(gpt-4o-mini\)/,
    ],
    [{ status: 429, message: "slow down" }, /HTTP 429: slow down — rate limited/],
    [{ delayMs: 10_000 }, /did not answer within 300 ms \(assistant.request_timeout_ms\)/],
  ] as const)("%j is a clear error (exit 1)", async (step, expected) => {
    const c = await serve([step], { assistant: { request_timeout_ms: 300 } });
    const asking = askQuestion(undefined, c, "Q", { env: KEY });
    const error = (await asking.catch((e: unknown) => e)) as CcoError;
    expect(error).toBeInstanceOf(CcoError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(expected);
    expect(error.message).toContain(fake!.url);
    // max_retries 0: one request.
    expect(fake!.requests).toHaveLength(1);
  });

  it("names an endpoint it cannot reach (exit 1)", async () => {
    const port = await freePort();
    const c = { ...config, assistant: { ...config.assistant, base_url: `http://127.0.0.1:${port}/v1` } };
    const error = (await askQuestion(undefined, c, "Q", { env: KEY }).catch((e: unknown) => e)) as CcoError;
    expect(error).toBeInstanceOf(CcoError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(new RegExp(`cannot reach the model endpoint http://127.0.0.1:${port}/v1`));
  });
});
