/**
 * cco.config.yaml: a loose user file normalized once into a fully defaulted,
 * typed object. Unknown keys and bad values fail naming the file and key; `${VAR}`
 * in strings is substituted from the environment after validation, so secrets
 * never have to be written into the file.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { type ActionsSettings, actionsSchema } from "./actions-settings.ts";
import { type ApprovalsSettings, approvalsSchema } from "./approvals-settings.ts";
import { type AssistantSettings, assistantSchema } from "./assistant-settings.ts";
import { type MlSettings, mlSchema } from "./ml-settings.ts";
import { type NotificationsSettings, notificationsSchema } from "./notifications-settings.ts";
import { type PipelineSettings, pipelineSchema } from "./pipeline-settings.ts";
import { type RecommendSettings, recommendSchema } from "./recommend-settings.ts";
import { type ServiceSettings, serviceSchema } from "./service-settings.ts";

const positiveInt = z.number().int().positive();

/** True for a real calendar day spelled YYYY-MM-DD (2026-02-30 and 2026-13-01 are not). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const configSchema = z.strictObject({
  /** Root for lake, marts, generated estates and exports; relative to the config file. */
  data_dir: z.string().min(1).default("data"),
  warehouse: z
    .strictObject({
      /** DuckDB file; defaults to <data_dir>/warehouse.duckdb. */
      path: z.string().min(1).optional(),
      memory_limit: z
        .string()
        .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, "expected a size such as 4GB or 512MiB")
        .default("4GB"),
      threads: positiveInt.max(256).default(2),
      /** Where DuckDB spills work that does not fit in memory_limit; default: <warehouse file>.tmp beside it. */
      temp_directory: z.string().min(1).optional(),
    })
    .prefault({}),
  generate: z
    .strictObject({
      seed: z.number().int().nonnegative().default(42),
      resources: positiveInt.max(1_000_000).default(300),
      days: positiveInt.max(1_100).default(120),
      /** Last day of generated data (inclusive), YYYY-MM-DD. */
      end_date: z
        .string()
        .refine(isCalendarDate, {
          abort: true,
          error: (issue) => `${issue.input} is not a date (expected YYYY-MM-DD)`,
        })
        .default("2026-10-31"),
    })
    .prefault({}),
  recommend: recommendSchema,
  ml: mlSchema,
  approvals: approvalsSchema,
  actions: actionsSchema,
  notifications: notificationsSchema,
  pipeline: pipelineSchema,
  service: serviceSchema,
  assistant: assistantSchema,
  reports: z
    .strictObject({
      title: z.string().min(1).default("Cloud cost report"),
      /** Monthly budgets the executive page compares the month's spend with. */
      budgets: z
        .array(
          z.strictObject({
            /** total, or provider:<key>, service:<name>, billing_account:<id>. */
            scope: z.string().regex(/^(total|(provider|service|billing_account):.+)$/, {
              error: "expected total, provider:<key>, service:<name> or billing_account:<id>",
            }),
            currency: z.string().regex(/^[A-Z]{3}$/, { error: "expected an ISO 4217 code such as USD" }),
            monthly: z.number().positive(),
          }),
        )
        .default([]),
    })
    .prefault({}),
  /** Showback / chargeback: allocation dimensions and the tag keys that carry each (first present wins). */
  allocation: z
    .strictObject({
      dimensions: z
        .record(
          z.string().regex(/^[a-z][a-z0-9_]*$/, "dimension names are lower_snake_case"),
          z.array(z.string().min(1)).min(1),
        )
        .default({
          team: ["team", "Team", "user_team", "owner"],
          cost_centre: ["cost-center", "cost_center", "CostCenter", "costcenter", "user_cost_center"],
          environment: ["env", "environment", "Environment", "user_env"],
        }),
      /** Spread each account's untagged cost over its tagged values in proportion to their cost. */
      share_untagged: z.boolean().default(false),
    })
    .prefault({}),
  /** Where remote exports are read from. Credentials come from each cloud's standard chain, never from here. */
  sources: z
    .strictObject({
      s3: z
        .strictObject({
          region: z.string().min(1).optional(),
          /** An S3-compatible endpoint (MinIO, a local test server); default: AWS. */
          endpoint: z.string().url().optional(),
          force_path_style: z.boolean().default(false),
        })
        .prefault({}),
      cloud_monitoring: z
        .strictObject({
          /** Override of the Cloud Monitoring API endpoint (a local test server); default: Google. */
          api_endpoint: z.string().url().optional(),
        })
        .prefault({}),
      /** EC2 Describe* for ec2inventory://; default: AWS (the SDK's AWS_ENDPOINT_URL_EC2 also works). */
      ec2: z
        .strictObject({
          endpoint: z.string().url().optional(),
        })
        .prefault({}),
      /** Compute Engine API for gcpinventory://; default: Google. */
      compute: z
        .strictObject({
          api_endpoint: z.string().url().optional(),
        })
        .prefault({}),
      azure: z
        .strictObject({
          /** Azure Resource Manager endpoint (sovereign clouds, a local test server); default: public Azure. */
          arm_endpoint: z.string().url().default("https://management.azure.com"),
        })
        .prefault({}),
      bigquery: z
        .strictObject({
          /** Project that runs (and pays for) the export query; default: the table's project. */
          project: z.string().min(1).optional(),
          /** Override of the BigQuery API endpoint (a local test server); default: Google. */
          api_endpoint: z.string().url().optional(),
        })
        .prefault({}),
      /** The price APIs `cco catalog refresh` reads; overrides for local test servers. */
      pricing: z
        .strictObject({
          /** AWS Price List API endpoint; default: AWS (us-east-1). */
          aws_endpoint: z.string().url().optional(),
          /** Azure Retail Prices API (no credentials needed). */
          azure_retail_endpoint: z.string().url().default("https://prices.azure.com"),
          /** Cloud Billing Catalog API endpoint; default: Google. */
          gcp_billing_endpoint: z.string().url().optional(),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type UserConfig = z.input<typeof configSchema>;
/** A config file with every key spelled out, as `cco config` prints it. */
export type FileConfig = z.output<typeof configSchema>;

/** A monthly budget for a scope, in one currency. */
export interface Budget {
  scope: string;
  currency: string;
  monthly: number;
}

export interface Config {
  /** File the config came from, or "(defaults)". */
  source: string;
  /** Directory relative paths are resolved against. */
  root: string;
  dataDir: string;
  warehouse: { path: string; memoryLimit: string; threads: number; tempDirectory?: string };
  generate: { seed: number; resources: number; days: number; endDate: string };
  /** Detector thresholds, protected tags, risk and priority: as the file spells them (dbt vars). */
  recommend: RecommendSettings;
  /** The ML jobs' settings, as the file spells them. */
  ml: MlSettings;
  /** Approval rules, expiry and escalation; the executor; where notifications go: as the file spells them. */
  approvals: ApprovalsSettings;
  actions: ActionsSettings;
  notifications: NotificationsSettings;
  /** Sources, schedules, retries and the lock of `cco run` and the scheduler; the service; the assistant. */
  pipeline: PipelineSettings;
  service: ServiceSettings;
  assistant: AssistantSettings;
  reports: { title: string; budgets: Budget[] };
  allocation: { dimensions: { name: string; tagKeys: string[] }[]; shareUntagged: boolean };
  sources: {
    s3: { region?: string; endpoint?: string; forcePathStyle: boolean };
    bigquery: { project?: string; apiEndpoint?: string };
    azure: { armEndpoint: string };
    cloudMonitoring: { apiEndpoint?: string };
    ec2: { endpoint?: string };
    compute: { apiEndpoint?: string };
    pricing: { awsEndpoint?: string; azureRetailEndpoint: string; gcpBillingEndpoint?: string };
  };
  /** Derived locations, all under dataDir. */
  paths: { lake: string; marts: string; estate: string; exports: string; site: string; cache: string };
}

export interface ConfigOverrides {
  configFile?: string;
  warehouse?: string;
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export const DEFAULT_CONFIG_FILE = "cco.config.yaml";

/** Load, validate, substitute secrets and apply CLI/env overrides, once. */
export function loadConfig(overrides: ConfigOverrides = {}): Config {
  const env = overrides.env ?? process.env;
  const cwd = overrides.cwd ?? process.cwd();
  const explicit = overrides.configFile ?? env.CCO_CONFIG;
  const file = path.resolve(cwd, explicit ?? DEFAULT_CONFIG_FILE);
  let raw: unknown = {};
  let source = "(defaults)";
  if (existsSync(file)) {
    source = file;
    raw = parseFile(file);
  } else if (explicit) {
    throw new ConfigError(file, "", "config file not found");
  }
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
    const keyPath = [...issue.path, ...(keys.length === 1 ? keys : [])].join(".");
    const detail =
      issue.code === "unrecognized_keys"
        ? `unknown key${keys.length > 1 ? `s ${keys.join(", ")}` : ""}`
        : issue.message;
    throw new ConfigError(source, keyPath, detail);
  }
  const user = substituteEnv(parsed.data, env, source, []) as z.output<typeof configSchema>;
  const root = source === "(defaults)" ? cwd : path.dirname(file);
  const dataDir = path.resolve(
    cwd,
    overrides.dataDir ?? env.CCO_DATA_DIR ?? path.resolve(root, user.data_dir),
  );
  const warehousePath = path.resolve(
    cwd,
    overrides.warehouse ??
      env.CCO_WAREHOUSE ??
      (user.warehouse.path
        ? path.resolve(root, user.warehouse.path)
        : path.join(dataDir, "warehouse.duckdb")),
  );
  return {
    source,
    root,
    dataDir,
    warehouse: {
      path: warehousePath,
      memoryLimit: user.warehouse.memory_limit,
      threads: user.warehouse.threads,
      tempDirectory: user.warehouse.temp_directory
        ? path.resolve(root, user.warehouse.temp_directory)
        : undefined,
    },
    generate: {
      seed: user.generate.seed,
      resources: user.generate.resources,
      days: user.generate.days,
      endDate: user.generate.end_date,
    },
    recommend: user.recommend,
    ml: user.ml,
    approvals: user.approvals,
    actions: user.actions,
    notifications: user.notifications,
    pipeline: user.pipeline,
    service: user.service,
    assistant: user.assistant,
    reports: { title: user.reports.title, budgets: user.reports.budgets },
    allocation: {
      dimensions: Object.entries(user.allocation.dimensions).map(([name, tagKeys]) => ({ name, tagKeys })),
      shareUntagged: user.allocation.share_untagged,
    },
    sources: {
      s3: {
        region: user.sources.s3.region,
        endpoint: user.sources.s3.endpoint,
        forcePathStyle: user.sources.s3.force_path_style,
      },
      bigquery: { project: user.sources.bigquery.project, apiEndpoint: user.sources.bigquery.api_endpoint },
      azure: { armEndpoint: user.sources.azure.arm_endpoint },
      cloudMonitoring: { apiEndpoint: user.sources.cloud_monitoring.api_endpoint },
      ec2: { endpoint: user.sources.ec2.endpoint },
      compute: { apiEndpoint: user.sources.compute.api_endpoint },
      pricing: {
        awsEndpoint: user.sources.pricing.aws_endpoint,
        azureRetailEndpoint: user.sources.pricing.azure_retail_endpoint,
        gcpBillingEndpoint: user.sources.pricing.gcp_billing_endpoint,
      },
    },
    paths: {
      lake: path.join(dataDir, "lake"),
      marts: path.join(dataDir, "marts"),
      estate: path.join(dataDir, "estate"),
      exports: path.join(dataDir, "exports"),
      site: path.join(dataDir, "site"),
      cache: path.join(dataDir, "cache"),
    },
  };
}

/**
 * The effective configuration spelled as the file spells it (snake_case keys, every
 * default filled in, paths absolute): written to a file, it loads back to the same Config.
 */
export function toFileConfig(config: Config): FileConfig {
  const { s3, bigquery, azure, cloudMonitoring, ec2, compute, pricing } = config.sources;
  return {
    data_dir: config.dataDir,
    warehouse: {
      path: config.warehouse.path,
      memory_limit: config.warehouse.memoryLimit,
      threads: config.warehouse.threads,
      temp_directory: config.warehouse.tempDirectory,
    },
    generate: {
      seed: config.generate.seed,
      resources: config.generate.resources,
      days: config.generate.days,
      end_date: config.generate.endDate,
    },
    recommend: config.recommend,
    ml: config.ml,
    approvals: config.approvals,
    actions: config.actions,
    notifications: config.notifications,
    pipeline: config.pipeline,
    service: config.service,
    assistant: config.assistant,
    reports: { title: config.reports.title, budgets: config.reports.budgets },
    allocation: {
      dimensions: Object.fromEntries(config.allocation.dimensions.map((d) => [d.name, d.tagKeys])),
      share_untagged: config.allocation.shareUntagged,
    },
    sources: {
      s3: { region: s3.region, endpoint: s3.endpoint, force_path_style: s3.forcePathStyle },
      cloud_monitoring: { api_endpoint: cloudMonitoring.apiEndpoint },
      ec2: { endpoint: ec2.endpoint },
      compute: { api_endpoint: compute.apiEndpoint },
      azure: { arm_endpoint: azure.armEndpoint },
      bigquery: { project: bigquery.project, api_endpoint: bigquery.apiEndpoint },
      pricing: {
        aws_endpoint: pricing.awsEndpoint,
        azure_retail_endpoint: pricing.azureRetailEndpoint,
        gcp_billing_endpoint: pricing.gcpBillingEndpoint,
      },
    },
  };
}

function parseFile(file: string): unknown {
  try {
    // Plain YAML only: no !!binary or other typed tags (a Buffer is no config value), and at
    // most 100 alias expansions (a file that expands without bound is refused).
    return parseYaml(readFileSync(file, "utf8"), {
      resolveKnownTags: false,
      maxAliasCount: 100,
      logLevel: "error",
    });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const line = error.linePos?.[0];
      const detail = /Maximum call stack/.test(error.message)
        ? "nested too deeply"
        : error.message.split("\n")[0]!;
      throw new ConfigError(file, line ? `line ${line.line}` : "", detail);
    }
    // The yaml package throws ReferenceError for an alias to no anchor and for too many aliases.
    if (error instanceof ReferenceError) throw new ConfigError(file, "", error.message);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EISDIR") throw new ConfigError(file, "", "a folder, not a config file");
    if (code === "EACCES") throw new ConfigError(file, "", "cannot be read (permission denied)");
    throw error;
  }
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, source: string, keyPath: string[]): unknown {
  if (typeof value === "string") {
    return value.replace(ENV_REF, (_, name: string) => {
      const found = env[name];
      if (found === undefined) {
        throw new ConfigError(source, keyPath.join("."), `environment variable ${name} is not set`);
      }
      return found;
    });
  }
  if (Array.isArray(value))
    return value.map((v, i) => substituteEnv(v, env, source, [...keyPath, String(i)]));
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, source, [...keyPath, k])]),
    );
  }
  return value;
}

/** The config's say in the dbt project, as dbt vars (what `dbt --vars` would pass). */
export function modelVars(config: Config): Record<string, unknown> {
  return {
    allocation_dimensions: config.allocation.dimensions.map((d) => ({ name: d.name, tag_keys: d.tagKeys })),
    allocation_share_untagged: config.allocation.shareUntagged,
    // The detectors' settings; risk and priority belong to the recommend job, not the models.
    recommend: (({ priority: _p, risk: _r, ...detectors }) => detectors)(config.recommend),
  };
}
