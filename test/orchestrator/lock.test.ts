/**
 * The warehouse lock between real processes: a second holder is refused with the first one's
 * command, PID and time; a lock left by a killed process is taken over with a warning; a
 * lock from another host is stale only after lock_stale_minutes.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireWarehouseLock, WarehouseLockedError } from "../../orchestrator/lock.ts";
import { tempDir } from "../helpers/tmp.ts";

const dir = tempDir();
let n = 0;
const warehouseFile = () => path.join(dir, `w${++n}`, "warehouse.duckdb");
const HOLDER = path.join(import.meta.dirname, "lock-holder.ts");
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** A process holding the lock (resolved once it printed "held"). */
async function holder(warehouse: string, command: string): Promise<ChildProcessWithoutNullStreams> {
  const child = spawn(process.execPath, ["--import", "tsx", HOLDER, warehouse, command]);
  children.push(child);
  await waitFor(child, "held");
  return child;
}

function waitFor(child: ChildProcessWithoutNullStreams, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += String(chunk);
      if (out.includes(text)) resolve(out);
    });
    child.stderr.on("data", (chunk) => {
      out += String(chunk);
    });
    child.on("exit", (code) =>
      out.includes(text) ? resolve(out) : reject(new Error(`exited ${code}: ${out}`)),
    );
  });
}

const exited = (child: ChildProcessWithoutNullStreams) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode ? resolve() : child.on("exit", () => resolve()),
  );

const take = (warehouse: string, warnings: string[] = [], staleMinutes = 240) =>
  acquireWarehouseLock(warehouse, "cco run", { staleMinutes, warn: (m) => warnings.push(m) });

describe("acquireWarehouseLock", () => {
  it("refuses a second process, naming the holder's command, PID and since, until it releases", async () => {
    const warehouse = warehouseFile();
    const child = await holder(warehouse, "cco serve");
    const held = JSON.parse(readFileSync(`${warehouse}.lock`, "utf8"));
    expect(held).toMatchObject({ command: "cco serve", pid: child.pid, host: os.hostname() });

    let error: unknown;
    try {
      take(warehouse);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WarehouseLockedError);
    expect((error as WarehouseLockedError).exitCode).toBe(1);
    expect((error as Error).message).toContain(
      `locked by 'cco serve' (PID ${child.pid}) since ${held.since}`,
    );

    child.stdin.write("release\n");
    await waitFor(child, "released");
    const lock = take(warehouse);
    expect(JSON.parse(readFileSync(lock.file, "utf8")).pid).toBe(process.pid);
    lock.release();
    expect(existsSync(lock.file)).toBe(false);
  });

  it("a process refused while this one holds it says who holds it", async () => {
    const warehouse = warehouseFile();
    const lock = take(warehouse);
    try {
      const child = spawn(process.execPath, ["--import", "tsx", HOLDER, warehouse, "cco run"]);
      children.push(child);
      const out = await waitFor(child, "error:");
      expect(out).toContain(`locked by 'cco run' (PID ${process.pid})`);
    } finally {
      lock.release();
    }
  });

  it("takes over, with a warning, a lock whose process was killed", async () => {
    const warehouse = warehouseFile();
    const child = await holder(warehouse, "cco run --demo");
    child.kill("SIGKILL");
    await exited(child);
    expect(JSON.parse(readFileSync(`${warehouse}.lock`, "utf8")).pid).toBe(child.pid);

    const warnings: string[] = [];
    const lock = take(warehouse, warnings);
    expect(warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `stale lock taken over \\(PID ${child.pid} \\('cco run --demo' since .+\\) is not running\\)`,
        ),
      ),
    ]);
    expect(JSON.parse(readFileSync(lock.file, "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("is released when its process exits without releasing it", async () => {
    const warehouse = warehouseFile();
    const child = await holder(warehouse, "cco run");
    child.stdin.end();
    await exited(child);
    expect(existsSync(`${warehouse}.lock`)).toBe(false);
  });

  it("treats another host's lock as held until it is older than staleMinutes", () => {
    const warehouse = warehouseFile();
    take(warehouse).release(); // makes the folder
    const since = new Date(Date.now() - 30 * 60_000).toISOString();
    writeFileSync(
      `${warehouse}.lock`,
      JSON.stringify({ command: "cco serve", pid: 1, host: "other-host", since }),
    );
    expect(() => take(warehouse, [], 60)).toThrow(
      `locked by 'cco serve' (PID 1 on other-host) since ${since}`,
    );
    const warnings: string[] = [];
    take(warehouse, warnings, 20).release();
    expect(warnings).toEqual([expect.stringContaining("held by 'cco serve' on other-host since")]);
  });

  it("leaves alone a lock that is no longer its own", () => {
    const warehouse = warehouseFile();
    const lock = take(warehouse);
    const theirs = JSON.stringify({
      command: "cco serve",
      pid: 1,
      host: "other-host",
      since: new Date().toISOString(),
    });
    writeFileSync(lock.file, theirs);
    lock.release();
    expect(readFileSync(lock.file, "utf8")).toBe(theirs);
  });

  it("waits out a lock file being written, and takes over one left empty by a crash", () => {
    const warehouse = warehouseFile();
    take(warehouse).release();
    const file = `${warehouse}.lock`;
    writeFileSync(file, "");
    expect(() => take(warehouse)).toThrow("being taken by another process");
    const old = new Date(Date.now() - 60_000);
    utimesSync(file, old, old);
    const warnings: string[] = [];
    take(warehouse, warnings).release();
    expect(warnings).toEqual([expect.stringContaining("its content is not a lock holder")]);
  });
});
