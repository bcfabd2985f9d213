/**
 * kill -9 of the executor through the real CLI (`cco actions run`, `cco actions rollback`) at every
 * state point it has (CCO_FAULT, core/faults.ts; actions.sandbox.crash_after), each followed by
 * clean runs until a run finds nothing to do. Afterwards: no action in a state only a crash leaves
 * (approved, preflight, executing, rolling_back), none needing attention, every approval carried
 * out once, every resource as its action's state says, no idempotency token applied twice and no
 * operation applied twice to a resource (forward or undo), and `cco audit verify` exits 0.
 *
 * Each point runs CCO_CRASH_REPEAT times (default 3; the 20 in CI), `point@n` moving the
 * crash to another action (or audit entry) on each repetition. One estate is generated for the
 * file; each repetition copies the files the executor reads from a template data dir.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openSandbox } from "../../../actions/providers/sandbox/sandbox.ts";
import { readState } from "../../../actions/providers/sandbox/state.ts";
import { loadConfig } from "../../../core/config.ts";
import { Warehouse } from "../../../core/warehouse/warehouse.ts";
import { tempDir } from "../../helpers/tmp.ts";
import { cco, ccoJson, compileCli } from "./cco-cli.ts";
import { type ActionRow, appliedBy, appliedTwice, executedActions, resourceDiffers } from "./outcomes.ts";
import {
  ALL_KINDS,
  approvedEstate,
  closeWarehouse,
  copyExecutorFiles,
  ESTATE_YAML,
} from "./sandbox-estate.ts";

const REPEAT = Number(process.env.CCO_CRASH_REPEAT ?? 3);
const KINDS = ALL_KINDS;
type Template = "approved" | "capacity" | "verifying";
interface Case {
  point: string;
  template: Template;
  /** How many times one run reaches the point: repetition r crashes at a different one. */
  hits: number | "audit";
  /** A crash configured in actions.sandbox.crash_after instead of CCO_FAULT. */
  crashAfter?: string;
  /** `cco actions rollback <the resize action>` instead of `cco actions run`. */
  rollbackCommand?: boolean;
}

const CASES: Case[] = [
  { point: "action:preflight:0", template: "approved", hits: 7 },
  { point: "action:executing:0", template: "approved", hits: 7 },
  { point: "action:executing:0:applied", template: "approved", hits: 7 },
  { point: "action:executing:1", template: "approved", hits: 2 },
  { point: "action:executing:1:applied", template: "approved", hits: 2 },
  { point: "action:executing:2", template: "approved", hits: 1 },
  { point: "action:executing:2:applied", template: "approved", hits: 1 },
  { point: "action:verifying:0", template: "approved", hits: 7 },
  // After a call the provider applied, before its result is recorded (10 calls in the run).
  { point: "action:sent", template: "approved", hits: 10 },
  { point: "audit.inserted", template: "approved", hits: "audit" },
  { point: "crash_after resize_vm:1", template: "approved", hits: 1, crashAfter: "resize_vm:1" },
  {
    point: "crash_after snapshot_delete_disk:0",
    template: "approved",
    hits: 1,
    crashAfter: "snapshot_delete_disk:0",
  },
  // A resize refused for capacity after the VM was stopped: the stop is undone.
  { point: "action:rolling_back:0", template: "capacity", hits: 1 },
  // A resize that hurt (a planted load surge), undone by verification: stop, resize back, start.
  { point: "action:rolling_back:0", template: "verifying", hits: 1 },
  { point: "action:rolling_back:1", template: "verifying", hits: 1 },
  { point: "action:rolling_back:2", template: "verifying", hits: 1 },
  { point: "action:sent", template: "verifying", hits: 3 },
  { point: "audit.inserted", template: "verifying", hits: "audit" },
  // The same undo asked for by hand.
  { point: "action:rolling_back:1", template: "approved", hits: 1, rollbackCommand: true },
];

