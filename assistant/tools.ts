/**
 * The agent's tools. Each takes JSON arguments (checked with zod; the JSON Schema the model sees
 * is made from the same schema) and answers JSON. All of them read through the one read-only,
 * guarded connection, and every statement they run is recorded, so the answer can cite it.
 * A refused or failed statement is a result too: its reason goes back to the model.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { shippedFile } from "../core/paths.ts";
import { lit, litList } from "../core/sql.ts";
import type { SqlRun } from "./conversations.ts";
import type { QueryLimits, QueryResult, ReadOnlySql } from "./readonly-sql.ts";
import { FailedQuery, RefusedQuery } from "./sql-guard.ts";

export interface ToolContext {
  db: ReadOnlySql;
  limits: QueryLimits;
  /** Every statement run, in order (appended to). */
  sql: SqlRun[];
}

interface Tool<A> {
  name: string;
  description: string;
  input: z.ZodType<A>;
  run(args: A, ctx: ToolContext): Promise<unknown>;
}

/** A tool result's text limit: a model's context is finite, rows past this are cut. */
const MAX_RESULT_CHARS = 40_000;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a date YYYY-MM-DD");

const runSql: Tool<{ sql: string }> = {
  name: "run_sql",
  description:
    "Run one read-only DuckDB SELECT over the marts.* and ml.* tables and get its rows (at most the row limit). " +
    "Anything else (INSERT, COPY, ATTACH, SET, other schemas, read_csv and other file functions) is refused. " +
    "Money columns are DECIMAL in the row's currency: group by currency, never add different currencies.",
  input: z.strictObject({ sql: z.string().min(1).describe("one DuckDB SELECT statement") }),
  run: async ({ sql }, ctx) => rowsResult(await query(ctx, sql)),
};

const listRecommendations: Tool<{
  provider?: string;
  category?: string;
  detector?: string;
  status?: string;
  risk_level?: "low" | "medium" | "high";
  min_monthly_savings?: number;
  account?: string;
  resource_id?: string;
  order_by: "savings" | "priority" | "risk";
  limit: number;
}> = {
  name: "list_recommendations",
  description:
    "List recommendations from marts.recommendations with filters, highest savings (or priority, or lowest risk) first. " +
    "matching is the number of rows matching the filters before the limit.",
  input: z.strictObject({
    provider: z.string().optional().describe("aws, azure, gcp, oci …"),
    category: z
      .string()
      .optional()
      .describe("rightsizing, deactivation, commitment, modernization, storage, schedule"),
    detector: z.string().optional().describe("e.g. idle_vm, rightsizing, gp2_volume, schedule, spot"),
    status: z.string().optional().describe("lifecycle status, e.g. open; default: any"),
    risk_level: z.enum(["low", "medium", "high"]).optional(),
    min_monthly_savings: z.number().nonnegative().optional(),
    account: z.string().optional().describe("a billing or sub account id"),
    resource_id: z.string().optional(),
    order_by: z.enum(["savings", "priority", "risk"]).default("savings"),
    limit: z.number().int().min(1).max(100).default(20),
  }),
  run: async (a, ctx) => {
    const where = [
      a.provider && `provider = ${lit(a.provider)}`,
      a.category && `category = ${lit(a.category)}`,
      a.detector && `detector = ${lit(a.detector)}`,
      a.status && `status = ${lit(a.status)}`,
      a.risk_level && `risk_level = ${lit(a.risk_level)}`,
      a.min_monthly_savings !== undefined && `estimated_monthly_savings >= ${Number(a.min_monthly_savings)}`,
      a.account && `${lit(a.account)} in (billing_account_id, sub_account_id)`,
      a.resource_id && `resource_id = ${lit(a.resource_id)}`,
    ].filter(Boolean);
    const order = {
      savings: "estimated_monthly_savings desc",
      priority: "priority desc nulls last",
      risk: "risk_score asc nulls last",
    }[a.order_by];
    const sql = `select recommendation_id, detector, category, action, provider, billing_account_id, sub_account_id,
  resource_id, region, current_configuration, target_configuration, estimated_monthly_savings, currency,
  risk_level, risk_score, effort, priority, status, count(*) over () as matching
from marts.recommendations${where.length ? `\nwhere ${where.join(" and ")}` : ""}
order by ${order}, recommendation_id
limit ${Math.min(a.limit, ctx.limits.maxRows)}`;
    return rowsResult(await query(ctx, sql));
  },
};

