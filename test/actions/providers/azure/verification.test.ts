/**
 * Verification on Azure, end to end: a resize through the executor with the Azure adapter, then,
 * once the adapter's clock has passed the verification window, the next run reads the VM's hourly
 * CPU from Azure Monitor (Metrics - List on the replay) and judges the change: high CPU after the
 * resize undoes it (deallocate, resize back, start), low CPU passes it.
 */
import { describe, expect, it } from "vitest";
import { verifyAudit } from "../../../../actions/audit/verify.ts";
import { loadActions } from "../../../../actions/executor/records.ts";
import { runExecutor } from "../../../../actions/executor/run.ts";
import { createAzureAdapter } from "../../../../actions/providers/azure/index.ts";
import { startAzureReplay } from "../../../helpers/replay/azure.ts";
import { azureEstate } from "./estate.ts";
import { REQUEST_TIMEOUT_MS, RUN_AT, staticCredential, vmId } from "./setup.ts";

const HOUR = 3_600_000;
const FROM = "Standard_D4s_v3";
const TO = "Standard_D2s_v3";

/** Resize vm-1, let the window pass with `cpuPct` every hour since, and run the executor again. */
async function resizeThenVerify(cpuPct: number) {
  const replay = await startAzureReplay({ timeoutDelayMs: REQUEST_TIMEOUT_MS * 4 });
  try {
    const vm = replay.vm(vmId("vm-1"), { size: FROM });
    const { warehouse, config } = await azureEstate(replay.url, [
      {
        id: "rec-vm-1",
        detector: "rightsizing",
        kind: "resize_vm",
        resource: vm,
        current: `${FROM}, 24x7`,
        target: TO,
      },
    ]);
    let clock = new Date("2026-11-02T10:20:00Z");
    const adapter = createAzureAdapter(config, {
      credential: staticCredential,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      now: () => clock,
    });
    const run = () =>
      runExecutor(warehouse, config, {
        trigger: "cli",
        now: RUN_AT,
        adapters: { azure: adapter },
        sleep: async () => undefined,
      });
    try {
      await run();
      const [done] = await loadActions(warehouse, "mode = 'execute'");
      expect([done!.state, done!.executed_at]).toEqual(["verifying", "2026-11-02T10:20:00.000Z"]);
      expect(replay.get(vm)!.properties.hardwareProfile).toEqual({ vmSize: TO });
      // The hour the change fell in was busy at the old size: it must not count.
      replay.metrics(vm, [{ hour: "2026-11-02T10:00:00Z", cpuPct: 99 }]);
      const verifyAfter = new Date(done!.verify_after!).getTime();
      const hours = [];
      for (let t = Date.parse("2026-11-02T11:00:00Z"); t < verifyAfter; t += HOUR)
        hours.push({ hour: new Date(t).toISOString(), cpuPct, availableMemoryPct: 50 });
      replay.metrics(vm, hours);

      // Before the window has passed, nothing is judged.
      clock = new Date(verifyAfter - 60_000);
      const early = await run();
      expect(early.verified).toBe(0);
      expect(replay.log.some((e) => e.call === "metrics.list")).toBe(false);

      clock = new Date(verifyAfter + 10 * 60_000);
      const mark = replay.log.length;
      const summary = await run();
      expect(summary.verified).toBe(1);
      const [action] = await loadActions(warehouse, "mode = 'execute'");
      const log = replay.log.slice(mark);
      const metrics = log.filter((e) => e.call === "metrics.list");
      expect(metrics).toHaveLength(1);
      expect(metrics[0]!.query).toMatchObject({
        timespan: `2026-11-02T11:00:00.000Z/${new Date(Math.floor(clock.getTime() / HOUR) * HOUR).toISOString()}`,
        interval: "PT1H",
        aggregation: "Average",
      });
      return {
        action: action!,
        after: log.slice(log.indexOf(metrics[0]!) + 1).filter((e) => e.method !== "GET"),
        replay,
        // 11:00 through 09:00 the next day: not the hour of the change, nor 10:00 (not over at 10:30).
        hours: hours.length - 1,
        audit: await verifyAudit(warehouse),
      };
    } finally {
      await warehouse.close();
    }
  } finally {
    await replay.close();
  }
}

describe("resize_vm verified by Azure Monitor CPU", () => {
  it("CPU high after the resize: verification fails and the resize is undone", async () => {
    const { action, after, replay, hours, audit } = await resizeThenVerify(97);
    expect(action.state).toBe("rolled_back");
    expect(action.error).toMatch(/verification failed: P95 CPU 97% is above cpu_p95_max_pct 90%/);
    expect(action.verification).toMatchObject({
      checked: "metrics",
      decision: "degraded",
      cpu_p95_pct: 97,
      samples: hours,
      since: "2026-11-02T10:20:00.000Z",
    });
    // Undone on Azure after the metrics were read: back at its size, running.
    expect(after.map((e) => e.call)).toEqual([
      "virtualMachines.deallocate",
      "virtualMachines.update",
      "virtualMachines.start",
    ]);
    expect(replay.get(vmId("vm-1"))!.properties.hardwareProfile).toEqual({ vmSize: FROM });
    expect(replay.power.get(vmId("vm-1").toLowerCase())).toBe("running");
    expect(audit.intact).toBe(true);
  }, 60_000);

  it("CPU moderate after the resize: verification passes, the VM stays at its new size", async () => {
    const { action, after, replay, hours } = await resizeThenVerify(40);
    expect(action.state).toBe("succeeded");
    expect(action.verification).toMatchObject({ decision: "passed", cpu_p95_pct: 40, samples: hours });
    expect(after).toEqual([]);
    expect(replay.get(vmId("vm-1"))!.properties.hardwareProfile).toEqual({ vmSize: TO });
  }, 60_000);
});
