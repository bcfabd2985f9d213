/**
 * Usage streams: per sub-account daily quantities of the services billed by
 * volume rather than by resource (internet egress, serverless requests,
 * BigQuery analysis). Each grows linearly and dips on weekends, so forecasts
 * and trend views have a known slope and seasonality to recover (truth.json
 * lists both).
 */
import type { BillingAccount } from "./accounts.ts";
import { type Provider, STORAGE } from "./catalog.ts";
import type { EstateOptions, UsageStream } from "./estate.ts";
import { round } from "./numbers.ts";
import type { Prng } from "./prng.ts";

/** List price per unit and a prod sub-account's day-0 quantity at 300 resources. */
const SERVICES: Record<UsageStream["service"], { unitPrice: (p: Provider) => number; baseQuantity: number }> =
  {
    egress: { unitPrice: (p) => STORAGE[p].egressPerGb, baseQuantity: 400 }, // GB
    serverless: { unitPrice: () => 0.2, baseQuantity: 150 }, // million requests
    analytics: { unitPrice: () => 6.25, baseQuantity: 3 }, // TiB scanned
  };

/** Day-to-day noise: ±3% around the trend. */
export const NOISE = 0.06;

export function makeStreams(
  rng: Prng,
  accounts: BillingAccount[],
  options: EstateOptions,
  dates: string[],
): UsageStream[] {
  const streams: UsageStream[] = [];
  // Volumes scale with the estate so usage keeps its share of the bill at any size.
  const scale = Math.max(1, options.resources / 300);
  for (const account of accounts) {
    for (const sub of account.subAccounts) {
      const services: UsageStream["service"][] =
        account.provider === "gcp" ? ["egress", "analytics"] : ["egress", "serverless"];
      for (const service of services) {
        const { unitPrice, baseQuantity } = SERVICES[service];
        const base = baseQuantity * scale * (sub.env === "prod" ? 1 : 0.3);
        const growth = round(0.002 + rng.next() * 0.004, 6);
        const weekend = round(0.55 + rng.next() * 0.2, 4);
        const quantities = dates.map((date, day) => {
          const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
          const seasonal = weekday === 0 || weekday === 6 ? weekend : 1;
          const noise = 1 + (rng.next() - 0.5) * NOISE;
          return round(base * (1 + growth * day) * seasonal * noise, 6);
        });
        streams.push({
          export: account.export,
          provider: account.provider,
          billingAccountId: account.id,
          subAccountId: sub.id,
          subAccountName: sub.name,
          currency: account.currency,
          service,
          region: account.regions[0]!,
          resourceId: null,
          unitPrice: unitPrice(account.provider),
          baseQuantity: round(base, 6),
          growthPerDay: growth,
          weekendFactor: weekend,
          quantities,
        });
      }
    }
  }
  return streams;
}