const resourceHistory: Tool<{ resource_id: string; days: number }> = {
  name: "resource_history",
  description:
    "A resource's inventory row (marts.resources) and its daily effective and billed cost (marts.cost_daily) " +
    "with daily CPU and memory (marts.utilization_daily) over its last `days` days. A VM's name alone " +
    "(the last part of its id) is found too.",
  input: z.strictObject({
    resource_id: z.string().min(1),
    days: z.number().int().min(1).max(366).default(30),
  }),
  run: async ({ resource_id, days }, ctx) => {
    const found = await query(
      ctx,
      `select resource_id, provider, resource_type, sku, region, billing_account_id, sub_account_id, state,
  monthly_cost, currency, tags, first_seen, last_seen
from marts.resources
where resource_id = ${lit(resource_id)} or ends_with(resource_id, ${lit(`/${resource_id}`)})
order by resource_id = ${lit(resource_id)} desc
limit 5`,
    );
    const ids = found.rows.map((r) => String(r[0]));
    if (ids.length > 1 && ids[0] !== resource_id) {
      return {
        note: "several resources end with that name: call again with one full resource_id",
        candidates: ids,
      };
    }
    const id = ids[0] ?? resource_id;
    const history = await query(
      ctx,
      `with cost as (
  select charge_date as day, currency, sum(effective_cost)::decimal(18, 2) as effective_cost,
    sum(billed_cost)::decimal(18, 2) as billed_cost
  from marts.cost_daily where resource_id = ${lit(id)} group by all),
util as (
  select usage_date as day, round(cpu_avg_pct, 2) as cpu_avg_pct, round(cpu_p95_pct, 2) as cpu_p95_pct,
    round(cpu_max_pct, 2) as cpu_max_pct, round(memory_avg_pct, 2) as memory_avg_pct,
    round(memory_max_pct, 2) as memory_max_pct
  from marts.utilization_daily where resource_id = ${lit(id)}),
last as (select day from (select day from cost union select day from util) order by day desc limit ${days})
select day::varchar as day, currency, effective_cost, billed_cost, cpu_avg_pct, cpu_p95_pct, cpu_max_pct,
  memory_avg_pct, memory_max_pct
from last left join cost using (day) left join util using (day)
order by day`,
    );
    return {
      resource: found.rows.length ? rowsResult({ ...found, rows: found.rows.slice(0, 1) }) : null,
      ...(found.rows.length || history.rows.length
        ? {}
        : {
            note: "no rows for this resource_id: ids are exact (list_recommendations or marts.resources give them)",
          }),
      daily: rowsResult(history),
    };
  },
};

const SCOPE_TYPES = ["total", "provider", "billing_account", "sub_account", "service", "region"] as const;