const templates = {} as Record<Template, string>;
let approved: Record<string, string>;
let resizeTarget: string;
/** Audit entries one clean run appends, per template (audit.inserted is reached once for each). */
const auditPerRun = {} as Record<Template, number>;

async function auditSeq(dataDir: string): Promise<number> {
  return ccoJson<{ entries: number }>(dataDir, ["audit", "verify"]).entries;
}

beforeAll(async () => {
  await compileCli();
  const estate = await approvedEstate(KINDS, new Date(Date.now() - 3_600_000).toISOString());
  approved = estate.approved;
  const [row] = await estate.warehouse.all<{ target_configuration: string }>(
    "select target_configuration from ops.approval_queue where resource_id = $1 and action_kind = 'resize_vm'",
    [approved.resize_vm ?? ""],
  );
  resizeTarget = row?.target_configuration.split(/\s/)[0] ?? "";
  await openSandbox(estate.config, estate.warehouse);
  await closeWarehouse();
  const root = tempDir("cco-crash-templates-");

  templates.approved = path.join(root, "approved");
  copyExecutorFiles(estate.dataDir, templates.approved);
  templates.capacity = path.join(root, "capacity");
  copyExecutorFiles(templates.approved, templates.capacity);
  writeFileSync(
    path.join(templates.capacity, "cco.config.yaml"),
    `${ESTATE_YAML}  sandbox: {capacity_errors: [${JSON.stringify(resizeTarget)}]}\n`,
  );

  // Executed, a day later in the sandbox, the resized VM's load tripled: the next run verifies.
  templates.verifying = path.join(root, "verifying");
  copyExecutorFiles(templates.approved, templates.verifying);
  const before = await auditSeq(templates.verifying);
  ccoJson(templates.verifying, ["actions", "run"]);
  auditPerRun.approved = (await auditSeq(templates.verifying)) - before;
  ccoJson(templates.verifying, ["sandbox", "advance", "--days", "1"]);
  writeFileSync(
    path.join(templates.verifying, "cco.config.yaml"),
    `${ESTATE_YAML}  sandbox: {load_surges: [{resource_id: ${JSON.stringify(approved.resize_vm)}, factor: 3}]}\n`,
  );
  const probe = path.join(root, "probe");
  copyExecutorFiles(templates.verifying, probe);
  const start = await auditSeq(probe);
  ccoJson(probe, ["actions", "run"]);
  auditPerRun.verifying = (await auditSeq(probe)) - start;
}, 300_000);

async function actionsOf(dataDir: string): Promise<ActionRow[]> {
  const w = await Warehouse.open({ path: path.join(dataDir, "warehouse.duckdb"), threads: 1 });
  try {
    return await executedActions(w);
  } finally {
    await w.close();
  }
}

interface RunJson {
  recovered: number;
  started: number;
  verified: number;
}

/** Clean runs until one finds nothing to reconcile, verify or start; how many it took. */
function settle(dataDir: string, label: string): number {
  for (let runs = 1; runs <= 4; runs++) {
    const result = cco(dataDir, ["--json", "actions", "run"]);
    expect(
      result.status,
      `${label}: clean run ${runs}: ${result.signal}\n${result.stderr}${result.stdout}`,
    ).toBe(0);
    const summary = JSON.parse(result.stdout) as RunJson;
    if (!summary.recovered && !summary.started && !summary.verified) return runs;
  }
  throw new Error(`${label}: still busy after 4 clean runs`);
}

/** Where every approved kind must end once settled. */
function expectedEnd(c: Case): Record<string, string> {
  const end: Record<string, string> = {};
  for (const kind of Object.keys(approved))
    end[kind] = c.template === "verifying" ? "succeeded" : "verifying";
  if (c.template !== "approved" || c.rollbackCommand) end.resize_vm = "rolled_back";
  return end;
}

