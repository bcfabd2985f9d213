/**
 * kill -9 of `cco ingest`, `cco models build`, `cco recommend` and `cco actions run` at random
 * moments (test/crash/matrix.ts: what each case checks), CCO_CRASH_REPEAT cases per stage
 * (default 2; bench/crash-matrix.ts runs 50). Seeds start at CCO_CRASH_SEED (default: from the
 * clock) and every case prints its own: a failure is run again with
 * `npx tsx bench/crash-matrix.ts --stage <stage> --only-seed <seed>`.
 *
 * Then kills at chosen steps (CCO_FAULT points), and checks that the checks themselves see a
 * broken warehouse.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { Warehouse } from "../../core/warehouse/warehouse.ts";
import { tempDir } from "../helpers/tmp.ts";
import { actionProblems } from "./action-checks.ts";
import { ingestProblems } from "./ingest-checks.ts";
import {
  type CaseResult,
  describeCase,
  type Reference,
  reference,
  runCase,
  STAGES,
  type StageName,
} from "./matrix.ts";
import { recommendProblems } from "./recommend-checks.ts";
import { dataDir, prepareTemplates, type TemplateName, type Templates } from "./templates.ts";

const REPEAT = Number(process.env.CCO_CRASH_REPEAT ?? 2);
const FIRST_SEED = Number(process.env.CCO_CRASH_SEED ?? Date.now() % 1_000_000);

let t: Templates;
const references = {} as Record<StageName, Partial<Record<TemplateName, Reference>>>;
/** Templates whose data dir holds a finished, checked run (the last case's, or a reference's). */
const finished = new Set<TemplateName>();

beforeAll(async () => {
  t = await prepareTemplates(tempDir("cco-crash-"));
}, 600_000);

function report(result: CaseResult): void {
  console.log(
    `${describeCase(result)}: ${result.killed ? "killed" : "finished first"}, recovered in ${result.recoverySeconds.toFixed(1)} s` +
      (result.lagging.length ? `; lagging until the rerun: ${result.lagging.join("; ")}` : ""),
  );
}

describe(`kill -9 at random moments (${REPEAT} per stage, seeds from ${FIRST_SEED})`, () => {
  it.each(Object.keys(STAGES) as StageName[])(
    "%s: the warehouse opens, its tests and invariants hold, and the rerun ends as a run never killed",
    async (stage) => {
      references[stage] = {};
      for (const template of STAGES[stage].templates)
        references[stage][template] = await reference(t, stage, template);
      for (let r = 0; r < REPEAT; r++) {
        const result = await runCase(t, stage, FIRST_SEED + r, references[stage]);
        report(result);
        expect(result.problems, describeCase(result)).toEqual([]);
      }
      for (const template of STAGES[stage].templates) finished.add(template);
    },
    600_000,
  );
});

// The steps whose order makes a stage crash-safe, killed exactly there (fault points in the code).
const FAULTS: [StageName, string, TemplateName][] = [
  // The external model (focus_costs): new files in the folder, the view not yet switched...
  ["models", "external:files-written@1", "ingested"],
  ["models", "external:files-written@1", "restated"],
  // ...and the view switched, the old files not yet removed.
  ["models", "external:view-switched@1", "restated"],
  // An incremental mart's delete and insert, not committed.
  ["models", "incremental:inserted@2", "restated"],
  // The history recorded, the snapshots and the approval table not yet written.
  ["recommend", "recommend:history-recorded@1", "modelled"],
  // The approval table written (its rows remembered first: the import compares edits with them).
  ["recommend", "approvals:sheet-written@1", "modelled"],
];

describe("kill -9 at a chosen step", () => {
  it.each(FAULTS)(
    "%s at %s (%s): the checks hold after the kill and after the rerun",
    async (stage, fault, template) => {
      references[stage] ??= {};
      references[stage][template] ??= await reference(t, stage, template);
      const result = await runCase(t, stage, 0, references[stage], { fault, template });
      report(result);
      expect(result.killed).toBe(true);
      expect(result.problems, describeCase(result)).toEqual([]);
      finished.add(template);
    },
    300_000,
  );
});

/** The template's data dir with a finished run (one is made when no test above left it), to break. */
async function broken<T>(
  stage: StageName,
  name: TemplateName,
  work: (w: Warehouse) => Promise<T>,
): Promise<T> {
  if (!finished.has(name)) await reference(t, stage, name);
  finished.delete(name);
  const w = await Warehouse.open({ path: path.join(dataDir(t, name), "warehouse.duckdb"), threads: 1 });
  try {
    return await work(w);
  } finally {
    await w.close();
  }
}

describe("the checks see a broken warehouse", () => {
  it("ingest: a lake file gone, and a total the ledger does not match", async () => {
    const problems = await broken("ingest", "empty", async (w) => {
      const [a, b] = await w.all<{ load_id: string; lake_file: string }>(
        "select load_id::varchar as load_id, lake_file from ops.load_parts order by load_id limit 2",
      );
      rmSync(a!.lake_file);
      await w.run(`update ops.loads set cost_totals = '{"USD": "1.00"}' where load_id = ${b!.load_id}`);
      return ingestProblems(w);
    });
    expect(problems.join("\n")).toMatch(/unreadable/);
    expect(problems.join("\n")).toMatch(/ops\.loads \d+ rows \{"USD":"1\.00"\}/);
  });

  it("recommend: a history batch missing a row, and approvals.csv not the queue", async () => {
    const problems = await broken("recommend", "modelled", async (w) => {
      await w.run(
        "delete from ops.recommendation_history where recommendation_id = (select min(recommendation_id) from ops.recommendation_history)",
      );
      await w.run(
        "delete from ops.approval_queue where recommendation_id = (select min(recommendation_id) from ops.approval_queue)",
      );
      return recommendProblems(w, dataDir(t, "modelled"));
    });
    expect(problems).toEqual([
      "history batch: 1 recommendations missing, 0 unknown ids",
      "approvals.csv: 1 rows not in the queue, 0 queued rows not in it",
    ]);
  });

  it("actions: an action needing a person, and an audit entry edited", async () => {
    const problems = await broken("actions", "approved", async (w) => {
      await w.run(
        "update ops.actions set state = 'needs_attention' where action_id = (select min(action_id) from ops.actions where mode = 'execute')",
      );
      await w.run("update ops.audit_log set actor = 'someone else' where seq = 2");
      return actionProblems(w);
    });
    expect(problems.join("\n")).toMatch(/needs_attention/);
    expect(problems.join("\n")).toMatch(/audit chain/);
  });
});
