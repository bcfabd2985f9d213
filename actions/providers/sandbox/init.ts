/**
 * The sandbox's first state, read from the warehouse: every VM, disk, snapshot, address and
 * bucket marts.resources lists as active, in the state the inventory saw, with what billing
 * needs to go on billing it (the export its account delivers, zone, name, list price, the
 * commitment covering it) from its last usage line in marts.focus_costs, and the size and
 * price catalogue for resizes. The clock starts at 00:00 UTC the day after the last billing day.
 */
import type { Warehouse } from "../../../core/warehouse/warehouse.ts";
import type { Provider, ResourceKind } from "../adapter.ts";
import { type Catalogue, catalogueKey } from "./catalogue.ts";
import {
  type BillingFacts,
  type SandboxResource,
  type SandboxState,
  STATE_VERSION,
  revise,
} from "./state.ts";

/** ops.loads sources -> the estate generator's export kinds (the writer that bills the account). */
const EXPORT_OF_SOURCE: Record<string, string> = {
  aws_cur2: "aws_cur2",
  aws_cur_legacy: "aws_cur_legacy",
  azure_actual: "azure_mca",
  azure_amortized: "azure_mca",
  gcp_bq_json: "gcp_bq",
  focus: "focus",
};

const KIND_OF_TYPE: Record<string, ResourceKind> = {
  virtual_machine: "vm",
  volume: "disk",
  snapshot: "snapshot",
  public_ip: "ip",
  bucket: "bucket",
};

/** The generator's commitment types, from FOCUS CommitmentDiscountType. */
const COMMITMENT_TYPE: Record<string, string> = {
  "Savings Plan": "savings_plan",
  "Reserved Instance": "reserved_instance",
  Reservation: "reservation",
  "Committed Use Discount": "committed_use_discount",
};

interface Row {
  resource_id: string;
  provider: string;
  billing_account_id: string;
  sub_account_id: string;
  resource_type: string;
  sku: string | null;
  region: string | null;
  tags: string | null;
  inventory_state: string | null;
  attached_to: string | null;
  created_at: string | null;
  size_gb: number | null;
  source_id: string | null;
  currency: string | null;
  last_billed: string | null;
  zone: string | null;
  resource_name: string | null;
  unit_price: string | null;
  commitment_id: string | null;
  commitment_type: string | null;
  commitment_rate: string | null;
  sub_account_name: string | null;
  source: string | null;
}

export async function initialState(warehouse: Warehouse, seed: number): Promise<SandboxState> {
  const [last] = await warehouse.all<{ day: string | null }>(
    "SELECT max(charge_date)::VARCHAR AS day FROM marts.cost_daily",
  );
  if (!last?.day)
    throw new Error("the warehouse has no billing days (marts.cost_daily is empty): run the pipeline first");
  const startedAt = new Date(Date.parse(`${last.day}T00:00:00Z`) + 86_400_000).toISOString();
  const rows = await warehouse.all<Row>(`
    WITH lines AS (
      SELECT ResourceId AS resource_id, AvailabilityZone AS zone, ResourceName AS resource_name,
        ListUnitPrice::VARCHAR AS unit_price, SubAccountName AS sub_account_name,
        CommitmentDiscountId AS commitment_id, CommitmentDiscountType AS commitment_type,
        CASE WHEN CommitmentDiscountId IS NOT NULL THEN (EffectiveCost / ConsumedQuantity)::DECIMAL(18, 6)::VARCHAR END AS commitment_rate,
        ChargePeriodStart::DATE::VARCHAR AS last_billed,
        -- A bucket's storage line, not its request lines (counted in requests, at a price per request).
        row_number() OVER (PARTITION BY ResourceId
          ORDER BY ChargePeriodStart DESC, ConsumedUnit IS NOT DISTINCT FROM 'Requests', ConsumedQuantity DESC) AS rn
      FROM marts.focus_costs
      WHERE ChargeCategory = 'Usage' AND ResourceId IS NOT NULL AND ConsumedQuantity > 0
    ), exports AS (
      SELECT billing_account, min(source) AS source FROM ops.loads
      WHERE status = 'loaded' AND raw_table NOT IN ('raw.inventory_resources', 'raw.metrics_hourly')
      GROUP BY billing_account
    )
    SELECT r.resource_id, r.provider, r.billing_account_id, r.sub_account_id, r.resource_type, r.sku, r.region,
      r.tags::VARCHAR AS tags, r.inventory_state, r.attached_to, strftime(r.created_at, '%Y-%m-%dT%H:%M:%SZ') AS created_at,
      r.size_gb, r.source_id, r.currency, l.last_billed, l.zone, l.resource_name, l.unit_price,
      l.commitment_id, l.commitment_type, l.commitment_rate,
      coalesce(l.sub_account_name, (SELECT any_value(c.sub_account_name) FROM marts.cost_daily c
        WHERE c.sub_account_id = r.sub_account_id)) AS sub_account_name,
      e.source
    FROM marts.resources r
    LEFT JOIN lines l ON l.resource_id = r.resource_id AND l.rn = 1
    LEFT JOIN exports e ON e.billing_account = r.billing_account_id
    WHERE r.state = 'active' AND r.resource_type IN ('virtual_machine', 'volume', 'snapshot', 'public_ip', 'bucket')
    ORDER BY r.resource_id`);
  const catalogue = await readCatalogue(warehouse);
  const resources: Record<string, SandboxResource> = {};
  for (const row of rows) {
    const resource = toResource(row, last.day, catalogue, startedAt);
    if (resource) resources[resource.resourceId] = resource;
  }
  return {
    version: STATE_VERSION,
    seed,
    startedAt,
    clock: startedAt,
    estateEnd: last.day,
    seq: 0,
    resources,
    tokens: {},
    requests: [],
    billedThrough: null,
    catalogue,
  };
}

