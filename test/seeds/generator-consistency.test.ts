/**
 * The demo estate generator prices its estate with its own table (orchestrator/estate-generator/
 * catalog.ts); the detectors price the same estate from the catalogue seeds. For the savings a
 * detector finds to be the generator's truth, every size, storage type, region and currency the
 * generator bills must be in the seeds at exactly its price. A drift on either side fails here.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../core/paths.ts";
import { makeAccounts } from "../../orchestrator/estate-generator/accounts.ts";
import {
  AWS_GP2_PER_GB_MONTH,
  AWS_S3,
  COMMITMENT_DISCOUNT,
  type Provider,
  STORAGE,
  VM_SIZES,
} from "../../orchestrator/estate-generator/catalog.ts";
import { Prng } from "../../orchestrator/estate-generator/prng.ts";
import { readCsv, readPrices, readSizes } from "../../ingest/prices.ts";

const SEEDS = path.join(PROJECT_ROOT, "seeds");
const sizes = new Map(readSizes(SEEDS).map((s) => [`${s.provider}/${s.size}`, s]));
const prices = new Map(
  readPrices(SEEDS).map((p) => [`${p.provider}/${p.size}/${p.region}/${p.currency}`, p.on_demand_hourly]),
);
const storage = new Map(
  readCsv(path.join(SEEDS, "catalog_storage_prices.csv")).map((r) => [
    `${r.provider}/${r.storage_type}/${r.unit}/${r.region}/${r.currency}`,
    Number(r.price),
  ]),
);
const discounts = readCsv(path.join(SEEDS, "catalog_commitment_discounts.csv"));

/** Every (provider, region, currency) the generator bills in, from its billing accounts. */
const billed = [
  ...new Map(
    makeAccounts(new Prng(1)).flatMap((a) =>
      a.regions.map((region) => [
        `${a.provider}/${region}/${a.currency}`,
        { provider: a.provider, region, currency: a.currency },
      ]),
    ),
  ).values(),
];

/** The commitment each provider's generated estate buys, priced at COMMITMENT_DISCOUNT (1 year, no upfront). */
const COMMITMENT_TYPE: Record<Provider, string | undefined> = {
  aws: "savings_plan",
  azure: "reservation",
  gcp: "committed_use_discount",
  oci: undefined,
};

describe("the catalogue seeds price the generated estate as the generator does", () => {
  it("bills in regions and currencies the seeds know", () => {
    expect(billed.length).toBeGreaterThan(0);
    const seeded = new Set(
      [...prices.keys()].map((k) =>
        k
          .split("/")
          .filter((_, i) => i !== 1)
          .join("/"),
      ),
    );
    expect(
      billed.map((b) => `${b.provider}/${b.region}/${b.currency}`).filter((k) => !seeded.has(k)),
    ).toEqual([]);
  });

  it("has every generated VM size with the generator's shape, family and successor", () => {
    const differences = Object.entries(VM_SIZES).flatMap(([provider, list]) =>
      list.flatMap((g) => {
        const s = sizes.get(`${provider}/${g.name}`);
        const seed = s && {
          family: s.family,
          vcpu: s.vcpu,
          memoryGib: s.memory_gib,
          previousGeneration: s.previous_generation,
          modernEquivalent: s.successor_size ?? undefined,
        };
        const generator = {
          family: g.family,
          vcpu: g.vcpu,
          memoryGib: g.memoryGib,
          previousGeneration: g.previousGeneration ?? false,
          modernEquivalent: g.modernEquivalent,
        };
        return JSON.stringify(seed) === JSON.stringify(generator) ? [] : [{ size: g.name, generator, seed }];
      }),
    );
    expect(differences).toEqual([]);
  });

  it("prices every generated VM size in every region it is billed in at the generator's hourly price", () => {
    const differences = billed.flatMap(({ provider, region, currency }) =>
      VM_SIZES[provider].flatMap((g) => {
        const seed = prices.get(`${provider}/${g.name}/${region}/${currency}`);
        return seed === g.hourly
          ? []
          : [{ provider, size: g.name, region, currency, generator: g.hourly, seed }];
      }),
    );
    expect(differences).toEqual([]);
  });

  it("prices every generated disk, snapshot, address, bucket and egress at the generator's unit price", () => {
    const differences = billed.flatMap(({ provider, region, currency }) => {
      const s = STORAGE[provider];
      const expected: [string, string, number][] = [
        [s.disk.type, "GB-Mo", s.disk.perGbMonth],
        ...(s.diskModern
          ? [[s.diskModern.type, "GB-Mo", s.diskModern.perGbMonth] as [string, string, number]]
          : []),
        ...(provider === "aws" ? [["gp2", "GB-Mo", AWS_GP2_PER_GB_MONTH] as [string, string, number]] : []),
        ["snapshot", "GB-Mo", s.snapshotPerGbMonth],
        ["public_ipv4", "Hrs", s.ipHourly],
        ["object_standard", "GB-Mo", s.objectPerGbMonth],
        ["egress_internet", "GB", s.egressPerGb],
      ];
      return expected.flatMap(([type, unit, price]) => {
        const seed = storage.get(`${provider}/${type}/${unit}/${region}/${currency}`);
        return seed === price ? [] : [{ provider, type, unit, region, currency, generator: price, seed }];
      });
    });
    expect(differences).toEqual([]);
  });

  it("prices S3's Standard-IA, requests, retrieval and transitions as the generator bills them", () => {
    const expected: [string, string, number][] = [
      ["object_standard_ia", "GB-Mo", AWS_S3.standardIaPerGbMonth],
      ["object_standard_ia_retrieval", "GB", AWS_S3.iaRetrievalPerGb],
      ["object_requests_tier1", "Requests", AWS_S3.tier1PerRequest],
      ["object_requests_tier2", "Requests", AWS_S3.tier2PerRequest],
      ["object_standard_ia_requests_tier2", "Requests", AWS_S3.iaTier2PerRequest],
      ["object_transition_standard_ia", "Requests", AWS_S3.transitionIaPerRequest],
    ];
    const aws = billed.filter((b) => b.provider === "aws");
    expect(aws.length).toBeGreaterThan(0);
    const differences = aws.flatMap(({ region, currency }) =>
      expected.flatMap(([type, unit, price]) => {
        const seed = storage.get(`aws/${type}/${unit}/${region}/${currency}`);
        return seed === price ? [] : [{ type, unit, region, currency, generator: price, seed }];
      }),
    );
    expect(differences).toEqual([]);
  });

  it("has the generator's commitment discount as the published 1-year no-upfront discount", () => {
    const differences = (Object.entries(COMMITMENT_DISCOUNT) as [Provider, number][]).flatMap(
      ([provider, discount]) => {
        const type = COMMITMENT_TYPE[provider];
        const row = discounts.find(
          (d) =>
            d.provider === provider &&
            d.commitment_type === type &&
            d.term_years === "1" &&
            d.payment_option === "no_upfront",
        );
        const seed = row ? Number(row.typical_discount_pct) / 100 : 0;
        return seed === discount ? [] : [{ provider, type, generator: discount, seed }];
      },
    );
    expect(differences).toEqual([]);
  });
});
