/**
 * The billing accounts of the generated estate: which export format each one is
 * delivered in, its currency and its sub-accounts (AWS accounts, Azure
 * subscriptions, GCP projects, OCI compartments).
 */
import type { Prng } from "./prng.ts";
import type { Provider } from "./catalog.ts";

export type ExportKind = "aws_cur2" | "aws_cur_legacy" | "azure_mca" | "gcp_bq" | "focus";

export interface SubAccount {
  id: string;
  name: string;
  env: "prod" | "dev";
}

export interface BillingAccount {
  export: ExportKind;
  provider: Provider;
  id: string;
  name: string;
  currency: string;
  regions: string[];
  subAccounts: SubAccount[];
  /** Share of the estate's resources this account holds. */
  share: number;
}

export function makeAccounts(rng: Prng): BillingAccount[] {
  const awsPayer = rng.digits(12);
  const azureBilling = `${rng.uuid()}:${rng.uuid()}_2019-05-31`;
  const gcpBilling = `${rng.hex(6)}-${rng.hex(6)}-${rng.hex(6)}`.toUpperCase();
  return [
    {
      export: "aws_cur2",
      provider: "aws",
      id: awsPayer,
      name: "Acme Corp (payer)",
      currency: "USD",
      regions: ["us-east-1", "eu-west-1"],
      subAccounts: [
        { id: awsPayer, name: "acme-payer", env: "prod" },
        { id: rng.digits(12), name: "acme-prod", env: "prod" },
        { id: rng.digits(12), name: "acme-dev", env: "dev" },
      ],
      share: 0.38,
    },
    {
      // A second AWS organization that still delivers the legacy CUR (CSV.gz).
      export: "aws_cur_legacy",
      provider: "aws",
      id: rng.digits(12),
      name: "Acme Research",
      currency: "USD",
      regions: ["us-west-2"],
      subAccounts: [],
      share: 0.08,
    },
    {
      export: "azure_mca",
      provider: "azure",
      id: azureBilling,
      name: "Acme Europe GmbH",
      currency: "EUR",
      regions: ["westeurope", "northeurope"],
      subAccounts: [
        { id: rng.uuid(), name: "acme-eu-prod", env: "prod" },
        { id: rng.uuid(), name: "acme-eu-dev", env: "dev" },
      ],
      share: 0.25,
    },
    {
      export: "gcp_bq",
      provider: "gcp",
      id: gcpBilling,
      name: "Acme Analytics",
      currency: "USD",
      regions: ["us-central1", "europe-west1"],
      subAccounts: [
        { id: "acme-analytics-prod", name: "Acme Analytics Prod", env: "prod" },
        { id: "acme-analytics-dev", name: "Acme Analytics Dev", env: "dev" },
      ],
      share: 0.21,
    },
    {
      // Oracle Cloud delivers FOCUS natively: the estate's FOCUS 1.2 export.
      export: "focus",
      provider: "oci",
      id: `ocid1.tenancy.oc1..aaaaaaaa${rng.hex(52)}`,
      name: "acme-oci",
      currency: "USD",
      regions: ["us-ashburn-1"],
      subAccounts: [{ id: `ocid1.compartment.oc1..aaaaaaaa${rng.hex(52)}`, name: "apps", env: "prod" }],
      share: 0.08,
    },
  ].map((account) =>
    account.subAccounts.length
      ? account
      : {
          ...account,
          subAccounts: [
            { id: account.id, name: account.name.toLowerCase().replace(/\s+/g, "-"), env: "prod" as const },
          ],
        },
  ) as BillingAccount[];
}