const forecast: Tool<{
  scope_type: (typeof SCOPE_TYPES)[number];
  scope?: string;
  kind: "forecast" | "history" | "both";
  from?: string;
  to?: string;
  granularity: "day" | "month";
}> = {
  name: "forecast",
  description:
    "Daily cost forecast rows of ml.cost_forecasts for one scope: expected cost with 80% and 95% bands " +
    "(kind forecast), or the actual history it was fitted on (kind history). Scopes: total 'total'; provider 'aws'; " +
    "others '<provider>/<id or name>' (e.g. 'aws/123456789012', 'aws/AWS Data Transfer', 'aws/eu-west-1'). " +
    "granularity month sums actual and expected cost per month (bands are daily and not summed).",
  input: z.strictObject({
    scope_type: z.enum(SCOPE_TYPES).default("total"),
    scope: z.string().optional().describe("default 'total' for scope_type total"),
    kind: z.enum(["forecast", "history", "both"]).default("forecast"),
    from: isoDate.optional(),
    to: isoDate.optional(),
    granularity: z.enum(["day", "month"]).default("day"),
  }),
  run: async (a, ctx) => {
    const scope = a.scope ?? (a.scope_type === "total" ? "total" : undefined);
    if (scope === undefined) {
      const scopes = await query(
        ctx,
        `select distinct scope from ml.cost_forecasts where scope_type = ${lit(a.scope_type)} order by scope limit 100`,
      );
      return {
        note: `name one scope of type ${a.scope_type}`,
        available_scopes: scopes.rows.map((r) => r[0]),
      };
    }
    const where = [
      `scope_type = ${lit(a.scope_type)}`,
      `scope = ${lit(scope)}`,
      a.kind !== "both" && `kind = ${lit(a.kind)}`,
      a.from && `forecast_date >= ${lit(a.from)}::date`,
      a.to && `forecast_date <= ${lit(a.to)}::date`,
    ].filter(Boolean);
    const sql =
      a.granularity === "day"
        ? `select forecast_date::varchar as date, kind, currency, actual_cost, expected_cost, lower_80, upper_80,
  lower_95, upper_95, model
from ml.cost_forecasts where ${where.join(" and ")}
order by forecast_date, kind, currency`
        : `select strftime(forecast_date, '%Y-%m') as month, kind, currency, count(*) as days,
  sum(actual_cost) as actual_cost, sum(expected_cost) as expected_cost
from ml.cost_forecasts where ${where.join(" and ")}
group by all order by month, kind, currency`;
    const rows = await query(ctx, sql);
    if (rows.rows.length) return rowsResult(rows);
    const scopes = await query(
      ctx,
      `select distinct scope from ml.cost_forecasts where scope_type = ${lit(a.scope_type)} order by scope limit 100`,
    );
    return {
      note: `no forecast rows for ${a.scope_type} ${scope}`,
      available_scopes: scopes.rows.map((r) => r[0]),
    };
  },
};

const describeTables: Tool<{ tables?: string[] }> = {
  name: "describe_tables",
  description:
    "Without arguments: the readable tables (marts.*, ml.*) with what each holds. With tables " +
    "(e.g. ['marts.cost_daily']): their columns, types and descriptions.",
  input: z.strictObject({ tables: z.array(z.string().min(1)).max(20).optional() }),
  run: async ({ tables }, ctx) => {
    const docs = modelDocs();
    if (!tables?.length) {
      const list = await query(
        ctx,
        `select table_schema || '.' || table_name as name, count(*) as columns
from information_schema.columns where table_schema in ('marts', 'ml')
group by all order by 1`,
      );
      return {
        tables: list.rows.map(([name, columns]) => ({
          name,
          columns,
          description: docs.get(String(name).replace(/^marts\./, ""))?.description ?? null,
        })),
      };
    }
    const names = tables.map((t) => (t.includes(".") ? t : `marts.${t}`));
    const columns = await query(
      ctx,
      `select table_schema || '.' || table_name as name, column_name, data_type
from information_schema.columns
where table_schema in ('marts', 'ml') and table_schema || '.' || table_name in (${litList(names)})
order by table_schema, table_name, ordinal_position`,
      { maxRows: 2000 },
    );
    const out = new Map<string, { name: string; description: string | null; columns: unknown[] }>();
    for (const [name, column, type] of columns.rows) {
      const doc = docs.get(String(name).replace(/^marts\./, ""));
      if (!out.has(String(name)))
        out.set(String(name), { name: String(name), description: doc?.description ?? null, columns: [] });
      out.get(String(name))!.columns.push({
        name: column,
        type,
        description: doc?.columns.get(String(column)) ?? null,
      });
    }
    const missing = names.filter((n) => !out.has(n));
    return { tables: [...out.values()], ...(missing.length ? { not_found: missing } : {}) };
  },
};

// biome-ignore lint/suspicious/noExplicitAny: each tool checks its own arguments with its schema.
export const TOOLS: readonly Tool<any>[] = [
  runSql,
  listRecommendations,
  resourceHistory,
  forecast,
  describeTables,
];

/** The tools as the chat completions API takes them. */
export function toolDefinitions(): ChatCompletionFunctionTool[] {
  return TOOLS.map((tool) => {
    const { $schema: _schema, ...parameters } = z.toJSONSchema(tool.input, { io: "input" }) as Record<
      string,
      unknown
    >;
    return { type: "function", function: { name: tool.name, description: tool.description, parameters } };
  });
}

