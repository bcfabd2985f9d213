/**
 * The fault matrix in the sandbox (fault-matrix.ts): each fault actions.sandbox injects, over a
 * batch of one approved action per automated kind. Retryable faults (throttling, 5xx) are retried
 * and the change made; a timeout that applied the change is reconciled by reading the resource,
 * never applied twice; a capacity error half way undoes the steps done; a denied permission is
 * refused at pre-flight; a resource that always fails fails alone. The rest of the batch is
 * unaffected; no action is left in an unknown state, nothing is applied twice, every resource is
 * as its outcome says, and the audit log verifies.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type FaultRow, faultMatrixSandbox } from "./fault-matrix.ts";
import { ALL_KINDS } from "./sandbox-estate.ts";

let rows: FaultRow[];

beforeAll(async () => {
  rows = await faultMatrixSandbox();
}, 300_000);

const ofFault = (prefix: string) => rows.filter((r) => r.fault.startsWith(prefix));
const outcomes = (prefix: string) => Object.fromEntries(ofFault(prefix).map((r) => [r.kind, r.outcome]));

/** Every kind but `kind` executed as if there were no fault. */
function restUnaffected(prefix: string, kind?: string) {
  for (const r of ofFault(prefix).filter((x) => x.kind !== kind))
    expect(r.outcome, `${r.fault}: ${r.kind}`).toMatch(/^executed/);
}

describe("the fault matrix in the sandbox", () => {
  it("runs every fault over the whole batch, leaving nothing unknown, nothing applied twice, the audit intact", () => {
    expect(
      ofFault("none")
        .map((r) => r.kind)
        .sort(),
    ).toEqual([...ALL_KINDS].sort());
    for (const r of rows) {
      expect(r.unknown, `${r.fault}: ${r.kind}`).toBe(0);
      expect(r.appliedTwice, `${r.fault}: ${r.kind}`).toBe(0);
      expect(r.restored, `${r.fault}: ${r.kind}: ${r.outcome}`).toBe(true);
      expect(r.auditIntact, r.fault).toBe(true);
    }
    expect(Object.values(outcomes("none"))).toEqual(ALL_KINDS.map(() => "executed"));
  });

  it("retries throttling and 5xx until the change is made", () => {
    for (const fault of ["throttle_rate", "server_error_rate"]) {
      restUnaffected(fault);
      const retried = ofFault(fault).filter((r) => /retried \d+×/.test(r.outcome));
      expect(retried.length, JSON.stringify(outcomes(fault))).toBeGreaterThan(0);
    }
    expect(ofFault("throttle_rate").some((r) => r.outcome.includes("throttled"))).toBe(true);
    expect(ofFault("server_error_rate").some((r) => r.outcome.includes("server"))).toBe(true);
  });

  it("reconciles a timeout that applied the change, once", () => {
    restUnaffected("timeout_rate");
    const reconciled = ofFault("timeout_rate").filter((r) => /timeouts? reconciled/.test(r.outcome));
    expect(reconciled.length, JSON.stringify(outcomes("timeout_rate"))).toBeGreaterThan(0);
  });

  it("undoes a resize refused for capacity half way, back to the prior state", () => {
    expect(outcomes("capacity_errors").resize_vm).toBe("undone to the prior state (capacity)");
    restUnaffected("capacity_errors", "resize_vm");
  });

  it("refuses a denied operation at pre-flight, nothing changed", () => {
    expect(outcomes("deny").release_address).toMatch(
      /^refused at pre-flight \(permission check for release_address failed/,
    );
    restUnaffected("deny", "release_address");
  });

  it("fails only the resource that always fails (a partial failure of the batch)", () => {
    expect(outcomes("fail_resources change_disk_type").change_disk_type).toBe(
      "failed before any change (server)",
    );
    restUnaffected("fail_resources change_disk_type", "change_disk_type");
    expect(outcomes("fail_resources snapshot_delete_disk").snapshot_delete_disk).toBe(
      "failed before any change (conflict)",
    );
    restUnaffected("fail_resources snapshot_delete_disk", "snapshot_delete_disk");
  });
});
