/**
 * azurecost://<scope>: a quick start without exports. The Azure Cost Management
 * Query API, daily actual and amortized cost by subscription and service for
 * whole months from --since; written as CSV per month and landed as the
 * azure_cost_management format (service level, no resources: marked as such).
 * The scope is an ARM scope: subscriptions/<id>, or
 * providers/Microsoft.Billing/billingAccounts/<id>.
 */
import path from "node:path";
import type { QueryDefinition } from "@azure/arm-costmanagement";
import { InputError, UsageError } from "../../core/errors.ts";
import { azureCredential } from "./credential.ts";
import { writeMonthlyCsv } from "../remote/monthly-csv.ts";
import type { RemoteSource } from "../remote/source.ts";

export const COST_MANAGEMENT_COLUMNS = [
  "usage_date",
  "subscription_id",
  "service_name",
  "actual_cost",
  "amortized_cost",
  "currency",
  "scope",
  "source",
] as const;

export const azureCostManagementSource: RemoteSource = {
  forms: [
    "azurecost://subscriptions/<id>",
    "azurecost://providers/Microsoft.Billing/billingAccounts/<id>  (with --since YYYY-MM)",
  ],
  description:
    "Azure Cost Management Query API, daily by subscription and service (quick start without exports)",
  matches: (uri) => uri.startsWith("azurecost://"),
  async fetch(uri, { cacheDir, config, progress, since }) {
    if (!since) throw new UsageError(`${uri}: pass --since YYYY-MM (the first month to fetch)`);
    const scope = uri.slice("azurecost://".length).replace(/\/$/, "");
    if (!/^(subscriptions\/[^/]+|providers\/Microsoft\.Billing\/billingAccounts\/[^/]+)/.test(scope)) {
      throw new UsageError(
        `${uri}: expected azurecost://subscriptions/<id> or azurecost://providers/Microsoft.Billing/billingAccounts/<id>`,
      );
    }
    const { CostManagementClient } = await import("@azure/arm-costmanagement");
    const client = new CostManagementClient(await azureCredential(), {
      endpoint: config.sources.azure.armEndpoint,
    });
    const from = new Date(`${since.slice(0, 7)}-01T00:00:00Z`);
    const to = new Date();
    const rows = new Map<string, Record<string, string>>();
    try {
      await progress.step(`Querying Azure Cost Management for ${scope}`, async () => {
        for (const type of ["ActualCost", "AmortizedCost"] as const) {
          const definition: QueryDefinition = {
            type,
            timeframe: "Custom",
            timePeriod: { from, to },
            dataset: {
              granularity: "Daily",
              aggregation: { totalCost: { name: "Cost", function: "Sum" } },
              grouping: [
                { type: "Dimension", name: "SubscriptionId" },
                { type: "Dimension", name: "ServiceName" },
              ],
            },
          };
          const result = await client.query.usage(`/${scope}`, definition);
          const names = (result.columns ?? []).map((c) => (c.name ?? "").toLowerCase());
          const at = (name: string) => names.indexOf(name.toLowerCase());
          for (const row of result.rows ?? []) {
            const date = String(row[at("UsageDate")]);
            const isoDate = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
            const key = `${isoDate}|${row[at("SubscriptionId")]}|${row[at("ServiceName")]}`;
            const entry = rows.get(key) ?? {
              usage_date: isoDate,
              subscription_id: String(row[at("SubscriptionId")] ?? ""),
              service_name: String(row[at("ServiceName")] ?? ""),
              actual_cost: "0",
              amortized_cost: "0",
              currency: String(row[at("Currency")] ?? ""),
              scope,
              source: "azure_cost_management",
            };
            entry[type === "ActualCost" ? "actual_cost" : "amortized_cost"] = String(row[at("Cost")]);
            rows.set(key, entry);
          }
        }
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new InputError(
        uri,
        `cannot query Azure Cost Management: ${(error as Error).message.split("\n")[0]}`,
        {},
        { cause: error },
      );
    }
    const sorted = [...rows.values()].sort((a, b) =>
      Object.values(a).join().localeCompare(Object.values(b).join()),
    );
    const dir = path.join(cacheDir, "azurecost", scope.replaceAll("/", "_"));
    return writeMonthlyCsv(dir, "cost-management", COST_MANAGEMENT_COLUMNS, sorted, "usage_date");
  },
};