/** Run one tool call; the result (or why it could not run) as JSON text for the model. */
export async function runTool(name: string, argumentsJson: string, ctx: ToolContext): Promise<string> {
  const tool = TOOLS.find((t) => t.name === name);
  if (!tool)
    return resultText({ error: `no tool ${name}; the tools are ${TOOLS.map((t) => t.name).join(", ")}` });
  let raw: unknown;
  try {
    raw = argumentsJson.trim() ? JSON.parse(argumentsJson) : {};
  } catch {
    return resultText({ error: `the arguments are not JSON: ${argumentsJson.slice(0, 200)}` });
  }
  const args = tool.input.safeParse(raw);
  if (!args.success) {
    const issue = args.error.issues[0]!;
    return resultText({ error: `bad arguments: ${issue.path.join(".") || "(root)"}: ${issue.message}` });
  }
  try {
    return resultText(await tool.run(args.data, ctx));
  } catch (error) {
    if (error instanceof QueryError)
      return resultText({ error: error.message, ...(error.refused ? { refused: true } : {}) });
    throw error;
  }
}

class QueryError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/** One statement through the guard, recorded with its row count or its error. */
async function query(ctx: ToolContext, sql: string, limits: Partial<QueryLimits> = {}): Promise<QueryResult> {
  try {
    const result = await ctx.db.query(sql, { ...ctx.limits, ...limits });
    ctx.sql.push({ statement: sql, rows: result.rows.length });
    return result;
  } catch (error) {
    if (error instanceof RefusedQuery || error instanceof FailedQuery) {
      ctx.sql.push({ statement: sql, error: error.message });
      throw new QueryError(error.message, error instanceof RefusedQuery);
    }
    throw error;
  }
}

function rowsResult(result: QueryResult): Record<string, unknown> {
  return {
    columns: result.columns,
    rows: result.rows,
    row_count: result.rows.length,
    ...(result.truncated
      ? { truncated: true, note: "more rows exist than the row limit: aggregate or filter" }
      : {}),
  };
}

/** JSON text at most MAX_RESULT_CHARS long: rows are dropped from the end until it fits. */
export function resultText(value: unknown): string {
  let text = JSON.stringify(value);
  if (text.length <= MAX_RESULT_CHARS) return text;
  const rowsOf = (v: unknown): unknown[][] | undefined => {
    const rows = (v as { rows?: unknown } | null)?.rows;
    return Array.isArray(rows) ? (rows as unknown[][]) : undefined;
  };
  const holder = (rowsOf(value) ? value : (value as { daily?: unknown }).daily) as
    | Record<string, unknown>
    | undefined;
  const rows = rowsOf(holder);
  if (!holder || !rows) return JSON.stringify({ error: "the result is too large to send: narrow the query" });
  let keep = rows.length;
  while (keep > 0 && text.length > MAX_RESULT_CHARS) {
    keep = Math.floor(keep / 2);
    Object.assign(holder, {
      rows: rows.slice(0, keep),
      row_count: keep,
      truncated: true,
      note: "the result was cut to fit: aggregate or select fewer columns",
    });
    text = JSON.stringify(value);
  }
  return text;
}

interface ModelDoc {
  description: string | null;
  columns: Map<string, string>;
}

let docsCache: Map<string, ModelDoc> | undefined;

/** The marts' descriptions from the dbt project's schema YAML (models/marts/*.yml). */
function modelDocs(): Map<string, ModelDoc> {
  if (docsCache) return docsCache;
  const docs = new Map<string, ModelDoc>();
  try {
    const dir = shippedFile("models", "marts");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yml"))) {
      const yaml = parseYaml(readFileSync(`${dir}/${file}`, "utf8")) as {
        models?: { name: string; description?: string; columns?: { name: string; description?: string }[] }[];
      };
      for (const m of yaml?.models ?? []) {
        docs.set(m.name, {
          description: m.description ?? null,
          columns: new Map((m.columns ?? []).map((c) => [c.name, c.description ?? ""])),
        });
      }
    }
  } catch {
    // Descriptions are a help, not a need: the columns and types still come from the catalog.
  }
  docsCache = docs;
  return docs;
}
