/** `cco schedule list` in-process: the schedules with their next times, as text and --json. */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { tempDir } from "../../../helpers/tmp.ts";
import { type CliOutcome, ccoInProcess } from "../run-cli.ts";

function cco(...args: string[]): Promise<CliOutcome> {
  return ccoInProcess(args);
}

function configFile(yaml: string): string {
  const file = path.join(tempDir(), "cco.config.yaml");
  writeFileSync(file, yaml);
  return file;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("cco schedule list", () => {
  it("says there are no schedules, and shows the executor's", async () => {
    const r = await cco("--config", configFile(""), "schedule", "list", "--count", "1");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^no schedules: add them under pipeline\.schedules/m);
    expect(r.stdout).toMatch(
      /^executor: 0 2 \* \* \* \(UTC\): due approved actions only \(actions\.schedule\)\n {2}next \d{4}-\d\d-\d\d 02:00:00 UTC {2}\(\d{4}-\d\d-\d\dT02:00:00\.000Z\)$/m,
    );
  });

  it("prints each schedule's stages and next times in its zone; --json gives the same", async () => {
    const file = configFile(
      'pipeline:\n  schedules:\n    nightly: {cron: "0 3 * * *", timezone: Asia/Tokyo, stages: [ingest, models, ml]}\n',
    );
    const text = await cco("--config", file, "schedule", "list", "--count", "2");
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^nightly: 0 3 \* \* \* \(Asia\/Tokyo\): ingest, models, ml$/m);
    const times = [...text.stdout.matchAll(/^ {2}next (\S+ 03:00:00) GMT\+9 {2}\((\S+)\)$/gm)];
    expect(times).toHaveLength(2);
    for (const [, , utc] of times) expect(utc).toMatch(/T18:00:00\.000Z$/);

    const json = await cco("--config", file, "--json", "schedule", "list", "--count", "2");
    const runs = JSON.parse(json.stdout);
    expect(runs.map((r: { name: string; kind: string }) => [r.kind, r.name])).toEqual([
      ["pipeline", "nightly"],
      ["executor", "executor"],
    ]);
    expect(runs[0].next).toEqual(times.map(([, , utc]) => utc));
  });

  it("exits 2 on a bad expression (naming its key) or a bad --count", async () => {
    const bad = await cco(
      "--config",
      configFile('pipeline:\n  schedules:\n    nightly: {cron: "61 * * * *", timezone: UTC}\n'),
      "schedule",
      "list",
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /pipeline\.schedules\.nightly\.cron: 61 \* \* \* \* is not a cron expression$/m,
    );
    const count = await cco("--config", configFile(""), "schedule", "list", "--count", "0");
    expect(count.status).toBe(2);
  });
});