async function checkSettled(dataDir: string, c: Case, label: string): Promise<void> {
  const actions = await actionsOf(dataDir);
  // Every approved row carried out exactly once; the others failed before any change.
  const done = actions.filter((a) => !(a.state === "failed" && a.step === 0));
  const states = Object.fromEntries(done.map((a) => [a.kind, a.state]));
  expect(states, `${label}: ${JSON.stringify(actions.map((a) => [a.kind, a.state, a.step]))}`).toEqual(
    expectedEnd(c),
  );
  expect(done).toHaveLength(Object.keys(approved).length);

  // The sandbox's request log: a token applied once, an operation once per resource and direction.
  const requests = readState(dataDir)!.requests;
  expect(appliedTwice(appliedBy(requests)), label).toEqual([]);
  // An action that failed before any change sent nothing that applied.
  for (const a of actions.filter((x) => x.state === "failed"))
    expect(appliedBy(requests, a), `${label}: ${a.kind}`).toEqual([]);
  // Each resource is as its action's final state says (changed, or back as before).
  const config = loadConfig({ configFile: path.join(dataDir, "cco.config.yaml"), dataDir, env: {} });
  const sandbox = await openSandbox(config);
  for (const a of done)
    expect(await resourceDiffers(sandbox, a), `${label}: ${a.kind} ${a.resource_id} (${a.state})`).toEqual(
      [],
    );

  const audit = cco(dataDir, ["audit", "verify"]);
  expect(audit.status, `${label}: cco audit verify\n${audit.stderr}${audit.stdout}`).toBe(0);
}

/** The n-th time the point is reached for repetition r: spread over the run's hits. */
function nth(c: Case, r: number): number {
  const hits = c.hits === "audit" ? auditPerRun[c.template] : c.hits;
  return 1 + (Math.floor((r * hits) / REPEAT) % hits);
}

const timings: string[] = [];

describe(`kill -9 of the executor through the CLI (${REPEAT} repetitions per point)`, () => {
  it("covers every approved kind", () => {
    expect(Object.keys(approved).sort()).toEqual([...KINDS].sort());
    expect(resizeTarget).not.toBe("");
    expect(auditPerRun.approved).toBeGreaterThan(20);
  });

  it.each(
    CASES.map((c) => [`${c.point} (${c.template}${c.rollbackCommand ? ", rollback command" : ""})`, c]),
  )(
    "%s",
    async (name, c) => {
      const started = Date.now();
      for (let r = 0; r < REPEAT; r++) {
        const n = nth(c, r);
        const label = `${name} #${r + 1} @${n}`;
        const dataDir = tempDir("cco-crash-");
        copyExecutorFiles(templates[c.template], dataDir);
        let env: Record<string, string> = { CCO_FAULT: `${c.point}@${n}` };
        if (c.crashAfter) {
          env = {};
          writeFileSync(
            path.join(dataDir, "cco.config.yaml"),
            `${ESTATE_YAML}  sandbox: {crash_after: ${JSON.stringify(c.crashAfter)}}\n`,
          );
        }
        let args = ["actions", "run"];
        if (c.rollbackCommand) {
          ccoJson(dataDir, ["actions", "run"]);
          const resized = (await actionsOf(dataDir)).find((a) => a.kind === "resize_vm")!;
          args = ["actions", "rollback", resized.action_id, "--reason", "crash test"];
        }
        const killed = cco(dataDir, args, env);
        expect(killed.signal, `${label}: ${killed.status}\n${killed.stderr}${killed.stdout}`).toBe("SIGKILL");
        settle(dataDir, label);
        await checkSettled(dataDir, c, label);
      }
      timings.push(`${name}: ${((Date.now() - started) / 1000 / REPEAT).toFixed(1)} s per repetition`);
    },
    REPEAT * 60_000,
  );

  it("reports the time per point", () => {
    console.log(`crash matrix, ${REPEAT} repetitions:\n${timings.join("\n")}`);
  });
});
