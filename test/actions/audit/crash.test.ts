/**
 * A process killed (SIGKILL) while appending leaves a log that verifies: a batch lands whole or
 * not at all, and the anchor never names an entry that did not commit.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { verifyAudit } from "../../../actions/audit/verify.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../helpers/tmp.ts";

const CHILD = path.join(import.meta.dirname, "append-child.ts");

function append(file: string, appends: number, perAppend: number, fault?: string) {
  return spawnSync(process.execPath, ["--import", "tsx", CHILD, file, String(appends), String(perAppend)], {
    encoding: "utf8",
    env: { ...process.env, CCO_FAULT: fault ?? "" },
  });
}

async function verify(file: string) {
  const warehouse = await Warehouse.open({ path: file, threads: 1 });
  try {
    return await verifyAudit(warehouse);
  } finally {
    await warehouse.close();
  }
}

describe("appending killed with -9", () => {
  it("between the commit and the anchor: the anchor lags, the log verifies, the next run catches up", async () => {
    const file = path.join(tempDir(), "warehouse.duckdb");
    const killed = append(file, 5, 1, "audit.committed@3");
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    const anchor = JSON.parse(readFileSync(path.join(path.dirname(file), "audit-head.json"), "utf8"));
    expect(anchor.seq).toBe(2);
    expect(await verify(file)).toMatchObject({ intact: true, entries: 3 });
    expect(append(file, 2, 1).status).toBe(0);
    expect(await verify(file)).toMatchObject({ intact: true, entries: 5, anchor: { seq: 5 } });
  });

  it("in the middle of a batch: none of the batch lands", async () => {
    const file = path.join(tempDir(), "warehouse.duckdb");
    expect(append(file, 1, 3).status).toBe(0);
    // 1,200 entries go in three insert statements: killed after the second.
    const killed = append(file, 1, 1200, "audit.inserted@2");
    expect(killed.signal, killed.stderr).toBe("SIGKILL");
    expect(await verify(file)).toMatchObject({ intact: true, entries: 3, anchor: { seq: 3 } });
  });
});
