/**
 * An Azure reservation is one commitment: EA exports name the reservation order's GUID on its
 * purchase rows (in ReservationId) and the reservation's on the rows of its use (with the order
 * in ProductOrderId), as the EA sample in the billing samples shows. Built from rows in that layout.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { csvLine } from "../../core/csv.ts";
import { loadConfig, modelVars } from "../../core/config.ts";
import { buildProject } from "../../core/dbt/runner.ts";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { ingestPaths } from "../../ingest/load.ts";
import { quiet, tempDir } from "../helpers/tmp.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const ORDER = "a965d46f-aedf-4176-8ff1-2617943b8960";
const RESERVATION = "f39d1c73-af74-4308-9083-fbf5efab37d1";
const HEADER = [
  "BillingAccountId",
  "BillingPeriodStartDate",
  "BillingPeriodEndDate",
  "SubscriptionId",
  "SubscriptionName",
  "Date",
  "MeterCategory",
  "MeterName",
  "Quantity",
  "CostInBillingCurrency",
  "BillingCurrencyCode",
  "ResourceId",
  "ResourceLocation",
  "ChargeType",
  "Frequency",
  "PricingModel",
  "ReservationId",
  "ReservationName",
  "ProductOrderId",
  "ProductOrderName",
  "UnitOfMeasure",
];
const VM = "/subscriptions/0f7c/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web-1";

function row(o: {
  day: string;
  type: string;
  cost: string;
  reservationId: string;
  frequency: string;
  resource?: string;
}): string {
  return csvLine([
    "8611537",
    "2026-10-01",
    "2026-10-31",
    "0f7c",
    "prod",
    `2026-10-${o.day}`,
    o.type === "Purchase" ? "Reservations" : "Virtual Machines",
    "D2s v3",
    o.type === "Purchase" ? "1" : "24",
    o.cost,
    "USD",
    o.resource ?? "",
    "uksouth",
    o.type,
    o.frequency,
    "Reservation",
    o.reservationId,
    "vm-reservation",
    ORDER,
    "Reserved VM Instance, Standard_D2s_v3, UK South, 1 Year",
    "1 Hour",
  ]);
}

describe("Azure reservations", () => {
  it("are one commitment: the purchase (order GUID) and the usage and unused rows (reservation GUID)", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "actual"));
    mkdirSync(path.join(dir, "amortized"));
    writeFileSync(
      path.join(dir, "actual", "ea-actual-202610.csv"),
      [
        csvLine(HEADER),
        row({ day: "01", type: "Purchase", cost: "2.40", reservationId: ORDER, frequency: "Recurring" }),
        row({
          day: "01",
          type: "Usage",
          cost: "0",
          reservationId: RESERVATION,
          frequency: "UsageBased",
          resource: VM,
        }),
      ].join("\n"),
    );
    writeFileSync(
      path.join(dir, "amortized", "ea-amortized-202610.csv"),
      [
        csvLine(HEADER),
        row({ day: "01", type: "Purchase", cost: "0", reservationId: ORDER, frequency: "Recurring" }),
        row({
          day: "01",
          type: "Usage",
          cost: "1.80",
          reservationId: RESERVATION,
          frequency: "UsageBased",
          resource: VM,
        }),
        row({
          day: "01",
          type: "UnusedReservation",
          cost: "0.60",
          reservationId: RESERVATION,
          frequency: "UsageBased",
        }),
      ].join("\n"),
    );
    const w = await Warehouse.open({ path: ":memory:" });
    await ingestPaths(w, [dir], { lakeDir: tempDir() }, quiet);
    const { failed } = await buildProject(
      w,
      ROOT,
      {
        runModels: true,
        runTests: true,
        vars: modelVars(loadConfig({ cwd: tempDir(), env: {} })),
        externalRoot: tempDir(),
      },
      quiet,
    );
    expect(failed).toBe(0);
    const rows = await w.all<{ id: string; paid: string; used: string; unused: string }>(
      `select commitment_id as id, sum(purchase_cost)::decimal(18,2)::varchar as paid, sum(used_cost)::decimal(18,2)::varchar as used,
         sum(unused_cost)::decimal(18,2)::varchar as unused from marts.commitments group by 1`,
    );
    expect(rows).toEqual([
      {
        id: `/providers/Microsoft.Capacity/reservationOrders/${ORDER}`,
        paid: "2.40",
        used: "1.80",
        unused: "0.60",
      },
    ]);
    await w.close();
  });
});
