/**
 * Every connection to a warehouse is in UTC, whatever the host's zone: billing days are UTC days
 * (a host in Berlin put a CUR line of 23:00Z on the next day). A child process per zone, since
 * DuckDB reads the host's zone once a process.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../helpers/tmp.ts";

describe("warehouse connections", () => {
  it.each(["America/Los_Angeles", "Asia/Tokyo"])("are in UTC on a host in %s", (zone) => {
    const probe = spawnSync(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "zone-probe.ts"), tempDir()],
      { encoding: "utf8", env: { ...process.env, TZ: zone } },
    );
    expect(probe.status, probe.stderr).toBe(0);
    const utc = { zone: "UTC", day: "2026-08-31" };
    expect(JSON.parse(probe.stdout)).toEqual({
      writer: utc,
      writerSession: utc,
      assistantOverWarehouse: utc,
      assistantOverSnapshots: utc,
    });
  });
});
