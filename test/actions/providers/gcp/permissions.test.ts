/**
 * Least privilege, checked against what the adapter really calls: every kind's steps and undo
 * run against the replay server, each call the server saw mapped to its permissions through
 * CALL_PERMISSIONS; the kind's declared permissions.gcp must cover them, and callsFor() (what the
 * permission check and the custom role are built from) must name every call made.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KINDS } from "../../../../actions/kinds/index.ts";
import type { CloudAdapter, Operation } from "../../../../actions/providers/adapter.ts";
import {
  CALL_PERMISSIONS,
  type Call,
  callsFor,
  permissionsFor,
} from "../../../../actions/providers/gcp/permissions.ts";
import { parseRef } from "../../../../actions/providers/gcp/ids.ts";
import { GcpReplay } from "../../../helpers/replay/gcp.ts";
import { tempDir } from "../../../helpers/tmp.ts";
import { adapterFor, gcpConfig, IDS, seed } from "./estate.ts";

/** Calls a kind makes that its declared permissions do not grant: none (a new gap fails the test). */
const PENDING: Record<string, string[]> = {};

const CASES: { kind: string; resource: string; params: Record<string, unknown> }[] = [
  { kind: "stop_vm", resource: IDS.web, params: { size: "n2-standard-4" } },
  { kind: "resize_vm", resource: IDS.web, params: { size: "n2-standard-4", target_size: "n2-standard-2" } },
  {
    kind: "schedule_vm",
    resource: IDS.web,
    params: { size: "n2-standard-4", schedule: "weekdays 07:00-19:00" },
  },
  { kind: "change_disk_type", resource: IDS.orphan, params: { type: "pd-ssd", target_type: "pd-balanced" } },
  {
    kind: "snapshot_delete_disk",
    resource: IDS.batchData,
    params: { type: "pd-ssd", size_gb: 200, attached_to: IDS.batch },
  },
  { kind: "delete_snapshot", resource: IDS.oldSnap, params: {} },
  { kind: "release_address", resource: IDS.idleIp, params: {} },
];

let replay: GcpReplay;
let adapter: CloudAdapter & { close(): Promise<void> };
let made: Call[] = [];
const dir = tempDir("cco-gcp-perm-");

beforeAll(async () => {
  replay = new GcpReplay();
  seed(replay);
  const url = await replay.start();
  adapter = adapterFor(gcpConfig(dir, url), { onCall: (c) => made.push(c) });
});
afterAll(async () => {
  await adapter.close();
  await replay.stop();
});

describe("each kind's declared GCP permissions cover the calls its steps and undo make", () => {
  it.each(CASES)("$kind", async ({ kind: name, resource, params }) => {
    const kind = KINDS[name]!;
    made = [];
    const prior = await adapter.describe(resource);
    const steps = kind.steps(prior, params, "act-perm");
    const outputs: Record<string, string> = {};
    const run = async (ops: Operation[], prefix: string) => {
      for (const [i, operation] of ops.entries()) {
        const before = made.length;
        const token = `${name}:${prefix}${i}`;
        // The executor checks the forward steps before the first one (the undo's disk is gone by then).
        if (!prefix)
          await adapter.checkPermissions({ resourceId: resource, operation, idempotencyToken: token });
        const result = await adapter.perform({ resourceId: resource, operation, idempotencyToken: token });
        Object.assign(outputs, result.output ?? {});
        // What the permission check and the role are built from names every call this op made.
        const named = new Set(callsFor(operation, parseRef(resource)));
        const unnamed = made
          .slice(before)
          .filter((c) => !c.endsWith(".testIamPermissions") && !c.endsWith(".get") && !named.has(c));
        expect(unnamed, `${operation.op}: calls not in callsFor()`).toEqual([]);
      }
    };
    if (name === "change_disk_type") {
      await expect(run(steps, "")).rejects.toMatchObject({ code: "invalid" });
    } else {
      await run(steps, "");
      await run(kind.undo(prior, params, outputs, steps.length) ?? [], "undo:");
    }
    const needed = permissionsFor(made);
    const declared = new Set(kind.permissions.gcp);
    const missing = needed.filter((p) => !declared.has(p));
    expect(missing, `${name} calls ${[...new Set(made)].join(", ")}`).toEqual(PENDING[name] ?? []);
  });

  it("every call the adapter can make has its permissions listed", () => {
    for (const [call, permissions] of Object.entries(CALL_PERMISSIONS))
      for (const p of permissions) expect(p, call).toMatch(/^(compute|monitoring)\.[a-zA-Z]+\.[a-zA-Z]+$/);
  });
});