function toResource(
  row: Row,
  lastDay: string,
  catalogue: Catalogue,
  at: string,
): SandboxResource | undefined {
  const kind = KIND_OF_TYPE[row.resource_type];
  if (!kind || !row.region || !row.currency) return undefined;
  const provider = row.provider as Provider;
  const size = row.sku ?? "";
  const attachedTo = row.attached_to ? [row.attached_to] : [];
  const status = initialStatus(kind, provider, row, lastDay, attachedTo);
  const unit = kind === "vm" || kind === "ip" ? "Hrs" : "GB-Mo";
  const unitPrice =
    row.unit_price ??
    (kind === "vm"
      ? catalogue.vmPrices[catalogueKey(provider, row.region, row.currency, size)]
      : catalogue.storagePrices[
          catalogueKey(provider, row.region, row.currency, kind === "disk" ? size : kind)
        ]) ??
    "0";
  const billing: BillingFacts = {
    export: EXPORT_OF_SOURCE[row.source ?? ""] ?? "",
    billingAccountId: row.billing_account_id,
    subAccountName: row.sub_account_name,
    currency: row.currency,
    zone: row.zone,
    resourceName: row.resource_name,
    unitPrice,
    unit,
    commitmentId: row.commitment_id,
    commitmentType: row.commitment_type ? (COMMITMENT_TYPE[row.commitment_type] ?? null) : null,
    commitmentRate: row.commitment_rate,
  };
  const resource: SandboxResource = {
    resourceId: row.resource_id,
    provider,
    kind,
    exists: true,
    status,
    size,
    ...(row.size_gb !== null ? { sizeGb: Number(row.size_gb) } : {}),
    attachedTo,
    tags: row.tags ? (JSON.parse(row.tags) as Record<string, string>) : {},
    region: row.region,
    account: row.sub_account_id,
    createdAt: row.created_at ?? at,
    ...(row.source_id ? { sourceId: row.source_id } : {}),
    ...(kind === "vm" ? { baselineSize: size } : {}),
    billing,
    history: [],
  };
  revise(resource, at, unitPrice);
  return resource;
}

/** Each provider's inventory words, reduced to the ResourceState vocabulary. */
function initialStatus(
  kind: ResourceKind,
  provider: Provider,
  row: Row,
  lastDay: string,
  attachedTo: string[],
): string {
  switch (kind) {
    case "vm": {
      const running = row.inventory_state ? row.inventory_state === "running" : row.last_billed === lastDay;
      return running ? "running" : stoppedWord(provider);
    }
    case "disk":
      return attachedTo.length ? "in-use" : "available";
    case "ip":
      return attachedTo.length ? "associated" : "idle";
    default:
      return "available";
  }
}

/** Azure bills a stopped VM until it is deallocated; a stop here always deallocates. */
export const stoppedWord = (provider: string) => (provider === "azure" ? "deallocated" : "stopped");

async function readCatalogue(warehouse: Warehouse): Promise<Catalogue> {
  const sizes = await warehouse.all<{ provider: string; size: string; vcpu: number; memory_gib: string }>(
    "SELECT provider, size, vcpu, memory_gib::VARCHAR AS memory_gib FROM marts.catalog_vm_sizes",
  );
  const vmPrices = await warehouse.all<{
    provider: string;
    region: string;
    currency: string;
    size: string;
    price: string;
  }>(
    "SELECT provider, region, currency, size, on_demand_hourly::VARCHAR AS price FROM marts.catalog_vm_prices",
  );
  const storage = await warehouse.all<{
    provider: string;
    region: string;
    currency: string;
    type: string;
    price: string;
  }>(
    `SELECT provider, region, currency, storage_type AS type, price::VARCHAR AS price FROM marts.catalog_storage_prices
     WHERE unit IN ('GB-Mo', 'Hrs')`,
  );
  const catalogue: Catalogue = { vmSizes: {}, vmPrices: {}, storagePrices: {} };
  for (const s of sizes) {
    catalogue.vmSizes[`${s.provider}|${s.size}`] = { vcpu: Number(s.vcpu), memoryGib: Number(s.memory_gib) };
  }
  for (const p of vmPrices)
    catalogue.vmPrices[catalogueKey(p.provider, p.region, p.currency, p.size)] = p.price;
  for (const p of storage) {
    // The catalogue names an address public_ipv4; the sandbox's kinds are ip and snapshot.
    const type = p.type === "public_ipv4" ? "ip" : p.type;
    catalogue.storagePrices[catalogueKey(p.provider, p.region, p.currency, type)] = p.price;
  }
  return catalogue;
}
