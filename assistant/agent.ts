/**
 * `cco ask`: a tool-calling loop. The model gets the question (and the conversation's last turns),
 * calls tools (tools.ts) on a read-only connection, and answers; each tool call is a step, and at
 * assistant.max_steps the loop stops with an error rather than run on. With assistant.redact,
 * what goes out is redacted and what comes back (tool arguments, the answer) restored.
 */
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import type { Config } from "../core/config.ts";
import { CcoError, UsageError } from "../core/errors.ts";
import type { Warehouse } from "../core/warehouse/warehouse.ts";
import {
  type Conversation,
  loadConversation,
  newConversation,
  type SqlRun,
  saveTurn,
  type Turn,
} from "./conversations.ts";
import { complete, endpointFor, howToEnable } from "./endpoint.ts";
import { ReadOnlySql } from "./readonly-sql.ts";
import { collectSensitive, Redactor, redactionKey } from "./redact.ts";
import { runTool, type ToolContext, toolDefinitions } from "./tools.ts";

export interface AskOptions {
  /** Continue this conversation (its last assistant.memory_turns turns are sent along). */
  conversationId?: string;
  /** Who asks (the service's user): a conversation is continued only by the user who started it. */
  user?: string;
  /** Where the key and OPENAI_BASE_URL are read; default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called before each tool runs (progress output). */
  onTool?: (name: string, args: string) => void;
}

export interface Answer {
  conversationId: string;
  answer: string;
  /** Each SQL statement the agent ran, in order, with its row count or error. */
  sql: SqlRun[];
  steps: number;
}

/** The loop ran out of steps: the SQL run so far is kept on the error. */
export class StepLimitError extends CcoError {
  constructor(
    readonly steps: number,
    readonly sql: SqlRun[],
  ) {
    super(
      `the assistant stopped after ${steps} tool calls (assistant.max_steps) without an answer; ` +
        "ask a narrower question, or raise assistant.max_steps",
    );
  }
}

export async function askQuestion(
  warehouse: Warehouse | undefined,
  config: Config,
  question: string,
  options: AskOptions = {},
): Promise<Answer> {
  const settings = config.assistant;
  const endpoint = endpointFor(config, options.env);
  if (!endpoint) throw new UsageError(howToEnable(config));
  if (!question.trim()) throw new UsageError("ask: the question is empty");
  const conversation: Conversation = options.conversationId
    ? loadConversation(config, options.conversationId, options.user)
    : newConversation(options.user);
  // The service holds the warehouse open for writing: its snapshots are read instead.
  const db = await ReadOnlySql.open(config, { busy: warehouse !== undefined });
  const sql: SqlRun[] = [];
  let steps = 0;
  let answer: string;
  try {
    const limits = { maxRows: settings.max_rows, timeoutMs: settings.statement_timeout_ms };
    const redactor = settings.redact
      ? new Redactor(
          await collectSensitive((q) => db.objects(q, { maxRows: 1_000_000, timeoutMs: 60_000 })),
          redactionKey(config.dataDir),
        )
      : undefined;
    const hide = (text: string) => redactor?.redact(text) ?? text;
    const ctx: ToolContext = { db, limits, sql };
    const messages: ChatCompletionMessageParam[] = [
      { role: "system", content: await systemPrompt(db, config, Boolean(redactor)) },
      ...conversation.turns
        .slice(conversation.turns.length - Math.min(settings.memory_turns, conversation.turns.length))
        .flatMap((turn) => memoryMessages(turn, hide)),
      { role: "user", content: hide(question) },
    ];
    const tools = toolDefinitions();
    for (;;) {
      const message = await complete(endpoint, { messages, tools, tool_choice: "auto" });
      const calls = (message.tool_calls ?? []).filter((c) => c.type === "function");
      if (!calls.length) {
        answer = redactor ? redactor.restore(message.content ?? "") : (message.content ?? "");
        if (!answer.trim())
          throw new CcoError(`the model (${endpoint.model}) answered with neither text nor a tool call`);
        break;
      }
      messages.push({ role: "assistant", content: message.content ?? null, tool_calls: calls });
      for (const call of calls) {
        if (steps >= settings.max_steps) throw new StepLimitError(steps, sql);
        steps++;
        const args = redactor ? redactor.restore(call.function.arguments) : call.function.arguments;
        options.onTool?.(call.function.name, args);
        const result = await runTool(call.function.name, args, ctx);
        messages.push({ role: "tool", tool_call_id: call.id, content: hide(result) });
      }
    }
  } finally {
    db.close();
  }
  const turn: Turn = { at: new Date().toISOString(), question, answer, sql };
  saveTurn(config, conversation, turn, settings.memory_turns);
  return { conversationId: conversation.id, answer, sql, steps };
}

/** An earlier turn as the model sees it: the question, and the answer with the SQL behind it. */
function memoryMessages(turn: Turn, hide: (text: string) => string): ChatCompletionMessageParam[] {
  const ran = turn.sql.filter((s) => !s.error).map((s) => s.statement);
  const cited = ran.length ? `\n\nSQL run for this answer:\n${ran.join(";\n")}` : "";
  return [
    { role: "user", content: hide(turn.question) },
    { role: "assistant", content: hide(`${turn.answer}${cited}`) },
  ];
}

async function systemPrompt(db: ReadOnlySql, config: Config, redacted: boolean): Promise<string> {
  const tables = await db
    .objects<{ name: string }>(
      "select table_schema || '.' || table_name as name from information_schema.tables where table_schema in ('marts', 'ml') order by 1",
      { maxRows: 500, timeoutMs: 10_000 },
    )
    .catch(() => []);
  const s = config.assistant;
  return [
    "You answer questions about a company's cloud costs from its FinOps warehouse (DuckDB), using the tools.",
    `Readable tables: ${tables.map((t) => t.name).join(", ") || "(none yet)"}. describe_tables gives their columns.`,
    "Rules:",
    "- Every number in your answer must come from a tool result; say which query it came from. Never guess values.",
    "- SQL is DuckDB's dialect, one SELECT per run_sql call, over marts.* and ml.* only. Writes, other schemas and " +
      `file functions are refused. At most ${s.max_rows} rows come back: aggregate in SQL.`,
    "- Money is in the row's currency column: group by currency, never add amounts in different currencies.",
    "- Prefer marts.cost_daily for spend over time (effective_cost = after discounts), marts.recommendations for " +
      "savings, ml.cost_forecasts for forecasts, ml.cost_anomalies for anomalies.",
    `- You have at most ${s.max_steps} tool calls for this question. Answer briefly, with units and dates.`,
    ...(redacted
      ? [
          "- Account ids and names and tag values are replaced by placeholders such as ACCOUNT_1a2b3c4d and " +
            "TAG_1a2b3c4d. Use them verbatim (in SQL string literals too): they are mapped back for you.",
        ]
      : []),
    `Today is ${new Date().toISOString().slice(0, 10)}.`,
  ].join("\n");
}
