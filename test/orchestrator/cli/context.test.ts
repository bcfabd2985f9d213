/**
 * A command that opens the warehouse sends the notices queued so far (by it or by an earlier
 * command) before it exits, when a channel is configured; what fails stays queued.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { enqueueNotification } from "../../../actions/notify/outbox.ts";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { httpRecorder } from "../../actions/notify/servers.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { ROOT } from "./run-cli.ts";

const run = promisify(execFile);
let close: (() => Promise<void>) | undefined;
afterAll(() => close?.());

describe("the CLI's notification flush", () => {
  it("delivers queued notices at the end of a command that opened the warehouse", async () => {
    const hook = await httpRecorder();
    close = hook.close;
    const dir = tempDir();
    const configFile = path.join(dir, "cco.config.yaml");
    writeFileSync(
      configFile,
      `notifications:\n  channels:\n    - {type: webhook, name: ops, url: "${hook.url}/hook"}\n`,
    );
    const config = loadConfig({ configFile, dataDir: dir, env: {} });
    const warehouse = await Warehouse.open({ path: config.warehouse.path, threads: 1 });
    await enqueueNotification(warehouse, config, {
      event: "rolled_back",
      subject: "act-1",
      title: "resize_vm i-0abc rolled back",
    });
    await warehouse.close();

    await run(process.execPath, [
      path.join(ROOT, "bin/cco.js"),
      "--config",
      configFile,
      "--data-dir",
      dir,
      "actions",
      "status",
    ]);
    expect(hook.requests.map((r) => [r.method, r.path])).toEqual([["POST", "/hook"]]);
    expect(JSON.parse(hook.requests[0]!.body)).toMatchObject({ event: "rolled_back", subject: "act-1" });

    const after = await Warehouse.open({ path: config.warehouse.path, threads: 1 });
    expect(await after.all("select status, attempts from ops.notifications")).toEqual([
      { status: "sent", attempts: 1 },
    ]);
    await after.close();
  }, 60_000);
});
