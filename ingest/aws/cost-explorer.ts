/**
 * costexplorer://: a quick start without a CUR. AWS Cost Explorer GetCostAndUsage,
 * daily, by linked account and service, unblended and amortized cost, for whole
 * months from --since; written as CSV per month and landed as the
 * aws_cost_explorer format (service-level, no resources: marked as such).
 */
import path from "node:path";
import { InputError, UsageError } from "../../core/errors.ts";
import { writeMonthlyCsv } from "../remote/monthly-csv.ts";
import type { RemoteSource } from "../remote/source.ts";

export const COST_EXPLORER_COLUMNS = [
  "usage_date",
  "linked_account_id",
  "service",
  "unblended_cost",
  "amortized_cost",
  "usage_quantity",
  "currency",
  "estimated",
  "source",
] as const;

export const costExplorerSource: RemoteSource = {
  forms: ["costexplorer://  (with --since YYYY-MM)"],
  description: "AWS Cost Explorer GetCostAndUsage, daily by account and service (quick start without a CUR)",
  matches: (uri) => uri.startsWith("costexplorer://"),
  async fetch(uri, { cacheDir, progress, since }) {
    if (!since) throw new UsageError(`${uri}: pass --since YYYY-MM (the first month to fetch)`);
    const start = `${since.slice(0, 7)}-01`;
    const end = new Date().toISOString().slice(0, 10);
    // Cost Explorer lives in us-east-1; endpoint overrides come from AWS_ENDPOINT_URL(_COST_EXPLORER).
    const { CostExplorerClient, GetCostAndUsageCommand } = await import("@aws-sdk/client-cost-explorer");
    const client = new CostExplorerClient({ region: "us-east-1" });
    const rows: string[][] = [];
    try {
      await progress.step(`Reading Cost Explorer from ${start}`, async (tick) => {
        let token: string | undefined;
        do {
          const page = await client.send(
            new GetCostAndUsageCommand({
              TimePeriod: { Start: start, End: end },
              Granularity: "DAILY",
              Metrics: ["UnblendedCost", "AmortizedCost", "UsageQuantity"],
              GroupBy: [
                { Type: "DIMENSION", Key: "LINKED_ACCOUNT" },
                { Type: "DIMENSION", Key: "SERVICE" },
              ],
              NextPageToken: token,
            }),
          );
          for (const period of page.ResultsByTime ?? []) {
            for (const group of period.Groups ?? []) {
              const [account = "", service = ""] = group.Keys ?? [];
              const m = group.Metrics ?? {};
              rows.push([
                period.TimePeriod?.Start ?? "",
                account,
                service,
                m.UnblendedCost?.Amount ?? "",
                m.AmortizedCost?.Amount ?? "",
                m.UsageQuantity?.Amount ?? "",
                m.UnblendedCost?.Unit ?? "",
                String(period.Estimated ?? false),
                "aws_cost_explorer",
              ]);
            }
          }
          tick(rows.length);
          token = page.NextPageToken;
        } while (token);
      });
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new InputError(
        uri,
        `cannot read Cost Explorer: ${(error as Error).name}: ${(error as Error).message.split("\n")[0]}`,
        {},
        { cause: error },
      );
    } finally {
      client.destroy();
    }
    const records = rows.map((r) => Object.fromEntries(COST_EXPLORER_COLUMNS.map((c, k) => [c, r[k]])));
    return writeMonthlyCsv(
      path.join(cacheDir, "costexplorer"),
      "cost-explorer",
      COST_EXPLORER_COLUMNS,
      records,
      "usage_date",
    );
  },
};
